import QtQuick
import QtQuick.Controls
import JobMonitor

// A job state as a small pill: filled in the state's colour, outlined while the job is queued.
// Every badge is as wide as the longest state name, so columns of them line up and none is
// ever cut short.
Rectangle {
    id: badge

    required property int jobState
    property string text: Format.stateLabel(jobState)
    readonly property bool outlined: jobState === JobState.Pending
    readonly property color stateColor: Theme.stateColor(jobState)
    readonly property color textColor: outlined ? Theme.text : Theme.onStateColor

    implicitWidth: Math.max(label.implicitWidth + 2 * Theme.badgePadding, Theme.badgeWidth)
    implicitHeight: label.implicitHeight + Math.round(label.implicitHeight * 0.35)
    radius: height / 2
    color: outlined ? "transparent" : stateColor
    border.color: stateColor
    border.width: outlined ? 2 : 1

    Accessible.role: Accessible.StaticText
    Accessible.name: label.text

    Label {
        id: label
        anchors.centerIn: parent
        text: badge.text
        color: badge.textColor
        font.pixelSize: Theme.smallSize
        font.bold: true
    }
}
