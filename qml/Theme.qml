pragma Singleton
import QtQuick
import JobMonitor

// Colours, fonts and sizes shared by every view. Colours derive from the system palette, so
// light and dark desktops both look right; each job state has one colour used everywhere;
// sizes come from the font, so the window scales with the user's font settings.
QtObject {
    id: theme

    readonly property SystemPalette palette: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property SystemPalette disabledPalette: SystemPalette { colorGroup: SystemPalette.Disabled }
    readonly property bool dark: palette.window.hslLightness < 0.5

    readonly property color text: palette.windowText
    readonly property color mutedText: Qt.tint(palette.windowText, Qt.rgba(palette.window.r, palette.window.g, palette.window.b, 0.4))
    readonly property color base: palette.base
    readonly property color window: palette.window
    readonly property color line: Qt.tint(palette.window, Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, 0.16))
    readonly property color subtle: Qt.tint(palette.base, Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, 0.05))
    readonly property color accent: palette.highlight
    // A selected row is tinted with the highlight rather than filled with it, so the state
    // badges on it (one of them blue like most highlights) keep their contrast.
    readonly property color selectedRow: Qt.tint(palette.base, Qt.rgba(palette.highlight.r, palette.highlight.g, palette.highlight.b, 0.22))
    readonly property color stderrText: dark ? "#ff8f8f" : "#b3261e"
    readonly property color stderrMark: dark ? "#e06c75" : "#da4453"
    // Behind search matches: pale enough that text of every colour stays readable on them.
    readonly property color matchBackground: dark ? "#5a4a14" : "#ffe08a"
    readonly property color otherMatchBackground: dark ? "#35301c" : "#fff4cc"
    // Text on danger is white in both palettes: 6.3:1.
    readonly property color danger: "#b3261e"
    readonly property color dangerText: dark ? "#ff8f8f" : "#b3261e"

    readonly property FontMetrics fontMetrics: FontMetrics {}
    // The fixed-width font the desktop chose, and a smaller one for line numbers.
    readonly property font monoFont: SystemFonts.fixed
    readonly property font smallMonoFont: scaledFont(SystemFonts.fixed, 0.85)
    readonly property FontMetrics monoMetrics: FontMetrics { font: theme.monoFont }
    readonly property int smallSize: Math.max(9, Math.round(fontMetrics.font.pixelSize * 0.85))
    readonly property font smallFont: Qt.font({ family: fontMetrics.font.family, pixelSize: smallSize })
    readonly property int largeSize: Math.round(fontMetrics.font.pixelSize * 1.35)
    // One "character" of the interface font, the unit of widths that hold text.
    readonly property real em: fontMetrics.averageCharacterWidth
    readonly property real spacing: Math.round(fontMetrics.height * 0.4)

    // Wide enough for the longest state name in a badge, so no badge is ever elided.
    readonly property real badgeWidth: badgeMetrics.advanceWidth + 2 * badgePadding
    readonly property real badgePadding: Math.round(fontMetrics.height * 0.5)
    readonly property TextMetrics badgeMetrics: TextMetrics {
        font.pixelSize: theme.smallSize
        font.bold: true
        text: [JobState.Pending, JobState.Running, JobState.Stopping, JobState.Retrying,
               JobState.Completed, JobState.Failed, JobState.TimedOut, JobState.Cancelled,
               JobState.Interrupted]
              .map(s => Format.stateLabel(s))
              .reduce((a, b) => a.length >= b.length ? a : b)
    }

    function scaledFont(f, factor) {
        return f.pixelSize > 0 ? Qt.font({ family: f.family, pixelSize: Math.round(f.pixelSize * factor) })
                               : Qt.font({ family: f.family, pointSize: f.pointSize * factor })
    }

    // The colour of a state: a badge's fill, a diagram node, a dot on the timeline. Dark
    // palettes get light tones under dark text, light ones dark tones under white text; both
    // at WCAG AA contrast (4.5:1), checked by tst_statebadge.qml.
    function stateColorFor(state, darkPalette) {
        switch (state) {
        case JobState.Pending: return darkPalette ? "#98b4cf" : "#4e6a85"
        case JobState.Running: return darkPalette ? "#6cb2f2" : "#1b6bb0"
        case JobState.Stopping: return darkPalette ? "#f2a04e" : "#b04f00"
        case JobState.Retrying: return darkPalette ? "#c39cf0" : "#7442a8"
        case JobState.Completed: return darkPalette ? "#66cf83" : "#1b7535"
        case JobState.Failed: return darkPalette ? "#ff8580" : "#c0262d"
        case JobState.TimedOut: return darkPalette ? "#f28cc4" : "#9c1f66"
        case JobState.Cancelled: return darkPalette ? "#b3aba2" : "#6b645c"
        case JobState.Interrupted: return darkPalette ? "#4fd1c5" : "#00707a"
        }
        return darkPalette ? "#a0a0a0" : "#606060"
    }
    // Text drawn on a state's colour.
    function onStateColorFor(darkPalette) {
        return darkPalette ? "#141414" : "#ffffff"
    }
    function stateColor(state) { return stateColorFor(state, dark) }
    readonly property color onStateColor: onStateColorFor(dark)

    // WCAG 2 contrast ratio of two colours (1 to 21).
    function contrast(a, b) {
        function channel(c) { return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4) }
        function luminance(c) { return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b) }
        const la = luminance(Qt.color(a)), lb = luminance(Qt.color(b))
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }
}
