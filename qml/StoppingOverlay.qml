import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Covers the window while the application shuts down: which jobs are still stopping, how
// long each has before SIGKILL, and a way to kill them all at once. It takes the keyboard
// when it appears and keeps it (the window below is disabled meanwhile), so Tab and Space
// reach "Kill all now".
FocusScope {
    id: overlay

    property real now: Date.now()

    visible: App.shuttingDown
    onVisibleChanged: if (visible) killAllButton.forceActiveFocus()

    // Opaque: text drawn natively shows through a translucent cover too strongly to read
    // what is in front of it.
    Rectangle {
        anchors.fill: parent
        color: Theme.window
    }

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
        width: Math.min(parent.width - Theme.em * 8, Theme.em * 80)
        padding: Theme.spacing * 3
        background: Rectangle {
            color: Theme.base
            border.color: Theme.line
            radius: 8
        }

        ColumnLayout {
            anchors.fill: parent
            spacing: Theme.spacing * 1.5
            RowLayout {
                spacing: Theme.spacing * 1.5
                BusyIndicator {
                    running: overlay.visible
                    implicitWidth: Theme.fontMetrics.height * 2.2
                    implicitHeight: implicitWidth
                }
                ColumnLayout {
                    spacing: 2
                    Label {
                        objectName: "stoppingTitle"
                        text: App.forced ? qsTr("Killing all jobs\u2026") : qsTr("Stopping jobs\u2026")
                        font.pixelSize: Theme.largeSize
                        font.bold: true
                    }
                    Label {
                        text: qsTr("Job Monitor quits when every job has ended (%1 left).").arg(Format.count(App.activeCount))
                        color: Theme.mutedText
                    }
                }
            }
            ListView {
                id: stopping
                objectName: "stoppingList"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, Theme.fontMetrics.height * 16)
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
                    height: Math.round(Theme.fontMetrics.height * 2)
                    spacing: Theme.spacing
                    StateBadge { jobState: parent.jobState; text: parent.stateName }
                    Label {
                        Layout.fillWidth: true
                        text: parent.label
                        elide: Text.ElideRight
                    }
                    Label {
                        font: Theme.monoFont
                        text: parent.deadline > 0 && parent.jobState === JobState.Stopping
                              ? qsTr("SIGKILL in %1").arg(Format.seconds(parent.deadline - overlay.now))
                              : ""
                    }
                }
            }
            Button {
                id: killAllButton
                objectName: "killAllButton"
                Layout.alignment: Qt.AlignRight
                text: qsTr("Kill all now")
                enabled: !App.forced
                focus: true
                onClicked: App.killAll()
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                Accessible.name: qsTr("Kill all jobs now")
                padding: Theme.spacing * 1.5
                // A solid dark red under white text (6.3:1), so it reads as the live, final
                // choice it is rather than as a disabled button; a ring shows the focus.
                contentItem: Label {
                    text: killAllButton.text
                    font.bold: true
                    color: "#ffffff"
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    implicitWidth: Theme.em * 14
                    implicitHeight: Theme.fontMetrics.height * 2
                    radius: 3
                    color: killAllButton.down ? Qt.darker(Theme.danger, 1.2) : Theme.danger
                    opacity: killAllButton.enabled ? 1 : 0.45
                    border.width: killAllButton.visualFocus ? 2 : 0
                    border.color: Theme.text
                }
            }
        }
    }
}
