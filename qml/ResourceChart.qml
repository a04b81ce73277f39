import QtQuick
import QtQuick.Controls
import JobMonitor

// One figure of a job over its life as a filled line, drawn on a Canvas: no chart library.
// The points come from JobDetails.chartPoints ({t, cpu, memory}); `key` picks the figure. The
// scale is the job's highest value so far, so a peak always fits.
Rectangle {
    id: chart

    property var points: []
    property string key: "cpu"
    property real maxValue: 0
    property real span: 0
    property string title
    // Turns a value into the text of the scale and of the latest value.
    property var format: value => String(value)
    property color lineColor: Theme.accent

    readonly property real scaleTop: Math.max(maxValue, key === "cpu" ? 100 : 1) * 1.1
    readonly property string latest: points.length > 0 ? format(points[points.length - 1][key]) : ""

    implicitHeight: Theme.fontMetrics.height * 9
    color: Theme.base
    border.color: Theme.line
    radius: 3
    Accessible.role: Accessible.Chart
    Accessible.name: title + (latest.length > 0 ? ": " + latest : "")

    onPointsChanged: canvas.requestPaint()
    onScaleTopChanged: canvas.requestPaint()

    Label {
        id: heading
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.margins: Theme.spacing / 2
        text: chart.title + (chart.latest.length > 0 ? "  " + chart.latest : "")
        font: Theme.smallFont
        color: Theme.text
    }
    Label {
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.margins: Theme.spacing / 2
        text: chart.points.length > 1 ? qsTr("max %1 \u00b7 over %2").arg(chart.format(chart.maxValue)).arg(Format.clock(chart.span)) : ""
        font: Theme.smallFont
        color: Theme.mutedText
    }
    Label {
        anchors.centerIn: parent
        visible: chart.points.length < 2
        text: qsTr("Sampled while the job runs")
        color: Theme.mutedText
        font: Theme.smallFont
    }

    Canvas {
        id: canvas
        anchors.fill: parent
        anchors.topMargin: heading.height + Theme.spacing
        anchors.margins: Theme.spacing / 2
        renderStrategy: Canvas.Cooperative
        onWidthChanged: requestPaint()
        onHeightChanged: requestPaint()
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            const w = width, h = height
            ctx.strokeStyle = Theme.line
            ctx.lineWidth = 1
            for (let i = 1; i < 4; ++i) {
                const y = Math.round(h * i / 4) + 0.5
                ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(w, y); ctx.stroke()
            }
            const pts = chart.points
            if (pts.length < 2 || chart.span <= 0)
                return
            const x = t => t / chart.span * (w - 1)
            const y = v => h - 1 - Math.min(1, v / chart.scaleTop) * (h - 2)
            ctx.beginPath()
            ctx.moveTo(x(pts[0].t), h)
            for (let i = 0; i < pts.length; ++i)
                ctx.lineTo(x(pts[i].t), y(pts[i][chart.key]))
            ctx.lineTo(x(pts[pts.length - 1].t), h)
            ctx.closePath()
            ctx.fillStyle = Qt.rgba(chart.lineColor.r, chart.lineColor.g, chart.lineColor.b, 0.22)
            ctx.fill()
            ctx.beginPath()
            for (let i = 0; i < pts.length; ++i) {
                if (i === 0)
                    ctx.moveTo(x(pts[i].t), y(pts[i][chart.key]))
                else
                    ctx.lineTo(x(pts[i].t), y(pts[i][chart.key]))
            }
            ctx.strokeStyle = chart.lineColor
            ctx.lineWidth = 1.5
            ctx.stroke()
        }
    }
}
