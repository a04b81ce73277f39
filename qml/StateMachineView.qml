import QtQuick
import QtQuick.Controls
import JobMonitor

// The job state machine as a diagram: every state of the transition table, the job's current
// state highlighted, the arrows it has taken drawn strong (its latest one in the colour of
// where it led), the rest faint. Where the states, their frames and the arrows go comes from
// the models (statediagram.h), which prove that no two arrows cross.
Item {
    id: diagram

    required property StateNodeModel nodeModel
    required property StateEdgeModel edgeModel

    // Nodes hold the longest state name; the rest of the space goes between them.
    readonly property real nodeWidth: Theme.badgeWidth + Theme.spacing
    readonly property real nodeHeight: Math.round(Theme.fontMetrics.height * 1.6)
    readonly property real margin: Theme.spacing * 2
    readonly property real framePadding: Theme.spacing
    readonly property size viewSize: Qt.size(width, height)
    readonly property size nodeSize: Qt.size(nodeWidth, nodeHeight)

    implicitWidth: Theme.em * 80
    implicitHeight: Theme.fontMetrics.height * 18
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Job state machine")

    onViewSizeChanged: canvas.requestPaint()
    onNodeSizeChanged: canvas.requestPaint()

    // Frames hold states that share transitions; one arrow from a frame stands for them all.
    Repeater {
        model: diagram.nodeModel.frameCount
        delegate: Rectangle {
            required property int index
            readonly property rect box: diagram.nodeModel.frameBox(index, diagram.viewSize, diagram.nodeSize, diagram.margin, diagram.framePadding)
            objectName: "stateFrame_" + index
            x: box.x
            y: box.y
            width: box.width
            height: box.height
            radius: 10
            color: Qt.rgba(Theme.text.r, Theme.text.g, Theme.text.b, 0.03)
            border.color: Theme.line
            border.width: 1
        }
    }

    // The arrows' data, read by the canvas when it paints.
    Repeater {
        id: edgeData
        model: diagram.edgeModel
        delegate: Item {
            required property int index
            required property int from
            required property int frame
            required property int to
            required property string events
            required property bool taken
            required property int takenCount
            required property bool latest
            objectName: "arrow_" + index
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
                const p = diagram.edgeModel.path(e.index, diagram.viewSize, diagram.nodeSize, diagram.margin, diagram.framePadding)
                const a = p[0], c = p[1], b = p[2]
                const cx = c.x, cy = c.y
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
                    const len = Math.max(1, Math.hypot(b.x - a.x, b.y - a.y))
                    const bulge = (b.x - a.x) * (cy - a.y) - (b.y - a.y) * (cx - a.x)
                    const sign = bulge < 0 ? -1 : 1
                    const nx = -(b.y - a.y) / len * sign, ny = (b.x - a.x) / len * sign
                    const mx = 0.25 * a.x + 0.5 * cx + 0.25 * b.x + nx * 6
                    const my = 0.25 * a.y + 0.5 * cy + 0.25 * b.y + ny * 6
                    // Beside an arrow too short to hold its events only the count is told
                    // (the timeline names them).
                    const full = e.takenCount > 1 ? e.events + "  \u00d7" + e.takenCount : e.events
                    const label = ctx.measureText(full).width <= len ? full : e.takenCount > 1 ? "\u00d7" + e.takenCount : ""
                    if (label.length === 0)
                        continue
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
            required property bool isFinal
            required property bool current
            required property bool visited
            required property int index
            readonly property rect box: diagram.nodeModel.nodeBox(index, diagram.viewSize, diagram.nodeSize, diagram.margin)
            readonly property color stateColor: Theme.stateColor(jobState)

            objectName: "stateNode_" + name
            x: box.x
            y: box.y
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
