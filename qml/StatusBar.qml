import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Live counters along the bottom of the window, and the max-parallel setting.
ToolBar {
    id: bar

    position: ToolBar.Footer

    // "3 running": the word is the state's name, as the badges say it, in lower case.
    component Counter: RowLayout {
        id: counter
        required property int count
        required property int jobState
        spacing: Math.round(Theme.spacing / 2)
        Rectangle {
            readonly property real size: Math.round(Theme.fontMetrics.height * 0.5)
            width: size; height: size; radius: size / 2
            color: Theme.stateColor(counter.jobState)
            opacity: counter.count > 0 ? 1 : 0.45
        }
        Label {
            text: Format.count(counter.count) + " " + Format.stateLabel(counter.jobState).toLowerCase()
            color: counter.count > 0 ? Theme.text : Theme.mutedText
        }
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.spacing * 1.5
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing * 2

        Counter { objectName: "runningCounter"; count: App.runningCount; jobState: JobState.Running }
        Counter { objectName: "queuedCounter"; count: App.queuedCount; jobState: JobState.Pending }
        Counter { objectName: "stoppingCounter"; count: App.stoppingCount; jobState: JobState.Stopping }
        Counter { objectName: "retryingCounter"; count: App.retryingCount; jobState: JobState.Retrying }
        Rectangle { width: 1; Layout.fillHeight: true; Layout.margins: 4; color: Theme.line }
        Label {
            objectName: "processCounter"
            text: qsTr("%1 child process(es)", "", App.processesAlive).arg(Format.count(App.processesAlive))
        }
        Label {
            objectName: "resourceTotals"
            visible: App.resourceTotals.length > 0
            text: qsTr("using %1").arg(App.resourceTotals)
            ToolTip.visible: totalsHover.hovered
            ToolTip.text: qsTr("CPU (100% is one core) and resident memory of all running jobs")
            HoverHandler { id: totalsHover }
        }
        Item { Layout.fillWidth: true }
        Label { text: qsTr("Max parallel") }
        SpinBox {
            objectName: "maxParallelSpin"
            Layout.preferredWidth: Math.round(Theme.em * 14)
            from: 1
            to: JobLimits.maxParallel
            value: App.maxParallel
            editable: true
            onValueModified: App.maxParallel = value
            Accessible.name: qsTr("Maximum jobs running at once")
        }
    }
}
