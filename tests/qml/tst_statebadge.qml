import QtQuick
import QtTest
import JobMonitor

TestCase {
    name: "StateBadge"

    Component {
        id: badgeComponent
        StateBadge {}
    }

    function test_colour_data() {
        return [
            { tag: "Pending", state: JobState.Pending, outlined: true },
            { tag: "Running", state: JobState.Running, outlined: false },
            { tag: "Stopping", state: JobState.Stopping, outlined: false },
            { tag: "Retrying", state: JobState.Retrying, outlined: false },
            { tag: "Completed", state: JobState.Completed, outlined: false },
            { tag: "Failed", state: JobState.Failed, outlined: false },
            { tag: "TimedOut", state: JobState.TimedOut, outlined: false },
            { tag: "Cancelled", state: JobState.Cancelled, outlined: false },
            { tag: "Interrupted", state: JobState.Interrupted, outlined: false },
        ]
    }

    function test_colour(data) {
        const badge = createTemporaryObject(badgeComponent, this, { jobState: data.state, text: data.tag })
        verify(badge)
        compare(badge.outlined, data.outlined)
        verify(Qt.colorEqual(badge.border.color, Theme.stateColor(data.state)))
        verify(Qt.colorEqual(badge.color, data.outlined ? "transparent" : Theme.stateColor(data.state)))
        compare(badge.Accessible.name, data.tag)
        verify(badge.implicitWidth > badge.implicitHeight)
    }

    // One colour per state, so a badge is readable without its text.
    function test_distinctColours() {
        const states = [JobState.Pending, JobState.Running, JobState.Stopping, JobState.Retrying,
                        JobState.Completed, JobState.Failed, JobState.TimedOut, JobState.Cancelled,
                        JobState.Interrupted]
        for (let i = 0; i < states.length; ++i) {
            for (let j = i + 1; j < states.length; ++j)
                verify(!Qt.colorEqual(Theme.stateColor(states[i]), Theme.stateColor(states[j])),
                       "states " + states[i] + " and " + states[j] + " share a colour")
        }
    }

    function test_followsStateChange() {
        const badge = createTemporaryObject(badgeComponent, this, { jobState: JobState.Running, text: "Running" })
        badge.jobState = JobState.Failed
        verify(Qt.colorEqual(badge.color, Theme.stateColor(JobState.Failed)))
    }
}
