import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Live counters along the bottom of the window, and the max-parallel setting.
ToolBar {
    id: bar

    position: ToolBar.Footer

    component Counter: RowLayout {
        required property int count
        required property string label
        required property int jobState
        spacing: 5
        opacity: count > 0 ? 1 : 0.55
        Rectangle {
            width: 8; height: 8; radius: 4
            color: Theme.stateColor(parent.jobState)
        }
        Label {
            text: parent.count + " " + parent.label
        }
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 10
        anchors.rightMargin: 6
        spacing: 16

        Counter { objectName: "runningCounter"; count: App.runningCount; label: qsTr("running"); jobState: JobState.Running }
        Counter { objectName: "queuedCounter"; count: App.queuedCount; label: qsTr("queued"); jobState: JobState.Pending }
        Counter { objectName: "stoppingCounter"; count: App.stoppingCount; label: qsTr("stopping"); jobState: JobState.Stopping }
        Counter { count: App.retryingCount; label: qsTr("retrying"); jobState: JobState.Retrying }
        Rectangle { width: 1; Layout.fillHeight: true; Layout.margins: 4; color: Theme.line }
        Label {
            objectName: "processCounter"
            text: App.processesAlive === 1 ? qsTr("1 child process") : qsTr("%1 child processes").arg(App.processesAlive)
        }
        Item { Layout.fillWidth: true }
        Label { text: qsTr("Max parallel") }
        SpinBox {
            objectName: "maxParallelSpin"
            from: 1
            to: JobLimits.maxParallel
            value: App.maxParallel
            editable: true
            onValueModified: App.maxParallel = value
            Accessible.name: qsTr("Maximum jobs running at once")
        }
    }
}
