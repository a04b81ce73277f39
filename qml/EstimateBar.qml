import QtQuick
import QtQuick.Controls
import JobMonitor

// A thin bar along a running job's row: how far it is into the duration its history expects
// (the mean of the command's last successful runs in its folder). It is an estimate and says
// so in its tooltip and accessible name.
Item {
    id: bar

    // 0 to 1; below 0 (no estimate) hides the bar.
    property real progress: -1

    visible: progress >= 0
    height: Math.max(2, Math.round(Theme.fontMetrics.height * 0.15))

    Rectangle {
        anchors.fill: parent
        color: Theme.line
    }
    Rectangle {
        objectName: "estimateFill"
        width: parent.width * Math.max(0, Math.min(1, bar.progress))
        height: parent.height
        color: Theme.accent
        opacity: 0.7
    }
    HoverHandler { id: hover }
    ToolTip.visible: hover.hovered
    ToolTip.text: qsTr("Estimated: %1 % of the usual duration (from earlier successful runs)").arg(Math.round(bar.progress * 100))
    Accessible.role: Accessible.ProgressBar
    Accessible.name: qsTr("Estimated progress %1 %").arg(Math.round(bar.progress * 100))
}
