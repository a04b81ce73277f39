import QtQuick
import QtQuick.Controls
import JobMonitor

// The job state machine as a diagram: every state of the transition table, the job's current
// state highlighted, the arrows it has taken drawn strong (its latest one in the colour of
// where it led), the rest faint.
Item {
    id: diagram

    required property StateNodeModel nodeModel
    required property StateEdgeModel edgeModel

    // Nodes hold the longest state name; the rest of the space goes between them.
    readonly property real nodeWidth: Math.max(Theme.badgeWidth + Theme.spacing * 2, Math.min(Theme.badgeWidth * 1.6, width / 7))
    readonly property real nodeHeight: Math.round(Theme.fontMetrics.height * 2.1)
    readonly property real margin: Theme.spacing * 2
    readonly property real cellWidth: (width - nodeWidth - 2 * margin) / Math.max(1, nodeModel.columns - 1)
    readonly property real cellHeight: (height - nodeHeight - 2 * margin) / Math.max(1, nodeModel.rows - 1)

    function px(x) { return margin + nodeWidth / 2 + x * cellWidth }
    function py(y) { return margin + nodeHeight / 2 + y * cellHeight }

    implicitWidth: Theme.em * 80
    implicitHeight: Theme.fontMetrics.height * 18
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Job state machine")

    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()

    // The arrows' data, read by the canvas when it paints.
    Repeater {
        id: edgeData
        model: diagram.edgeModel
        delegate: Item {
            required property int from
            required property int to
            required property real fromX
            required property real fromY
            required property real toX
            required property real toY
            required property real bend
            required property string events
            required property bool taken
            required property int takenCount
            required property bool latest
            objectName: "edge_" + from + "_" + to
            visible: false
            onTakenCountChanged: canvas.requestPaint()
            onLatestChanged: canvas.requestPaint()
        }
        onItemAdded: canvas.requestPaint()
    }

    Canvas {
        id: canvas
        anchors.fill: parent
        antialiasing: true

        // Where the line from a node's centre towards (tx, ty) leaves the node's box.
        function boxExit(cx, cy, tx, ty) {
            const dx = tx - cx, dy = ty - cy
            const hw = diagram.nodeWidth / 2 + 3, hh = diagram.nodeHeight / 2 + 3
            const s = Math.min(dx !== 0 ? hw / Math.abs(dx) : Infinity, dy !== 0 ? hh / Math.abs(dy) : Infinity)
            return { x: cx + dx * s, y: cy + dy * s }
        }

        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            ctx.font = Theme.smallSize + "px sans-serif"
            const strokes = []
            for (let i = 0; i < edgeData.count; ++i)
                strokes.push(edgeData.itemAt(i))
            // Faint arrows first, taken ones over them, the latest on top.
            strokes.sort((a, b) => (a.taken - b.taken) || (a.latest - b.latest))
            for (const e of strokes) {
                if (!e)
                    continue
                const x0 = diagram.px(e.fromX), y0 = diagram.py(e.fromY)
                const x2 = diagram.px(e.toX), y2 = diagram.py(e.toY)
                const len = Math.hypot(x2 - x0, y2 - y0)
                const cx = (x0 + x2) / 2 + (-(y2 - y0) / len) * e.bend * len
                const cy = (y0 + y2) / 2 + ((x2 - x0) / len) * e.bend * len
                const a = boxExit(x0, y0, cx, cy)
                const b = boxExit(x2, y2, cx, cy)
                const color = e.latest ? Theme.stateColor(e.to) : e.taken ? Theme.text : Theme.line
                ctx.strokeStyle = color
                ctx.fillStyle = color
                ctx.lineWidth = e.latest ? 3 : e.taken ? 2 : 1.2
                ctx.beginPath()
                ctx.moveTo(a.x, a.y)
                ctx.quadraticCurveTo(cx, cy, b.x, b.y)
                ctx.stroke()
                // Arrowhead along the curve's last tangent.
                const ang = Math.atan2(b.y - cy, b.x - cx)
                const head = e.taken ? 10 : 8
                ctx.beginPath()
                ctx.moveTo(b.x, b.y)
                ctx.lineTo(b.x - head * Math.cos(ang - 0.4), b.y - head * Math.sin(ang - 0.4))
                ctx.lineTo(b.x - head * Math.cos(ang + 0.4), b.y - head * Math.sin(ang + 0.4))
                ctx.closePath()
                ctx.fill()
                if (e.taken) {
                    // The label sits beside the curve's middle, on the side it bulges to, so
                    // the labels of two arrows between the same states do not overlap.
                    const sign = e.bend < 0 ? -1 : 1
                    const nx = -(y2 - y0) / len * sign, ny = (x2 - x0) / len * sign
                    const mx = 0.25 * a.x + 0.5 * cx + 0.25 * b.x + nx * 6
                    const my = 0.25 * a.y + 0.5 * cy + 0.25 * b.y + ny * 6
                    const label = e.takenCount > 1 ? e.events + "  \u00d7" + e.takenCount : e.events
                    const w = ctx.measureText(label).width + 8
                    const side = Math.abs(nx) > 0.7 ? (nx > 0 ? 1 : -1) : 0
                    const left = side > 0 ? mx : side < 0 ? mx - w : mx - w / 2
                    ctx.fillStyle = Theme.base
                    ctx.fillRect(left, my - 9, w, 18)
                    ctx.fillStyle = color
                    ctx.textAlign = "left"
                    ctx.textBaseline = "middle"
                    ctx.fillText(label, left + 4, my)
                }
            }
        }
    }

    Repeater {
        model: diagram.nodeModel
        delegate: Rectangle {
            id: node
            required property int jobState
            required property string name
            required property real gridX
            required property real gridY
            required property bool isFinal
            required property bool current
            required property bool visited
            readonly property color stateColor: Theme.stateColor(jobState)

            objectName: "stateNode_" + name
            x: diagram.px(gridX) - width / 2
            y: diagram.py(gridY) - height / 2
            width: diagram.nodeWidth
            height: diagram.nodeHeight
            radius: 8
            color: current ? stateColor : visited ? Qt.tint(Theme.base, Qt.rgba(stateColor.r, stateColor.g, stateColor.b, 0.15)) : Theme.base
            border.color: current || visited ? stateColor : Theme.line
            border.width: current ? 2 : visited ? 2 : 1

            Accessible.role: Accessible.StaticText
            Accessible.name: name + (current ? qsTr(", current state") : visited ? qsTr(", visited") : "")

            // Final states get a second border, as in UML.
            Rectangle {
                visible: node.isFinal
                anchors.fill: parent
                anchors.margins: 3
                radius: 6
                color: "transparent"
                border.color: node.current ? Theme.onStateColor : node.border.color
                border.width: 1
                opacity: 0.8
            }
            // A soft ring makes the current state findable at a glance.
            Rectangle {
                visible: node.current
                anchors.fill: parent
                anchors.margins: -5
                radius: 12
                color: "transparent"
                border.color: node.stateColor
                border.width: 2
                opacity: 0.35
            }
            Label {
                anchors.centerIn: parent
                text: node.name
                font.bold: node.current || node.visited
                color: node.current ? Theme.onStateColor : node.visited ? Theme.text : Theme.mutedText
            }
        }
    }
}
