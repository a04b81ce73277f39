import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import JobMonitor

// The Job Monitor window: the job list on the left, the selected job on the right, counters
// along the bottom. Closing never quits by itself: it asks App to shut down, which ends every
// job first and then exits the application.
ApplicationWindow {
    id: window

    width: Math.min(Math.round(Theme.em * 170), Screen.desktopAvailableWidth * 0.92)
    height: Math.min(Math.round(Theme.fontMetrics.height * 46), Screen.desktopAvailableHeight * 0.92)
    minimumWidth: Math.round(Theme.em * 110)
    minimumHeight: Math.round(Theme.fontMetrics.height * 30)
    visible: true
    title: qsTr("Job Monitor")
    color: Theme.window

    // Every control takes the system palette Theme reads. Qt Quick Controls otherwise take
    // some roles (a text field's base) from the style's own palettes, and a dark desktop got
    // white fields in a dark window.
    function copyPalette(to, from) {
        for (const role of ["window", "windowText", "base", "alternateBase", "text", "button",
                            "buttonText", "highlight", "highlightedText", "placeholderText",
                            "light", "midlight", "mid", "dark", "shadow"])
            to[role] = from[role]
        to.toolTipBase = from.window
        to.toolTipText = from.windowText
    }
    Component.onCompleted: {
        copyPalette(palette.active, Theme.palette)
        copyPalette(palette.inactive, Theme.palette)
        copyPalette(palette.disabled, Theme.disabledPalette)
    }
    Connections {
        target: Theme.palette
        function onPaletteChanged() {
            window.copyPalette(window.palette.active, Theme.palette)
            window.copyPalette(window.palette.inactive, Theme.palette)
            window.copyPalette(window.palette.disabled, Theme.disabledPalette)
        }
    }

    // Closing the window is a request to shut down, confirmed first while jobs are active.
    function requestQuit() {
        if (App.shuttingDown)
            return
        if (App.activeCount > 0)
            confirmQuit.open()
        else
            App.quit()
    }
    // Runs an action on each job the list's selection holds (or the shown job).
    function forTargets(action) {
        for (const id of jobList.targetIds())
            action(id)
    }
    // Several jobs are selected: the bulk actions act on all of them.
    readonly property bool bulk: jobList.selection.count > 1

    onClosing: close => {
        close.accepted = false
        requestQuit()
    }

    JobDetails {
        id: selected
        jobId: jobList.currentJobId
    }
    // The jobs "Retry failed" and "Clear finished" act on.
    JobFilterModel {
        id: failedJobs
        sourceModel: App.jobs
        filter: JobFilterModel.Failed
    }
    JobFilterModel {
        id: finishedJobs
        sourceModel: App.jobs
        filter: JobFilterModel.Finished
    }

    readonly property bool actionsEnabled: !App.shuttingDown && !newJobDialog.visible && !confirmQuit.visible && !groupDialog.visible

    Action {
        id: newJobAction
        text: qsTr("New job\u2026")
        shortcut: StandardKey.New
        enabled: window.actionsEnabled
        onTriggered: newJobDialog.openEmpty()
    }
    // Delete cancels (gracefully; Retry runs the job again): it never forgets a job.
    Action {
        id: cancelAction
        text: window.bulk ? qsTr("Cancel %1").arg(jobList.selection.count) : qsTr("Cancel")
        shortcut: StandardKey.Delete
        enabled: window.actionsEnabled && (window.bulk || selected.canCancel)
        onTriggered: window.forTargets(id => App.cancel(id))
    }
    Action {
        id: retryAction
        text: window.bulk ? qsTr("Retry %1").arg(jobList.selection.count) : qsTr("Retry")
        shortcut: "Ctrl+R"
        enabled: window.actionsEnabled && (window.bulk || selected.canRetry)
        onTriggered: window.forTargets(id => App.retry(id))
    }
    Action {
        id: editAction
        text: qsTr("Edit and run again\u2026")
        shortcut: "Ctrl+E"
        enabled: window.actionsEnabled && selected.valid
        onTriggered: newJobDialog.openFromJob(selected.jobId)
    }
    Action {
        id: removeAction
        text: window.bulk ? qsTr("Remove %1").arg(jobList.selection.count) : qsTr("Remove")
        enabled: window.actionsEnabled && (window.bulk || selected.canRemove)
        onTriggered: window.forTargets(id => App.remove(id))
    }
    // The queue: pause and resume the shown running job, move the shown queued job in its
    // group's queue.
    Action {
        id: pauseAction
        text: selected.state === JobState.Paused ? qsTr("Resume") : qsTr("Pause")
        shortcut: "Ctrl+P"
        enabled: window.actionsEnabled && (selected.state === JobState.Running || selected.state === JobState.Paused)
        onTriggered: selected.state === JobState.Paused ? App.resume(selected.jobId) : App.pause(selected.jobId)
    }
    Action {
        id: moveUpAction
        text: qsTr("Move up")
        shortcut: "Alt+Up"
        enabled: window.actionsEnabled && selected.state === JobState.Pending
        onTriggered: App.moveUp(selected.jobId)
    }
    Action {
        id: moveDownAction
        text: qsTr("Move down")
        shortcut: "Alt+Down"
        enabled: window.actionsEnabled && selected.state === JobState.Pending
        onTriggered: App.moveDown(selected.jobId)
    }
    Action {
        id: moveToFrontAction
        text: qsTr("To front")
        shortcut: "Alt+Home"
        enabled: window.actionsEnabled && selected.state === JobState.Pending
        onTriggered: App.moveToFront(selected.jobId)
    }
    Action {
        id: retryFailedAction
        text: qsTr("Retry failed")
        shortcut: "Ctrl+Shift+R"
        enabled: window.actionsEnabled && failedJobs.count > 0
        // The ids first: each retry moves a job out of the filter.
        onTriggered: failedJobs.jobIds().forEach(id => App.retry(id))
    }
    Action {
        id: clearFinishedAction
        text: qsTr("Clear finished")
        shortcut: "Ctrl+Shift+Delete"
        enabled: window.actionsEnabled && finishedJobs.count > 0
        onTriggered: finishedJobs.jobIds().forEach(id => App.remove(id))
    }
    Shortcut {
        sequence: StandardKey.Find
        enabled: window.actionsEnabled && selected.valid
        onActivated: details.focusSearch()
    }
    // Ctrl+Q alone: with StandardKey.Quit beside it (Ctrl+Q on X11) the same keys are
    // registered twice, and xcb then finds the shortcut ambiguous and never fires it; without
    // "Ctrl+Q", platforms whose key scheme has no Quit binding (offscreen) would have none.
    Shortcut {
        sequence: "Ctrl+Q"
        context: Qt.ApplicationShortcut
        onActivated: window.requestQuit()
    }

    component ActionButton: ToolButton {
        property string tip
        focusPolicy: Qt.TabFocus
        ToolTip.visible: hovered && tip.length > 0
        ToolTip.text: tip
    }

    header: ToolBar {
        enabled: !App.shuttingDown
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.spacing
            anchors.rightMargin: Theme.spacing
            spacing: 2
            ActionButton {
                objectName: "newJobButton"
                action: newJobAction
                font.bold: true
                tip: qsTr("Start a job (Ctrl+N)")
            }
            ToolSeparator {}
            ActionButton {
                objectName: "cancelToolButton"
                action: cancelAction
                tip: qsTr("Stop the selected jobs gracefully; Retry runs them again (Delete)")
            }
            ActionButton {
                action: retryAction
                tip: qsTr("Run the selected jobs again (Ctrl+R)")
            }
            ActionButton {
                action: editAction
                tip: qsTr("A new job from the selected one's settings (Ctrl+E)")
            }
            ActionButton {
                action: removeAction
                tip: qsTr("Take the selected ended jobs off the list")
            }
            ToolSeparator {}
            ActionButton {
                objectName: "pauseButton"
                action: pauseAction
                tip: qsTr("Stop every process of the running job where it is, or let it go on (Ctrl+P)")
            }
            ActionButton {
                objectName: "moveUpButton"
                action: moveUpAction
                tip: qsTr("One place earlier in its group's queue (Alt+Up)")
            }
            ActionButton {
                objectName: "moveDownButton"
                action: moveDownAction
                tip: qsTr("One place later in its group's queue (Alt+Down)")
            }
            ActionButton {
                objectName: "moveToFrontButton"
                action: moveToFrontAction
                tip: qsTr("Next to start in its group (Alt+Home)")
            }
            ToolSeparator {}
            ActionButton {
                objectName: "retryFailedButton"
                action: retryFailedAction
                tip: qsTr("Run every failed or timed-out job again (Ctrl+Shift+R)")
            }
            ActionButton {
                objectName: "clearFinishedButton"
                action: clearFinishedAction
                tip: qsTr("Take every ended job off the list (Ctrl+Shift+Delete)")
            }
            Item { Layout.fillWidth: true }
            Label { text: qsTr("Show") }
            ComboBox {
                id: filterBox
                objectName: "filterBox"
                implicitContentWidthPolicy: ComboBox.WidestText
                textRole: "text"
                valueRole: "value"
                model: [
                    { text: qsTr("All jobs"), value: JobFilterModel.All },
                    { text: qsTr("Active"), value: JobFilterModel.Active },
                    { text: qsTr("Running"), value: JobFilterModel.Running },
                    { text: qsTr("Failed"), value: JobFilterModel.Failed },
                    { text: qsTr("Finished"), value: JobFilterModel.Finished },
                ]
                Component.onCompleted: currentIndex = indexOfValue(jobList.filter)
                onActivated: jobList.filter = currentValue
                Connections {
                    target: jobList
                    function onFilterChanged() { filterBox.currentIndex = filterBox.indexOfValue(jobList.filter) }
                }
                Accessible.name: qsTr("Show jobs")
            }
            ComboBox {
                id: orderBox
                objectName: "orderBox"
                implicitContentWidthPolicy: ComboBox.WidestText
                textRole: "text"
                valueRole: "value"
                model: [
                    { text: qsTr("Newest first"), value: JobFilterModel.Newest },
                    { text: qsTr("By state"), value: JobFilterModel.State },
                    { text: qsTr("By start time"), value: JobFilterModel.Started },
                    { text: qsTr("Queue order"), value: JobFilterModel.Queue },
                ]
                Component.onCompleted: currentIndex = indexOfValue(jobList.order)
                onActivated: jobList.order = currentValue
                Accessible.name: qsTr("Order jobs")
            }
        }
    }

    HistoryBanner {
        id: historyBanner
        anchors { top: parent.top; left: parent.left; right: parent.right }
    }

    SplitView {
        anchors { top: historyBanner.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
        orientation: Qt.Horizontal
        // Nothing below the stopping overlay takes the keyboard while the application quits.
        enabled: !App.shuttingDown

        GroupPanel {
            id: groupPanel
            objectName: "groupPanel"
            SplitView.preferredWidth: Math.round(Theme.em * 44)
            SplitView.minimumWidth: Math.round(Theme.em * 24)
            onSelectedGroupChanged: jobList.filterModel.group = selectedGroup
            onNewRequested: groupDialog.openNew()
            onEditRequested: (name, maxParallel, rate, pauseOnFailure) => groupDialog.openFor(name, maxParallel, rate, pauseOnFailure)
        }

        Rectangle {
            SplitView.preferredWidth: Math.round(window.width * 0.36)
            SplitView.minimumWidth: Math.round(Theme.em * 40)
            color: Theme.base
            JobListView {
                id: jobList
                objectName: "jobList"
                anchors.fill: parent
                focus: true
            }
        }

        JobDetailsView {
            id: details
            objectName: "jobDetails"
            SplitView.fillWidth: true
            SplitView.minimumWidth: Math.round(Theme.em * 60)
            details: selected
            onEditRequested: jobId => newJobDialog.openFromJob(jobId)
        }
    }

    footer: StatusBar {
        enabled: !App.shuttingDown
    }

    NewJobDialog {
        id: newJobDialog
        objectName: "newJobDialog"
        selectedJobIds: jobList.targetIds()
        onStarted: jobId => jobList.select(jobId)
        onClosed: jobList.forceActiveFocus()
    }

    GroupDialog {
        id: groupDialog
        objectName: "groupDialog"
        onClosed: jobList.forceActiveFocus()
    }

    ConfirmQuitDialog {
        id: confirmQuit
        objectName: "confirmQuitDialog"
        activeCount: App.activeCount
        onOpened: App.quitConfirmationOpened()
        onStopAllAndQuit: App.quit()
        onClosed: if (!App.shuttingDown) jobList.forceActiveFocus()
    }

    StoppingOverlay {
        objectName: "stoppingOverlay"
        parent: Overlay.overlay
        anchors.fill: parent
        z: 1000
    }
}
