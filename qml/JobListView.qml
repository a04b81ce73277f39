import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Every job, newest first, filtered by state. Delegates are recycled, so thousands of jobs
// scroll smoothly.
ListView {
    id: list

    property alias filter: filterModel.filter
    readonly property int currentJobId: currentItem ? currentItem.jobId : -1

    // Selects a job by id, showing all jobs if the filter hides it.
    function select(jobId) {
        let row = filterModel.rowOf(jobId)
        if (row < 0) {
            filterModel.filter = JobFilterModel.All
            row = filterModel.rowOf(jobId)
        }
        currentIndex = row
        positionViewAtIndex(row, ListView.Contain)
    }

    clip: true
    reuseItems: true
    activeFocusOnTab: true
    keyNavigationEnabled: true
    highlightMoveDuration: 0
    boundsBehavior: Flickable.StopAtBounds
    currentIndex: -1
    model: JobFilterModel {
        id: filterModel
        sourceModel: App.jobs
    }
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Jobs")

    ScrollBar.vertical: ScrollBar {}

    delegate: ItemDelegate {
        id: row

        required property int index
        required property int jobId
        required property string label
        required property string command
        required property int jobState
        required property string stateName
        required property int attempt
        required property int maxAttempts
        required property string elapsed
        required property string result

        width: ListView.view.width
        highlighted: ListView.isCurrentItem
        focusPolicy: Qt.NoFocus
        onClicked: {
            list.currentIndex = index
            list.forceActiveFocus()
        }
        Accessible.name: label + ", " + stateName

        contentItem: RowLayout {
            spacing: 10
            StateBadge {
                jobState: row.jobState
                text: row.stateName
                Layout.preferredWidth: 84
                Layout.alignment: Qt.AlignVCenter
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 1
                Label {
                    Layout.fillWidth: true
                    text: row.label
                    elide: Text.ElideRight
                    font.bold: true
                    color: row.highlighted ? Theme.palette.highlightedText : Theme.text
                }
                Label {
                    Layout.fillWidth: true
                    text: "#" + row.jobId + (row.label !== row.command ? "  ·  " + row.command : "")
                    elide: Text.ElideRight
                    font.pixelSize: Theme.smallSize
                    font.family: row.label !== row.command ? Theme.monoFamily : Theme.fontMetrics.font.family
                    color: row.highlighted ? Theme.palette.highlightedText : Theme.mutedText
                }
            }
            ColumnLayout {
                spacing: 1
                Layout.alignment: Qt.AlignVCenter | Qt.AlignRight
                Label {
                    Layout.alignment: Qt.AlignRight
                    text: row.elapsed
                    font.family: Theme.monoFamily
                    color: row.highlighted ? Theme.palette.highlightedText : Theme.text
                }
                Label {
                    Layout.alignment: Qt.AlignRight
                    text: [row.maxAttempts > 1 && row.attempt > 0 ? qsTr("try %1/%2").arg(row.attempt).arg(row.maxAttempts) : "",
                           row.result].filter(s => s.length > 0).join("  ·  ")
                    font.pixelSize: Theme.smallSize
                    color: row.highlighted ? Theme.palette.highlightedText : Theme.mutedText
                }
            }
        }
    }

    Label {
        anchors.centerIn: parent
        width: parent.width - 40
        visible: list.count === 0
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        color: Theme.mutedText
        text: filterModel.filter === JobFilterModel.All
              ? qsTr("No jobs yet.\nPress Ctrl+N to start one.")
              : qsTr("No jobs match this filter.")
    }
}
