pragma Singleton
import QtQuick
import JobMonitor

// Colours and fonts shared by every view. Colours derive from the system palette, so light and
// dark desktops both look right; each job state has one colour used everywhere.
QtObject {
    id: theme

    readonly property SystemPalette palette: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property SystemPalette disabledPalette: SystemPalette { colorGroup: SystemPalette.Disabled }
    readonly property bool dark: palette.window.hslLightness < 0.5

    readonly property color text: palette.windowText
    readonly property color mutedText: Qt.tint(palette.windowText, Qt.rgba(palette.window.r, palette.window.g, palette.window.b, 0.45))
    readonly property color base: palette.base
    readonly property color window: palette.window
    readonly property color line: Qt.tint(palette.window, Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, 0.16))
    readonly property color subtle: Qt.tint(palette.base, Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, 0.05))
    readonly property color accent: palette.highlight
    readonly property color stderrText: dark ? "#ff8f8f" : "#b3261e"
    readonly property color stderrMark: dark ? "#e06c75" : "#da4453"
    readonly property color matchBackground: dark ? "#5c4b00" : "#fff3b0"
    readonly property color danger: "#da4453"

    readonly property string monoFamily: "monospace"
    readonly property int smallSize: Math.max(9, Math.round(fontMetrics.font.pixelSize * 0.85))
    readonly property int largeSize: Math.round(fontMetrics.font.pixelSize * 1.35)
    readonly property FontMetrics fontMetrics: FontMetrics {}

    function stateColor(state) {
        switch (state) {
        case JobState.Pending: return dark ? "#9aa5b1" : "#6c7a89"
        case JobState.Running: return "#2d8fd5"
        case JobState.Stopping: return "#e67e22"
        case JobState.Retrying: return "#8e44ad"
        case JobState.Completed: return "#27ae60"
        case JobState.Failed: return "#da4453"
        case JobState.TimedOut: return "#c0392b"
        case JobState.Cancelled: return dark ? "#8c9399" : "#7f8c8d"
        case JobState.Interrupted: return dark ? "#d4a373" : "#a0522d"
        }
        return mutedText
    }
}
