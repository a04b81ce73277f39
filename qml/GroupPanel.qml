import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// The groups beside the job list: each with its limits and its jobs queued and running.
// Choosing one shows only its jobs ("All groups" shows every job again); its buttons pause
// and resume it (Pause all also pauses its running jobs), edit or delete it.
Pane {
    id: panel

    // The group whose jobs the list shows; empty: every group.
    property string selectedGroup: ""
    signal editRequested(string name, int maxParallel, string rate, bool pauseOnFailure)
    signal newRequested()

    padding: Theme.spacing
    background: Rectangle { color: Theme.window }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        RowLayout {
            Layout.fillWidth: true
            Label {
                text: qsTr("Groups")
                font.bold: true
                Layout.fillWidth: true
            }
            ToolButton {
                objectName: "newGroupButton"
                text: qsTr("New\u2026")
                onClicked: panel.newRequested()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Make a group with its own limits")
            }
        }
        ItemDelegate {
            objectName: "allGroupsItem"
            Layout.fillWidth: true
            text: qsTr("All groups")
            highlighted: panel.selectedGroup === ""
            onClicked: panel.selectedGroup = ""
        }
        ListView {
            id: list
            objectName: "groupList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: App.groups
            spacing: 2
            delegate: ItemDelegate {
                id: row
                required property string name
                required property int maxParallel
                required property string rate
                required property bool pauseOnFailure
                required property bool paused
                required property string pauseReason
                required property int queued
                required property int running
                required property int total
                required property bool deletable
                objectName: "group_" + name
                width: ListView.view.width
                highlighted: panel.selectedGroup === name
                onClicked: panel.selectedGroup = name
                contentItem: ColumnLayout {
                    spacing: 0
                    RowLayout {
                        Label {
                            text: row.name
                            font.bold: true
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Label {
                            visible: row.paused
                            text: qsTr("paused")
                            color: Theme.dangerText
                        }
                    }
                    Label {
                        objectName: "groupCounts"
                        text: [qsTr("%n queued", "", row.queued), qsTr("%n running", "", row.running),
                               qsTr("%n in all", "", row.total)].join("  \u00b7  ")
                        font.pixelSize: Theme.smallSize
                        color: Theme.mutedText
                    }
                    Label {
                        text: [row.maxParallel > 0 ? qsTr("%n at once", "", row.maxParallel) : qsTr("no limit of its own"),
                               row.rate.length > 0 ? qsTr("rate %1").arg(row.rate) : "",
                               row.pauseOnFailure ? qsTr("pauses on failure") : "",
                               row.paused ? row.pauseReason : ""].filter(s => s.length > 0).join("  \u00b7  ")
                        font.pixelSize: Theme.smallSize
                        color: Theme.mutedText
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    RowLayout {
                        spacing: 2
                        ToolButton {
                            objectName: "pauseGroupButton"
                            text: row.paused ? qsTr("Resume") : qsTr("Pause")
                            onClicked: {
                                if (row.paused)
                                    App.resumeGroup(row.name)
                                else
                                    App.pauseGroup(row.name, false)
                            }
                            ToolTip.visible: hovered
                            ToolTip.text: row.paused ? qsTr("Start the group's jobs again, and continue its paused ones")
                                                     : qsTr("Start none of its jobs until resumed")
                        }
                        ToolButton {
                            objectName: "pauseGroupRunningButton"
                            visible: row.running > 0
                            text: qsTr("Pause all")
                            onClicked: App.pauseGroup(row.name, true)
                            ToolTip.visible: hovered
                            ToolTip.text: qsTr("Also stop its running jobs where they are (SIGSTOP)")
                        }
                        ToolButton {
                            objectName: "editGroupButton"
                            text: qsTr("Edit\u2026")
                            onClicked: panel.editRequested(row.name, row.maxParallel, row.rate, row.pauseOnFailure)
                        }
                        ToolButton {
                            objectName: "deleteGroupButton"
                            text: qsTr("Delete")
                            visible: row.deletable
                            onClicked: {
                                const problem = App.removeGroup(row.name)
                                if (problem.length > 0) {
                                    deleteError.text = problem
                                } else if (panel.selectedGroup === row.name) {
                                    panel.selectedGroup = ""
                                }
                            }
                        }
                    }
                }
            }
        }
        Label {
            id: deleteError
            objectName: "groupPanelError"
            Layout.fillWidth: true
            visible: text.length > 0
            color: Theme.dangerText
            wrapMode: Text.Wrap
        }
    }
}
