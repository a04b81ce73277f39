import QtQuick
import QtQuick.Controls
import JobMonitor

// A job state as a small pill: filled in the state's colour, outlined while the job is queued.
Rectangle {
    id: badge

    required property int jobState
    property string text: ""
    readonly property bool outlined: jobState === JobState.Pending
    readonly property color stateColor: Theme.stateColor(jobState)

    implicitWidth: Math.max(label.implicitWidth + 16, 64)
    implicitHeight: label.implicitHeight + 6
    radius: height / 2
    color: outlined ? "transparent" : stateColor
    border.color: stateColor
    border.width: 1

    Accessible.role: Accessible.StaticText
    Accessible.name: label.text

    Label {
        id: label
        anchors.centerIn: parent
        text: badge.text
        color: badge.outlined ? badge.stateColor : "white"
        font.pixelSize: Theme.smallSize
        font.bold: true
    }
}
