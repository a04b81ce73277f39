import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// The transitions a job has taken, oldest first: when, from which state to which, and why.
ListView {
    id: timeline

    clip: true
    activeFocusOnTab: true
    boundsBehavior: Flickable.StopAtBounds
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Transitions")
    onCountChanged: Qt.callLater(positionViewAtEnd)

    ScrollBar.vertical: ScrollBar {}

    delegate: Item {
        id: entry
        required property int index
        required property int from
        required property int to
        required property string fromName
        required property string toName
        required property string eventName
        required property string timeText
        required property string reason
        required property int attempt

        width: ListView.view.width
        height: content.implicitHeight + Theme.spacing

        // The timeline's spine and this entry's dot, in the colour of the state reached.
        Rectangle {
            x: 14
            width: 2
            y: entry.index === 0 ? parent.height / 2 : 0
            height: entry.index === timeline.count - 1 ? parent.height / 2 : parent.height - y
            color: Theme.line
        }
        Rectangle {
            x: 9
            width: 12
            height: 12
            radius: 6
            anchors.verticalCenter: parent.verticalCenter
            color: Theme.stateColor(entry.to)
            border.color: Theme.base
            border.width: 2
        }

        RowLayout {
            id: content
            x: 30
            width: parent.width - x - 8
            anchors.verticalCenter: parent.verticalCenter
            spacing: 10
            Label {
                text: entry.timeText
                font: Theme.monoFont
                color: Theme.mutedText
            }
            StateBadge { jobState: entry.from; text: entry.fromName }
            Label { text: "\u2192"; color: Theme.mutedText }
            StateBadge { jobState: entry.to; text: entry.toName }
            Label {
                text: entry.eventName
                color: Theme.mutedText
                font.italic: true
            }
            Label {
                Layout.fillWidth: true
                text: entry.reason
                elide: Text.ElideRight
                ToolTip.visible: truncated && hoverHandler.hovered
                ToolTip.text: entry.reason
                HoverHandler { id: hoverHandler }
            }
            // Counted over the job's whole life: after a Retry the next attempt is not "1" again.
            Label {
                objectName: "timelineAttempt"
                visible: entry.attempt > 0
                text: qsTr("attempt %1").arg(Format.count(entry.attempt))
                color: Theme.mutedText
                font.pixelSize: Theme.smallSize
            }
        }
    }

    Label {
        anchors.centerIn: parent
        visible: timeline.count === 0
        text: qsTr("No transitions yet")
        color: Theme.mutedText
    }
}
