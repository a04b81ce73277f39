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
    // Small enough for half a laptop screen, large enough for the three panes at their smallest
    // (and the handles between them).
    minimumWidth: splitView.paneMinimums
    minimumHeight: Math.round(Theme.fontMetrics.height * 40)
    visible: true
    // The running count shows in the task bar while the window is behind others, and so does
    // the job the window shows (the one a terminal or a notification just brought it to).
    readonly property string shownJobTitle: {
        const label = selected.label.split("\n")[0]
        return "#" + selected.jobId + " " + (label.length > 60 ? label.slice(0, 59) + "…" : label)
    }
    title: (App.runningCount > 0 ? qsTr("Job Monitor — %n running", "", App.runningCount)
                                 : qsTr("Job Monitor"))
           + (selected.valid ? " — " + shownJobTitle : "")
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
    // Shows a job asked for from outside (the command line, a notification).
    function showJob(jobId) {
        jobList.select(jobId)
    }

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

    readonly property bool actionsEnabled: !App.shuttingDown && !newJobDialog.visible && !confirmQuit.visible && !groupDialog.visible && !settingsDialog.visible

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
        // A job of this run retries under its id; one from the history runs again as a new job.
        text: window.bulk ? qsTr("Retry %1").arg(jobList.selection.count)
                          : selected.valid && !selected.live ? qsTr("Run again") : qsTr("Retry")
        shortcut: "Ctrl+R"
        enabled: window.actionsEnabled && (window.bulk || selected.canRetry)
        // Several at once retries this run's jobs only: Ctrl+A over the history must not start
        // hundreds of old jobs again.
        onTriggered: window.bulk ? window.forTargets(id => { if (App.jobs.rowOf(id) >= 0) App.retry(id) })
                                 : window.forTargets(id => App.retry(id))
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
        text: window.bulk ? qsTr("Remove %1").arg(jobList.selection.count) : qsTr("Remove\u2026")
        shortcut: "Shift+Delete"
        enabled: window.actionsEnabled && !confirmRemove.visible && (window.bulk || selected.canRemove)
        onTriggered: confirmRemove.ask(jobList.targetIds())
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
    Shortcut {
        sequence: "Ctrl+Shift+F"
        enabled: window.actionsEnabled
        onActivated: listSearch.forceActiveFocus()
    }
    // A job run again from the history is the one shown next.
    Connections {
        target: App
        function onStarted(jobId) { jobList.select(jobId) }
    }
    // Ctrl+Q alone: with StandardKey.Quit beside it (Ctrl+Q on X11) the same keys are
    // registered twice, and xcb then finds the shortcut ambiguous and never fires it; without
    // "Ctrl+Q", platforms whose key scheme has no Quit binding (offscreen) would have none.
    Shortcut {
        sequence: "Ctrl+,"
        enabled: window.actionsEnabled
        onActivated: settingsDialog.openFresh()
    }
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
            spacing: Theme.spacing
            // The actions wrap onto a second row in a narrow window rather than run off its edge.
            Flow {
                objectName: "toolbarActions"
                Layout.fillWidth: true
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
                    objectName: "removeToolButton"
                    action: removeAction
                    tip: qsTr("Delete the selected ended jobs and their saved output, after asking (Shift+Delete)")
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
            }
            RowLayout {
                objectName: "toolbarView"
                Layout.alignment: Qt.AlignRight | Qt.AlignTop
                spacing: 2
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
    }

    HistoryBanner {
        id: historyBanner
        anchors { top: parent.top; left: parent.left; right: parent.right }
    }

    SplitView {
        id: splitView
        // The panes at their smallest, and room for the two handles between them. The width
        // beyond that is shared out (the details get what is left), so the details never start
        // beyond the window's edge: SplitView does not shrink the other panes for them.
        readonly property real paneMinimums: groupPanel.SplitView.minimumWidth + listPane.SplitView.minimumWidth
                                             + details.SplitView.minimumWidth + Theme.spacing * 4
        readonly property real spare: Math.max(0, width - paneMinimums)
        anchors { top: historyBanner.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
        orientation: Qt.Horizontal
        // Nothing below the stopping overlay takes the keyboard while the application quits.
        enabled: !App.shuttingDown

        GroupPanel {
            id: groupPanel
            objectName: "groupPanel"
            SplitView.preferredWidth: Math.min(Math.round(Theme.em * 44),
                                               SplitView.minimumWidth + Math.round(splitView.spare * 0.2))
            SplitView.minimumWidth: Math.round(Theme.em * 22)
            onSelectedGroupChanged: jobList.filterModel.group = selectedGroup
            onNewRequested: groupDialog.openNew()
            onEditRequested: (name, maxParallel, rate, pauseOnFailure) => groupDialog.openFor(name, maxParallel, rate, pauseOnFailure)
        }

        Rectangle {
            id: listPane
            SplitView.preferredWidth: SplitView.minimumWidth + Math.round(splitView.spare * 0.35)
            SplitView.minimumWidth: Math.round(Theme.em * 36)
            color: Theme.base
            ColumnLayout {
                anchors.fill: parent
                spacing: 0
                // Search and date over this run's jobs and the whole history.
                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: Theme.spacing
                    spacing: Theme.spacing
                    TextField {
                        id: listSearch
                        objectName: "listSearch"
                        Layout.fillWidth: true
                        placeholderText: qsTr("Search commands and names (Ctrl+Shift+F)")
                        selectByMouse: true
                        onTextChanged: searchDelay.restart()
                        Keys.onDownPressed: jobList.forceActiveFocus()
                        Keys.onEscapePressed: {
                            text = ""
                            jobList.forceActiveFocus()
                        }
                        onAccepted: jobList.forceActiveFocus()
                        Accessible.name: qsTr("Search jobs")
                        // Typing reads the store once it pauses, not on every key.
                        Timer {
                            id: searchDelay
                            interval: 200
                            onTriggered: jobList.search = listSearch.text
                        }
                    }
                    ComboBox {
                        id: sinceBox
                        objectName: "sinceBox"
                        implicitContentWidthPolicy: ComboBox.WidestText
                        textRole: "text"
                        valueRole: "days"
                        model: [
                            { text: qsTr("Any time"), days: 0 },
                            { text: qsTr("Today"), days: -1 },
                            { text: qsTr("Last 7 days"), days: 7 },
                            { text: qsTr("Last 30 days"), days: 30 },
                        ]
                        onActivated: {
                            const d = new Date()
                            if (currentValue === 0)
                                jobList.since = new Date(NaN)
                            else if (currentValue < 0)
                                jobList.since = new Date(d.getFullYear(), d.getMonth(), d.getDate())
                            else
                                jobList.since = new Date(d.getTime() - currentValue * 24 * 3600 * 1000)
                        }
                        Accessible.name: qsTr("Show jobs created since")
                    }
                }
                JobListView {
                    id: jobList
                    objectName: "jobList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    focus: true
                }
            }
        }

        JobDetailsView {
            id: details
            objectName: "jobDetails"
            SplitView.fillWidth: true
            SplitView.minimumWidth: Math.round(Theme.em * 58)
            details: selected
            onEditRequested: jobId => newJobDialog.openFromJob(jobId)
            onRemoveRequested: jobId => confirmRemove.ask([jobId])
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

    ConfirmRemoveDialog {
        id: confirmRemove
        objectName: "confirmRemoveDialog"
        onRemoveConfirmed: ids => ids.forEach(id => App.remove(id))
        onClosed: if (!App.shuttingDown) jobList.forceActiveFocus()
    }

    SettingsDialog {
        id: settingsDialog
        objectName: "settingsDialog"
        onClosed: if (!App.shuttingDown) jobList.forceActiveFocus()
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
