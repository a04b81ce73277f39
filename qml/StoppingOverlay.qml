import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Covers the window while the application shuts down: which jobs are still stopping, how
// long each has before SIGKILL, and a way to kill them all at once.
Rectangle {
    id: overlay

    property real now: Date.now()

    color: Qt.rgba(Theme.window.r, Theme.window.g, Theme.window.b, 0.93)
    visible: App.shuttingDown

    // Swallow input meant for the window underneath.
    MouseArea {
        anchors.fill: parent
        hoverEnabled: true
        acceptedButtons: Qt.AllButtons
        onWheel: wheel => wheel.accepted = true
    }

    Timer {
        interval: 100
        repeat: true
        running: overlay.visible
        triggeredOnStart: true
        onTriggered: overlay.now = Date.now()
    }

    Pane {
        anchors.centerIn: parent
        width: Math.min(parent.width - 60, 560)
        padding: 20
        background: Rectangle {
            color: Theme.base
            border.color: Theme.line
            radius: 8
        }

        ColumnLayout {
            anchors.fill: parent
            spacing: 12
            RowLayout {
                spacing: 12
                BusyIndicator { running: overlay.visible; implicitWidth: 36; implicitHeight: 36 }
                ColumnLayout {
                    spacing: 2
                    Label {
                        objectName: "stoppingTitle"
                        text: App.forced ? qsTr("Killing all jobs\u2026") : qsTr("Stopping jobs\u2026")
                        font.pixelSize: Theme.largeSize
                        font.bold: true
                    }
                    Label {
                        text: App.activeCount === 1
                              ? qsTr("Job Monitor quits when the last job has ended (1 left).")
                              : qsTr("Job Monitor quits when every job has ended (%1 left).").arg(App.activeCount)
                        color: Theme.mutedText
                    }
                }
            }
            ListView {
                id: stopping
                objectName: "stoppingList"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, 260)
                clip: true
                model: JobFilterModel {
                    sourceModel: App.jobs
                    filter: JobFilterModel.Active
                }
                delegate: RowLayout {
                    required property int jobId
                    required property string label
                    required property int jobState
                    required property string stateName
                    required property double deadline
                    width: ListView.view.width
                    height: 30
                    spacing: 10
                    StateBadge { jobState: parent.jobState; text: parent.stateName }
                    Label {
                        Layout.fillWidth: true
                        text: parent.label
                        elide: Text.ElideRight
                    }
                    Label {
                        font.family: Theme.monoFamily
                        color: Theme.stateColor(JobState.Stopping)
                        text: parent.deadline > 0 && parent.jobState === JobState.Stopping
                              ? qsTr("SIGKILL in %1 s").arg((Math.max(0, parent.deadline - overlay.now) / 1000).toFixed(1))
                              : ""
                    }
                }
            }
            Button {
                objectName: "killAllButton"
                Layout.alignment: Qt.AlignRight
                text: qsTr("Kill all now")
                enabled: !App.forced
                onClicked: App.killAll()
                palette.button: Theme.danger
                palette.buttonText: "white"
            }
        }
    }
}
