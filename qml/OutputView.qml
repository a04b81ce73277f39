import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// A job's live output: stdout and stderr told apart, following the tail unless scrolled up,
// with search, copy and the full log file one click away.
ColumnLayout {
    id: view

    required property OutputModel model
    property url logUrl
    property alias following: lines.follow
    property int matchRow: -1
    property int selectionStart: -1
    property int selectionEnd: -1

    function focusSearch() {
        searchField.forceActiveFocus()
        searchField.selectAll()
    }
    function findNext(backwards) {
        const from = matchRow >= 0 ? matchRow : (backwards ? model.rowCount() : -1)
        const row = model.find(searchField.text, from, backwards)
        matchRow = row
        if (row >= 0) {
            lines.follow = false
            lines.positionViewAtIndex(row, ListView.Center)
        }
    }
    function copySelection() {
        if (selectionStart >= 0)
            App.copyToClipboard(model.text(selectionStart, selectionEnd))
        else
            App.copyToClipboard(model.text(0, model.rowCount() - 1))
    }

    spacing: 0

    ToolBar {
        Layout.fillWidth: true
        background: Rectangle { color: Theme.window }
        RowLayout {
            anchors.fill: parent
            spacing: 6
            TextField {
                id: searchField
                objectName: "searchField"
                Layout.preferredWidth: 240
                placeholderText: qsTr("Search output (Ctrl+F)")
                onTextChanged: view.matchRow = -1
                onAccepted: view.findNext(false)
                Keys.onPressed: event => {
                    if (event.key === Qt.Key_Escape) {
                        text = ""
                        lines.forceActiveFocus()
                        event.accepted = true
                    } else if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                               && (event.modifiers & Qt.ShiftModifier)) {
                        view.findNext(true)
                        event.accepted = true
                    }
                }
            }
            ToolButton {
                text: "\u2191"
                enabled: searchField.text.length > 0
                onClicked: view.findNext(true)
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Previous match (Shift+Enter)")
                Accessible.name: qsTr("Previous match")
            }
            ToolButton {
                text: "\u2193"
                enabled: searchField.text.length > 0
                onClicked: view.findNext(false)
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Next match (Enter)")
                Accessible.name: qsTr("Next match")
            }
            Label {
                visible: searchField.text.length > 0 && view.matchRow < 0 && searchField.activeFocus === false
                text: qsTr("No match")
                color: Theme.mutedText
            }
            Item { Layout.fillWidth: true }
            Label {
                visible: view.model.droppedLines > 0
                text: qsTr("%1 earlier lines only in the full log").arg(view.model.droppedLines)
                color: Theme.mutedText
                font.pixelSize: Theme.smallSize
            }
            ToolButton {
                objectName: "followButton"
                text: qsTr("Follow")
                checkable: true
                checked: lines.follow
                onToggled: {
                    lines.follow = checked
                    if (checked)
                        lines.positionViewAtEnd()
                }
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Keep the newest line in view")
            }
            ToolButton {
                text: view.selectionStart >= 0 ? qsTr("Copy lines") : qsTr("Copy all")
                enabled: lines.count > 0
                onClicked: view.copySelection()
            }
            ToolButton {
                objectName: "openLogButton"
                text: qsTr("Open full log")
                enabled: view.logUrl.toString().length > 0
                onClicked: Qt.openUrlExternally(view.logUrl)
            }
        }
    }

    Rectangle {
        Layout.fillWidth: true
        Layout.fillHeight: true
        color: Theme.base
        border.color: Theme.line

        ListView {
            id: lines
            objectName: "outputLines"

            property bool follow: true

            function scrollToEnd() {
                if (follow)
                    positionViewAtEnd()
            }

            anchors.fill: parent
            anchors.margins: 1
            clip: true
            // A flooding job replaces every visible line many times a second: recycle them.
            reuseItems: true
            model: view.model
            activeFocusOnTab: true
            boundsBehavior: Flickable.StopAtBounds
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Output")

            onCountChanged: Qt.callLater(scrollToEnd)
            onMovementEnded: follow = atYEnd
            Keys.onPressed: event => {
                if (event.matches(StandardKey.Copy)) {
                    view.copySelection()
                    event.accepted = true
                } else if (event.key === Qt.Key_End) {
                    follow = true
                    positionViewAtEnd()
                    event.accepted = true
                } else if (event.key === Qt.Key_Home) {
                    follow = false
                    positionViewAtBeginning()
                    event.accepted = true
                }
            }

            // One handler for all lines: click selects a line, Shift+click extends the selection.
            TapHandler {
                onTapped: {
                    const at = lines.contentItem.mapFromItem(null, point.scenePosition)
                    const row = lines.indexAt(at.x, at.y)
                    if (row < 0)
                        return
                    if ((point.modifiers & Qt.ShiftModifier) && view.selectionStart >= 0) {
                        view.selectionEnd = row
                    } else if (view.selectionStart === row && view.selectionEnd === row) {
                        view.selectionStart = -1
                        view.selectionEnd = -1
                    } else {
                        view.selectionStart = row
                        view.selectionEnd = row
                    }
                    lines.forceActiveFocus()
                }
            }

            ScrollBar.vertical: ScrollBar {
                id: scrollBar
                onPressedChanged: if (!pressed) lines.follow = lines.atYEnd
            }

            delegate: Rectangle {
                id: line
                required property int index
                required property string text
                required property bool stderr
                required property int number
                readonly property bool selected: view.selectionStart >= 0
                    && index >= Math.min(view.selectionStart, view.selectionEnd)
                    && index <= Math.max(view.selectionStart, view.selectionEnd)

                width: ListView.view.width - (scrollBar.visible ? scrollBar.width : 0)
                height: lineText.implicitHeight + 2
                color: selected ? Theme.palette.highlight
                     : index === view.matchRow ? Theme.matchBackground
                     : stderr ? Qt.rgba(Theme.stderrMark.r, Theme.stderrMark.g, Theme.stderrMark.b, 0.07)
                     : "transparent"

                Rectangle {
                    width: 3
                    height: parent.height
                    color: line.stderr ? Theme.stderrMark : "transparent"
                }
                Text {
                    id: number
                    x: 8
                    width: 48
                    y: 1
                    horizontalAlignment: Text.AlignRight
                    text: line.number
                    font.family: Theme.monoFamily
                    font.pixelSize: Theme.smallSize
                    color: Theme.mutedText
                }
                Text {
                    id: lineText
                    x: 64
                    y: 1
                    width: parent.width - x - 6
                    text: line.text
                    textFormat: Text.PlainText
                    // Long lines end in an ellipsis (copy and the full log have all of it):
                    // wrapping every line costs too much while a job floods output.
                    elide: Text.ElideRight
                    font.family: Theme.monoFamily
                    color: line.selected ? Theme.palette.highlightedText
                         : line.stderr ? Theme.stderrText : Theme.palette.text
                }
            }

            Label {
                anchors.centerIn: parent
                visible: lines.count === 0
                text: qsTr("No output yet")
                color: Theme.mutedText
            }
        }
    }
}
