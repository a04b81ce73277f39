import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Above the job list: what the window must say about the job history. Queued jobs of a
// session that ended unexpectedly wait here until they are started or discarded, and a
// history that is not being saved (or was damaged and moved aside) is said plainly.
Column {
    id: banner

    component Strip: Rectangle {
        default property alias content: row.data
        width: banner.width
        implicitHeight: row.implicitHeight + 2 * Theme.fontMetrics.height * 0.4
        color: Theme.matchBackground
        RowLayout {
            id: row
            anchors.fill: parent
            anchors.leftMargin: Theme.fontMetrics.averageCharacterWidth * 2
            anchors.rightMargin: Theme.fontMetrics.averageCharacterWidth
            spacing: Theme.fontMetrics.averageCharacterWidth
        }
    }

    Strip {
        objectName: "queuedFromLastSession"
        visible: History.queuedFromLastSession > 0
        Label {
            Layout.fillWidth: true
            text: qsTr("%n queued job(s) from the last session", "", History.queuedFromLastSession)
            elide: Text.ElideRight
        }
        Button {
            objectName: "startQueuedButton"
            text: qsTr("Start them")
            onClicked: History.startQueued()
        }
        Button {
            objectName: "discardQueuedButton"
            text: qsTr("Discard")
            onClicked: History.discardQueued()
        }
    }

    Strip {
        objectName: "historyProblem"
        visible: History.problem !== ""
        Label {
            Layout.fillWidth: true
            text: History.problem
            wrapMode: Text.Wrap
        }
    }
}
