import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// The Job Monitor window: the job list on the left, the selected job on the right, counters
// along the bottom. Closing never quits by itself: it asks App to shut down, which ends every
// job first and then exits the application.
ApplicationWindow {
    id: window

    width: 1200
    height: 780
    minimumWidth: 820
    minimumHeight: 520
    visible: true
    title: qsTr("Job Monitor")
    color: Theme.window

    // Closing the window is a request to shut down, confirmed first while jobs are active.
    function requestQuit() {
        if (App.shuttingDown)
            return
        if (App.activeCount > 0)
            confirmQuit.open()
        else
            App.quit()
    }

    onClosing: close => {
        close.accepted = false
        requestQuit()
    }

    JobDetails {
        id: selected
        jobId: jobList.currentJobId
    }

    readonly property bool actionsEnabled: !App.shuttingDown && !newJobDialog.visible && !confirmQuit.visible

    Action {
        id: newJobAction
        text: qsTr("New job\u2026")
        shortcut: StandardKey.New
        enabled: window.actionsEnabled
        onTriggered: newJobDialog.openEmpty()
    }
    Action {
        id: cancelAction
        text: qsTr("Cancel")
        shortcut: StandardKey.Delete
        enabled: window.actionsEnabled && selected.canCancel
        onTriggered: App.cancel(selected.jobId)
    }
    Action {
        id: retryAction
        text: qsTr("Retry")
        shortcut: "Ctrl+R"
        enabled: window.actionsEnabled && selected.canRetry
        onTriggered: App.retry(selected.jobId)
    }
    Action {
        id: removeAction
        text: qsTr("Remove")
        enabled: window.actionsEnabled && selected.canRemove
        onTriggered: App.remove(selected.jobId)
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

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 6
            anchors.rightMargin: 8
            spacing: 2
            ToolButton {
                objectName: "newJobButton"
                action: newJobAction
                font.bold: true
                focusPolicy: Qt.TabFocus
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Start a job (Ctrl+N)")
            }
            ToolSeparator {}
            ToolButton {
                action: cancelAction
                focusPolicy: Qt.TabFocus
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Stop the selected job (Delete)")
            }
            ToolButton {
                action: retryAction
                focusPolicy: Qt.TabFocus
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Run the selected job again (Ctrl+R)")
            }
            ToolButton { action: removeAction; focusPolicy: Qt.TabFocus }
            Item { Layout.fillWidth: true }
            Label { text: qsTr("Show") }
            ComboBox {
                id: filterBox
                objectName: "filterBox"
                implicitContentWidthPolicy: ComboBox.WidestText
                // In the order of JobFilterModel.Filter: All, Active, Failed, Finished.
                model: [qsTr("All jobs"), qsTr("Active"), qsTr("Failed"), qsTr("Finished")]
                currentIndex: jobList.filter
                onActivated: index => jobList.filter = index
                Accessible.name: qsTr("Show jobs")
            }
        }
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal

        Rectangle {
            SplitView.preferredWidth: Math.round(window.width * 0.36)
            SplitView.minimumWidth: 280
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
            SplitView.minimumWidth: 420
            details: selected
            onRunAgainRequested: jobId => newJobDialog.openFromJob(jobId)
        }
    }

    footer: StatusBar {}

    NewJobDialog {
        id: newJobDialog
        objectName: "newJobDialog"
        onStarted: jobId => jobList.select(jobId)
        onClosed: jobList.forceActiveFocus()
    }

    ConfirmQuitDialog {
        id: confirmQuit
        objectName: "confirmQuitDialog"
        activeCount: App.activeCount
        onOpened: App.quitConfirmationOpened()
        onStopAllAndQuit: App.quit()
    }

    StoppingOverlay {
        objectName: "stoppingOverlay"
        parent: Overlay.overlay
        anchors.fill: parent
        z: 1000
    }
}
