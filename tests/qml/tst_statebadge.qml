import QtQuick
import QtTest
import JobMonitor

TestCase {
    name: "StateBadge"

    Component {
        id: badgeComponent
        StateBadge {}
    }

    readonly property var states: [JobState.Pending, JobState.Running, JobState.Stopping, JobState.Retrying,
                                   JobState.Completed, JobState.Failed, JobState.TimedOut, JobState.Cancelled,
                                   JobState.Interrupted]

    // CIE L*a*b* of a colour, for telling colours apart as people do.
    function lab(c) {
        function lin(v) { return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) }
        const color = Qt.color(c)
        const r = lin(color.r), g = lin(color.g), b = lin(color.b)
        const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
        const y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
        function f(t) { return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116 }
        return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))]
    }
    function distance(a, b) {
        const p = lab(a), q = lab(b)
        return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])
    }

    function test_colour_data() {
        return [
            { tag: "Queued", state: JobState.Pending, outlined: true },
            { tag: "Running", state: JobState.Running, outlined: false },
            { tag: "Stopping", state: JobState.Stopping, outlined: false },
            { tag: "Retrying", state: JobState.Retrying, outlined: false },
            { tag: "Completed", state: JobState.Completed, outlined: false },
            { tag: "Failed", state: JobState.Failed, outlined: false },
            { tag: "Timed out", state: JobState.TimedOut, outlined: false },
            { tag: "Cancelled", state: JobState.Cancelled, outlined: false },
            { tag: "Interrupted", state: JobState.Interrupted, outlined: false },
        ]
    }

    function test_colour(data) {
        const badge = createTemporaryObject(badgeComponent, this, { jobState: data.state })
        verify(badge)
        // One word for one thing: the badge names the state as the rest of the window does.
        compare(badge.text, data.tag)
        compare(badge.outlined, data.outlined)
        verify(Qt.colorEqual(badge.border.color, Theme.stateColor(data.state)))
        verify(Qt.colorEqual(badge.color, data.outlined ? "transparent" : Theme.stateColor(data.state)))
        compare(badge.Accessible.name, data.tag)
        verify(badge.implicitWidth > badge.implicitHeight)
    }

    // Badge text reaches WCAG AA (4.5:1) on every state's colour, in light and dark palettes;
    // the queued badge's text is the window's text on the row behind it.
    function test_contrast_data() {
        const rows = []
        for (const dark of [false, true])
            for (const state of states)
                rows.push({ tag: Format.stateLabel(state) + (dark ? " dark" : " light"), state: state, dark: dark })
        return rows
    }
    function test_contrast(data) {
        const fill = Theme.stateColorFor(data.state, data.dark)
        const ratio = Theme.contrast(Theme.onStateColorFor(data.dark), fill)
        verify(ratio >= 4.5, "text on " + fill + ": " + ratio.toFixed(2) + ":1")
        // The colour itself stands out from a window of the same palette (3:1, WCAG's
        // minimum for parts of the interface): outlines, timeline dots, diagram nodes.
        const background = data.dark ? "#2a2a2a" : "#ffffff"
        const against = Theme.contrast(fill, background)
        verify(against >= 3, fill + " on " + background + ": " + against.toFixed(2) + ":1")
    }
    function test_queuedTextContrast() {
        const badge = createTemporaryObject(badgeComponent, this, { jobState: JobState.Pending })
        verify(Theme.contrast(badge.textColor, Theme.base) >= 4.5)
        verify(Theme.contrast(badge.textColor, Theme.selectedRow) >= 4.5)
    }

    // A filled badge stays visible on a selected row.
    function test_visibleOnSelectedRow() {
        for (const state of states) {
            const ratio = Theme.contrast(Theme.stateColor(state), Theme.selectedRow)
            verify(ratio >= 3, Format.stateLabel(state) + ": " + ratio.toFixed(2) + ":1")
        }
    }

    // One colour per state, told apart at a glance (Failed and Timed out were the same red):
    // every pair differs by at least 15 in CIE76 ΔE, in both palettes.
    function test_distinctColours() {
        for (const dark of [false, true]) {
            for (let i = 0; i < states.length; ++i) {
                for (let j = i + 1; j < states.length; ++j) {
                    const d = distance(Theme.stateColorFor(states[i], dark), Theme.stateColorFor(states[j], dark))
                    verify(d >= 15, Format.stateLabel(states[i]) + " and " + Format.stateLabel(states[j])
                           + (dark ? " (dark)" : " (light)") + ": ΔE " + d.toFixed(1))
                }
            }
        }
    }

    // Every badge is as wide as the longest name needs: none is cut, and they line up.
    function test_widthFitsEveryName() {
        let width = -1
        for (const state of states) {
            const badge = createTemporaryObject(badgeComponent, this, { jobState: state })
            const label = badge.children[0]
            verify(label.implicitWidth < badge.implicitWidth, Format.stateLabel(state))
            if (width < 0)
                width = badge.implicitWidth
            compare(badge.implicitWidth, width)
        }
    }

    function test_followsStateChange() {
        const badge = createTemporaryObject(badgeComponent, this, { jobState: JobState.Running })
        badge.jobState = JobState.Failed
        verify(Qt.colorEqual(badge.color, Theme.stateColor(JobState.Failed)))
        compare(badge.text, "Failed")
    }
}
