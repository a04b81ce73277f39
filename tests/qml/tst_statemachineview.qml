import QtQuick
import QtTest
import JobMonitor

TestCase {
    id: testCase
    name: "StateMachineView"
    when: windowShown
    width: 700
    height: 360

    // As the window names them: the Pending state is "Queued" everywhere.
    readonly property var stateNames: ["Queued", "Running", "Stopping", "Retrying",
                                       "Completed", "Failed", "Timed out", "Cancelled", "Interrupted"]

    Component {
        id: formComponent
        JobForm {}
    }
    // The view owns the details it shows, so both go away together.
    Component {
        id: viewComponent
        StateMachineView {
            property alias details: jobDetails
            width: 640
            height: 300
            nodeModel: jobDetails.diagramStates
            edgeModel: jobDetails.diagramEdges
            JobDetails { id: jobDetails }
        }
    }

    function startJob(command, retries) {
        const form = createTemporaryObject(formComponent, testCase)
        form.command = command
        form.retries = String(retries)
        form.backoffInitial = "0.05"
        const id = form.start()
        verify(id >= 0, form.startError)
        return id
    }

    function viewOf(jobId) {
        const view = createTemporaryObject(viewComponent, testCase)
        view.details.jobId = jobId
        return view
    }

    // The arrow a transition takes: its own, or its frame's.
    function edge(view, from, to) {
        const row = view.edgeModel.rowOf(from, to)
        verify(row >= 0, "no arrow " + from + " -> " + to)
        const item = findChild(view, "arrow_" + row)
        verify(item, "no arrow item " + row)
        return item
    }

    function test_bareDiagramHighlightsNothing() {
        const view = viewOf(-1)
        for (const name of stateNames) {
            const node = findChild(view, "stateNode_" + name)
            verify(node, name)
            verify(!node.current && !node.visited, name)
        }
        verify(!edge(view, JobState.Pending, JobState.Running).taken)
    }

    function test_failedJob() {
        const view = viewOf(startJob("exit 3", 0))
        const details = view.details
        tryCompare(details, "state", JobState.Failed, 10000)

        for (const name of stateNames)
            compare(findChild(view, "stateNode_" + name).current, name === "Failed", name)
        const failed = findChild(view, "stateNode_Failed")
        verify(Qt.colorEqual(failed.color, Theme.stateColor(JobState.Failed)))
        verify(findChild(view, "stateNode_Queued").visited)
        verify(findChild(view, "stateNode_Running").visited)
        verify(!findChild(view, "stateNode_Completed").visited)

        const launched = edge(view, JobState.Pending, JobState.Running)
        verify(launched.taken && !launched.latest)
        const exited = edge(view, JobState.Running, JobState.Failed)
        verify(exited.taken && exited.latest)
        verify(!edge(view, JobState.Running, JobState.Completed).taken)
    }

    function test_retriedJobCountsItsLoop() {
        const view = viewOf(startJob("exit 1", 2))
        const details = view.details
        tryCompare(details, "state", JobState.Failed, 10000)
        compare(details.attempt, 3)
        compare(edge(view, JobState.Running, JobState.Retrying).takenCount, 2)
        // The queue's one Launch arrow: once from Queued, then twice from Retrying.
        compare(edge(view, JobState.Retrying, JobState.Running).takenCount, 3)
        verify(edge(view, JobState.Running, JobState.Failed).latest)
        verify(findChild(view, "stateNode_Retrying").visited)
        compare(details.transitions.rowCount(), 6)
    }
}
