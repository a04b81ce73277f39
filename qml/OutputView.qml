import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// A job's live output: stdout and stderr told apart, colours drawn, following the tail unless
// scrolled up, with search (of the tail as you type, of the whole saved output on request),
// line selection and copy.
//
// Rows shift whenever lines drop off the top of the kept tail, so everything this view
// remembers about a line (selection, the keyboard's line, where the view was scrolled to) is
// the line's number, mapped to a row when needed. When the job saved its output the model is
// paged: its rows reach back to line 1, the lines before the tail read a page at a time, and
// rows stop shifting. Each job keeps its own Follow and scroll position while another job is
// shown; a job not looked at yet follows its tail.
ColumnLayout {
    id: view

    required property OutputModel model
    // Search over every attempt's whole saved output (Ctrl+Enter in the search field).
    property OutputSearchModel wholeSearch: null
    // A stored job's saved output is being read.
    property bool loading: false
    property int jobId: -1

    property bool following: true
    property bool wrap: false
    // Each line's arrival time in the gutter (saved output knows it to a tenth of a second).
    property bool timestamps: false
    property bool colours: true
    // Line numbers (0: none): the selection runs from anchor to end, the keyboard is at cursor.
    property real selectionAnchor: 0
    property real selectionEnd: 0
    property real cursorLine: 0
    // The rows the selection covers now; [-1, -1] when there is none. Read after every batch,
    // as the rows shift under the line numbers.
    readonly property var selectionRows: {
        view.model.totalLines
        view.model.droppedLines
        if (selectionAnchor <= 0)
            return [-1, -1]
        let a = model.rowOfLine(selectionAnchor)
        let b = model.rowOfLine(selectionEnd)
        if (a < 0 && b < 0)
            return [-1, -1]
        // An end that dropped off the top was above every kept row.
        if (a < 0) a = 0
        if (b < 0) b = 0
        return [Math.min(a, b), Math.max(a, b)]
    }
    readonly property bool hasSelection: selectionRows[0] >= 0
    property string notice: ""
    // A line to show once its page of saved output has been read (0: none).
    property real pendingLine: 0

    // Per job: { following, topLine, selectionAnchor, selectionEnd, cursorLine }.
    property var savedStates: ({})

    function focusSearch() {
        searchField.forceActiveFocus()
        searchField.selectAll()
    }
    function focusLines() {
        lines.forceActiveFocus()
    }

    function showLine(number, mode) {
        const row = model.rowOfLine(number)
        if (row < 0)
            return
        following = false
        lines.positionViewAtIndex(row, mode)
    }
    function showCurrentMatch() {
        if (model.currentMatchLine > 0)
            showLine(model.currentMatchLine, ListView.Center)
    }
    function findNext(backwards) {
        if (searchField.text !== model.searchText)
            model.search(searchField.text, topLine())
        else if (backwards)
            model.previousMatch()
        else
            model.nextMatch()
        showCurrentMatch()
    }
    function searchWholeOutput() {
        if (wholeSearch && searchField.text.length > 0) {
            wholeSearch.start(searchField.text)
            matchList.currentIndex = -1
        }
    }
    // A match of the whole output: shown and selected, read from the saved output first when
    // the tail no longer keeps it.
    function jumpToLine(number) {
        if (model.isLineLoaded(number)) {
            pendingLine = 0
            notice = ""
            selectLine(number, false)
            showLine(number, ListView.Center)
        } else if (model.paged) {
            // Near it already (the index knows about where it is), exactly once it is read.
            pendingLine = number
            notice = qsTr("Reading line %1\u2026").arg(Format.count(number))
            const row = model.rowOfLine(number)
            if (row >= 0) {
                following = false
                lines.positionViewAtIndex(row, ListView.Center)
            }
            model.revealLine(number)
        } else {
            notice = qsTr("Line %1 is older than the kept tail").arg(Format.count(number))
        }
    }
    function jumpToFirstError() {
        const number = model.firstErrorLine()
        if (number <= 0) {
            notice = qsTr("No error line in the kept output")
            return
        }
        notice = ""
        selectLine(number, false)
        showLine(number, ListView.Center)
    }

    function selectLine(number, extend) {
        if (extend && selectionAnchor > 0) {
            selectionEnd = number
        } else {
            selectionAnchor = number
            selectionEnd = number
        }
        cursorLine = number
    }
    function clearSelection() {
        selectionAnchor = 0
        selectionEnd = 0
    }
    function copySelection() {
        if (hasSelection)
            App.copyToClipboard(model.linesText(selectionAnchor, selectionEnd))
        else if (lines.count > 0)
            App.copyToClipboard(model.linesText(1, model.totalLines))
    }
    // Number of the line at the top of the view (0 when empty).
    function topLine() {
        const item = lines.itemAt(lines.contentX + 1, lines.contentY + 1)
        return item ? item.number : 0
    }

    function saveState() {
        if (jobId < 0)
            return
        savedStates[jobId] = {
            following: following, topLine: topLine(), selectionAnchor: selectionAnchor,
            selectionEnd: selectionEnd, cursorLine: cursorLine
        }
    }
    function restoreState() {
        const state = savedStates[jobId]
        notice = ""
        following = state ? state.following : true
        selectionAnchor = state ? state.selectionAnchor : 0
        selectionEnd = state ? state.selectionEnd : 0
        cursorLine = state ? state.cursorLine : 0
        if (following)
            lines.positionViewAtEnd()
        else
            lines.positionViewAtIndex(Math.max(0, model.rowOfLine(state.topLine)), ListView.Beginning)
        if (searchField.text.length > 0)
            model.search(searchField.text, topLine())
    }

    onFollowingChanged: if (following) lines.positionViewAtEnd()

    spacing: 0

    // The colours of escape sequences are chosen for the background they are drawn on.
    Binding {
        target: view.model
        property: "darkBackground"
        value: Theme.dark
    }

    Connections {
        target: view.model
        // Rows dropped at the top and added at the end in one batch leave the count as it was,
        // so the view follows the tail on every row change, not on a changed count.
        function onRowsInserted() { lines.keepAtEnd() }
        function onRowsRemoved() { lines.keepAtEnd() }
        // Emitted before another job's output replaces this one's.
        function onModelAboutToBeReset() {
            view.saveState()
            lines.widest = 0
            lines.scrollWidth = 0
        }
        function onModelReset() {
            view.pendingLine = 0
            Qt.callLater(view.restoreState)
        }
        function onLineRevealed(number) {
            if (number === view.pendingLine)
                view.jumpToLine(number)
        }
    }

    ToolBar {
        Layout.fillWidth: true
        background: Rectangle { color: Theme.window }
        // Searching on the left, the view's own tools on the right; in a narrow pane the tools
        // go onto a second row rather than over the search field or off the edge.
        Flow {
            id: outputTools
            anchors.fill: parent
            spacing: Theme.spacing / 2
            readonly property bool oneRow: width >= searchTools.implicitWidth + viewTools.implicitWidth + spacing
            RowLayout {
                id: searchTools
                objectName: "outputSearchTools"
                width: outputTools.oneRow ? outputTools.width - viewTools.width - outputTools.spacing
                                          : outputTools.width
                spacing: Theme.spacing / 2
                TextField {
                    id: searchField
                    objectName: "searchField"
                    // Gives way to the buttons in a narrow pane, which would otherwise be cut off.
                    Layout.fillWidth: true
                    Layout.maximumWidth: Theme.em * 28
                    Layout.minimumWidth: Theme.em * 10
                    placeholderText: qsTr("Search output (Ctrl+F)")
                    selectByMouse: true
                    Accessible.name: qsTr("Search output")
                    // Live: every key searches again from the match shown (which stays if it still
                    // matches), or else from the top of the view.
                    onTextEdited: {
                        view.notice = ""
                        view.model.search(text, view.model.currentMatchLine > 0 ? view.model.currentMatchLine : view.topLine())
                        view.showCurrentMatch()
                    }
                    Keys.onPressed: event => {
                        if (event.key === Qt.Key_Escape) {
                            text = ""
                            view.model.search("", 0)
                            lines.forceActiveFocus()
                            event.accepted = true
                        } else if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                   && (event.modifiers & Qt.ControlModifier)) {
                            view.searchWholeOutput()
                            event.accepted = true
                        } else if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) {
                            view.findNext(event.modifiers & Qt.ShiftModifier)
                            event.accepted = true
                        } else if (event.key === Qt.Key_Down && view.wholeSearch && view.wholeSearch.count > 0) {
                            matchList.currentIndex = Math.max(0, matchList.currentIndex)
                            matchList.forceActiveFocus()
                            event.accepted = true
                        }
                    }
                }
                ToolButton {
                    objectName: "previousMatchButton"
                    text: "\u2191"
                    enabled: view.model.matchCount > 0
                    onClicked: view.findNext(true)
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Previous match (Shift+Enter)")
                    Accessible.name: qsTr("Previous match")
                }
                ToolButton {
                    objectName: "nextMatchButton"
                    text: "\u2193"
                    enabled: view.model.matchCount > 0
                    onClicked: view.findNext(false)
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Next match (Enter)")
                    Accessible.name: qsTr("Next match")
                }
                Label {
                    objectName: "searchStatus"
                    Layout.minimumWidth: implicitWidth
                    visible: text.length > 0
                    color: view.model.searchText.length > 0 && view.model.matchCount === 0 ? Theme.dangerText : Theme.mutedText
                    text: view.notice.length > 0 ? view.notice
                        : view.model.searchText.length === 0 ? ""
                        : view.model.matchCount === 0 ? qsTr("No match")
                        : view.model.currentMatch > 0
                          ? qsTr("%1 of %2").arg(Format.count(view.model.currentMatch)).arg(Format.count(view.model.matchCount))
                          : qsTr("%1 match(es)", "", view.model.matchCount).arg(Format.count(view.model.matchCount))
                    ToolTip.visible: searchStatusHover.hovered && view.model.droppedLines > 0
                    ToolTip.text: qsTr("Only the last %1 line(s) are searched as you type; Whole output searches them all.", "", view.model.totalLines - view.model.droppedLines)
                                  .arg(Format.count(view.model.totalLines - view.model.droppedLines))
                    HoverHandler { id: searchStatusHover }
                }
                ToolButton {
                    objectName: "wholeOutputButton"
                    text: qsTr("Whole output")
                    enabled: view.wholeSearch !== null && searchField.text.length > 0
                    onClicked: view.searchWholeOutput()
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Search every attempt's saved output, not only the kept tail (Ctrl+Enter)")
                }
                Item { Layout.fillWidth: true }
            }
            RowLayout {
                id: viewTools
                objectName: "outputViewTools"
                width: Math.min(outputTools.width, implicitWidth)
                spacing: Theme.spacing / 2
                Label {
                    objectName: "droppedLines"
                    visible: view.model.droppedLines > 0
                    Layout.fillWidth: true
                    Layout.maximumWidth: implicitWidth
                    elide: Text.ElideRight
                    horizontalAlignment: Text.AlignRight
                    text: qsTr("%1 earlier line(s) only in the saved output", "", Math.min(view.model.droppedLines, 2147483647))
                          .arg(Format.count(view.model.droppedLines))
                    color: Theme.mutedText
                    font.pixelSize: Theme.smallSize
                }
                ToolButton {
                    objectName: "firstErrorButton"
                    text: qsTr("First error")
                    enabled: lines.count > 0
                    onClicked: view.jumpToFirstError()
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Go to the first line on stderr, or else the first saying error or fatal")
                }
                ToolButton {
                    objectName: "followButton"
                    text: qsTr("Follow")
                    checkable: true
                    checked: view.following
                    onToggled: view.following = checked
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Keep the newest line in view (End)")
                }
                ToolButton {
                    objectName: "copyButton"
                    text: view.hasSelection ? qsTr("Copy lines") : qsTr("Copy all")
                    enabled: lines.count > 0
                    onClicked: view.copySelection()
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Copy the selected lines, or all kept lines (Ctrl+C)")
                }
                ToolButton {
                    id: viewMenuButton
                    objectName: "viewMenuButton"
                    text: qsTr("View \u25be")
                    onClicked: viewMenu.popup(this, 0, height)
                    Accessible.name: qsTr("Output view options")
                    Menu {
                        id: viewMenu
                        MenuItem {
                            objectName: "wrapItem"
                            text: qsTr("Wrap long lines")
                            checkable: true
                            checked: view.wrap
                            onToggled: view.wrap = checked
                        }
                        MenuItem {
                            objectName: "timestampsItem"
                            text: qsTr("Show times")
                            checkable: true
                            checked: view.timestamps
                            onToggled: view.timestamps = checked
                        }
                        MenuItem {
                            objectName: "coloursItem"
                            text: qsTr("Show colours")
                            checkable: true
                            checked: view.colours
                            onToggled: view.colours = checked
                        }
                    }
                }
            }
        }
    }

    // The matches of the whole output, as they are found; Return or a click shows the line.
    ColumnLayout {
        objectName: "wholeOutputMatches"
        Layout.fillWidth: true
        Layout.margins: Theme.spacing / 2
        visible: view.wholeSearch !== null && view.wholeSearch.text.length > 0
        spacing: 2
        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "wholeOutputStatus"
                Layout.fillWidth: true
                elide: Text.ElideRight
                font.pixelSize: Theme.smallSize
                color: Theme.mutedText
                text: !view.wholeSearch ? ""
                      : (qsTr("Whole output: %n match(es) for \u201c%1\u201d", "", view.wholeSearch.count).arg(view.wholeSearch.text)
                         + (view.wholeSearch.running && view.wholeSearch.totalBytes > 0
                            ? qsTr(", searching\u2026 %1 %").arg(Math.floor(100 * view.wholeSearch.scannedBytes / view.wholeSearch.totalBytes))
                            : view.wholeSearch.truncated ? qsTr(" (the first %n only)", "", view.wholeSearch.count) : ""))
            }
            ToolButton {
                objectName: "closeWholeOutputButton"
                text: "\u2715"
                onClicked: {
                    view.wholeSearch.clear()
                    searchField.forceActiveFocus()
                }
                Accessible.name: qsTr("Close the whole output search")
            }
        }
        ListView {
            id: matchList
            objectName: "wholeOutputList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(count, 6) * Theme.fontMetrics.height * 1.3
            clip: true
            model: view.wholeSearch
            currentIndex: -1
            activeFocusOnTab: true
            highlightMoveDuration: 0
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Keys.onReturnPressed: if (currentItem) view.jumpToLine(currentItem.line)
            Keys.onEnterPressed: if (currentItem) view.jumpToLine(currentItem.line)
            Keys.onEscapePressed: searchField.forceActiveFocus()
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Matches in the whole output")
            delegate: Rectangle {
                id: matchRow
                required property int index
                required property real line
                required property string text
                required property bool stderr
                width: ListView.view.width
                height: Theme.fontMetrics.height * 1.3
                color: ListView.isCurrentItem ? Theme.selectedRow : "transparent"
                Text {
                    anchors.fill: parent
                    anchors.leftMargin: Theme.spacing
                    verticalAlignment: Text.AlignVCenter
                    elide: Text.ElideRight
                    textFormat: Text.PlainText
                    font: Theme.scaledFont(Theme.monoFont, 0.9)
                    color: matchRow.stderr ? Theme.stderrText : Theme.text
                    text: qsTr("line %1").arg(Format.count(matchRow.line)) + "  " + matchRow.text
                }
                TapHandler {
                    onTapped: {
                        matchList.currentIndex = matchRow.index
                        view.jumpToLine(matchRow.line)
                    }
                }
            }
        }
    }

    Rectangle {
        Layout.fillWidth: true
        Layout.fillHeight: true
        color: Theme.base
        border.color: lines.activeFocus ? Theme.accent : Theme.line

        ListView {
            id: lines
            objectName: "outputLines"

            // The widest line laid out so far, for horizontal scrolling without wrap. It reaches
            // contentWidth once the layout that found it is over: changed during the layout, it
            // would start the layout again from within (a binding loop, and a stall per frame).
            property real widest: 0
            property real scrollWidth: 0
            readonly property real gutterWidth: numberMetrics.advanceWidth + Theme.spacing * 2
            readonly property real textX: gutterWidth + Theme.spacing

            function noteWidth(lineWidth) {
                if (lineWidth > widest) {
                    widest = lineWidth
                    Qt.callLater(lines.takeWidest)
                }
            }
            function takeWidest() {
                scrollWidth = widest
            }
            // Only while it is seen: laying out the last lines of a flood costs milliseconds, and
            // behind another tab of the details it would cost them for nothing.
            function keepAtEnd() {
                if (view.following && visible)
                    Qt.callLater(lines.toEnd)
            }
            function toEnd() {
                if (view.following)
                    positionViewAtEnd()
            }
            // Moves the keyboard's line by rows, selecting as it goes (with Shift, extending).
            function moveCursor(rows, extend) {
                if (count === 0)
                    return
                const at = view.model.rowOfLine(view.cursorLine)
                const from = at >= 0 ? at : (rows > 0 ? -1 : count)
                const row = Math.max(0, Math.min(count - 1, from + rows))
                if (rows < 0 || extend)
                    view.following = false
                positionViewAtIndex(row, ListView.Contain)
                const target = itemAtIndex(row)
                if (target)
                    view.selectLine(target.number, extend)
            }

            anchors.fill: parent
            anchors.margins: 1
            clip: true
            // A flooding job replaces every visible line many times a second: recycle them.
            reuseItems: true
            model: view.model
            activeFocusOnTab: true
            boundsBehavior: Flickable.StopAtBounds
            contentWidth: view.wrap ? width : Math.max(width, textX + scrollWidth + Theme.spacing)
            flickableDirection: view.wrap ? Flickable.VerticalFlick : Flickable.HorizontalAndVerticalFlick
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Output")

            onContentHeightChanged: keepAtEnd()
            onHeightChanged: keepAtEnd()
            onVisibleChanged: keepAtEnd()
            onMovementStarted: view.following = false
            onMovementEnded: view.following = atYEnd

            Keys.onPressed: event => {
                const shift = (event.modifiers & Qt.ShiftModifier) !== 0
                const page = Math.max(1, Math.floor(height / Math.max(1, Theme.monoMetrics.height + 2)) - 1)
                if (event.matches(StandardKey.Copy)) {
                    view.copySelection()
                } else if (event.matches(StandardKey.SelectAll)) {
                    if (count > 0) {
                        view.selectionAnchor = itemAtIndex(0) ? itemAtIndex(0).number : 1
                        view.selectionEnd = view.model.totalLines
                    }
                } else if (event.matches(StandardKey.FindNext)) {
                    view.findNext(false)
                } else if (event.matches(StandardKey.FindPrevious)) {
                    view.findNext(true)
                } else if (event.key === Qt.Key_Up) {
                    moveCursor(-1, shift)
                } else if (event.key === Qt.Key_Down) {
                    moveCursor(1, shift)
                } else if (event.key === Qt.Key_PageUp) {
                    moveCursor(-page, shift)
                } else if (event.key === Qt.Key_PageDown) {
                    moveCursor(page, shift)
                } else if (event.key === Qt.Key_End) {
                    // End and Ctrl+End: the last line, and follow it.
                    view.following = true
                } else if (event.key === Qt.Key_Home) {
                    // Home and Ctrl+Home: line 1 (read from the saved output when paged).
                    view.following = false
                    positionViewAtBeginning()
                } else if (event.key === Qt.Key_Escape && view.hasSelection) {
                    view.clearSelection()
                } else {
                    return
                }
                event.accepted = true
            }

            // One handler for all lines: a click selects a line, Shift+click extends the
            // selection, a click on the only selected line clears it.
            TapHandler {
                onTapped: {
                    const at = lines.contentItem.mapFromItem(null, point.scenePosition)
                    const item = lines.itemAt(at.x, at.y)
                    lines.forceActiveFocus()
                    if (!item)
                        return
                    const extend = (point.modifiers & Qt.ShiftModifier) !== 0
                    if (!extend && view.selectionAnchor === item.number && view.selectionEnd === item.number) {
                        view.clearSelection()
                        return
                    }
                    view.selectLine(item.number, extend)
                }
            }

            ScrollBar.vertical: ScrollBar {
                id: scrollBar
                onPressedChanged: view.following = !pressed && lines.atYEnd
            }
            ScrollBar.horizontal: ScrollBar {
                policy: view.wrap ? ScrollBar.AlwaysOff : ScrollBar.AsNeeded
            }

            TextMetrics {
                id: numberMetrics
                font: Theme.smallMonoFont
                // As many digits as the highest line number, so eight-digit numbers fit too,
                // after the time when times are shown.
                text: (view.timestamps ? "00:00:00.000  " : "")
                      + "0".repeat(Math.max(3, String(view.model.totalLines).length))
            }

            delegate: Item {
                id: line
                required property int index
                required property string text
                required property string markup
                required property bool richMarkup
                required property bool stderr
                required property real number
                required property bool match
                required property string attemptHeader
                required property string time
                required property bool loaded
                required property real truncated
                readonly property bool selected: index >= view.selectionRows[0] && index <= view.selectionRows[1]
                readonly property bool current: number === view.model.currentMatchLine
                readonly property bool styled: view.colours && markup.length > 0

                width: lines.contentWidth
                height: header.height + lineText.height + 2

                Rectangle {
                    id: header
                    visible: line.attemptHeader.length > 0
                    x: lines.contentX
                    width: lines.width
                    height: visible ? headerText.implicitHeight + Theme.spacing : 0
                    color: Theme.subtle
                    Rectangle { width: parent.width; height: 1; color: Theme.line }
                    Text {
                        id: headerText
                        objectName: "attemptHeader"
                        anchors.verticalCenter: parent.verticalCenter
                        x: lines.textX
                        text: line.attemptHeader
                        font.pixelSize: Theme.smallSize
                        font.bold: true
                        color: Theme.mutedText
                    }
                }
                Rectangle {
                    y: header.height
                    width: parent.width
                    height: lineText.height + 2
                    color: line.selected ? Theme.palette.highlight
                         : line.current ? Theme.matchBackground
                         : line.match ? Theme.otherMatchBackground
                         : line.stderr ? Qt.rgba(Theme.stderrMark.r, Theme.stderrMark.g, Theme.stderrMark.b, 0.07)
                         : "transparent"
                }
                Text {
                    id: lineText
                    objectName: "lineText"
                    x: lines.textX
                    y: header.height + 1
                    width: view.wrap ? lines.width - x - Theme.spacing - (scrollBar.visible ? scrollBar.width : 0) : implicitWidth
                    // A left-to-right mark first: binary output and lines that start with an
                    // RTL character would otherwise be laid out from the right.
                    text: !line.loaded ? "\u2026" : "\u200e" + (line.styled ? line.markup : line.text)
                    textFormat: !line.styled ? Text.PlainText : line.richMarkup ? Text.RichText : Text.StyledText
                    horizontalAlignment: Text.AlignLeft
                    wrapMode: view.wrap ? Text.Wrap : Text.NoWrap
                    font: Theme.monoFont
                    color: line.selected ? Theme.palette.highlightedText
                         : !line.loaded ? Theme.mutedText
                         : line.stderr ? Theme.stderrText : Theme.palette.text
                    onImplicitWidthChanged: lines.noteWidth(implicitWidth)
                    Component.onCompleted: lines.noteWidth(implicitWidth)
                }
                // A line over the per-line limit shows its beginning, and says so.
                Text {
                    objectName: "truncatedText"
                    visible: line.truncated > 0
                    x: lineText.x + Math.min(lineText.implicitWidth, lineText.width) + Theme.spacing
                    y: lineText.y + lineText.height - height
                    text: visible ? qsTr("\u2026 %1 more not shown").arg(Format.bytes(line.truncated)) : ""
                    font: Theme.smallMonoFont
                    color: Theme.mutedText
                    // Within reach of the horizontal scroll too.
                    onImplicitWidthChanged: if (visible) lines.noteWidth(lineText.implicitWidth + Theme.spacing + implicitWidth)
                }
                // The gutter stays in place while the lines scroll sideways.
                Rectangle {
                    x: lines.contentX
                    y: header.height
                    width: lines.gutterWidth
                    height: lineText.height + 2
                    color: Theme.subtle
                    Rectangle {
                        width: 3
                        height: parent.height
                        color: line.stderr ? Theme.stderrMark : "transparent"
                    }
                    Text {
                        anchors.right: parent.right
                        anchors.rightMargin: Theme.spacing
                        y: 1 + Math.round((Theme.monoMetrics.height - height) / 2)
                        objectName: "gutterText"
                        text: view.timestamps && line.time.length > 0 ? line.time + "  " + line.number
                                                                      : line.number
                        font: Theme.smallMonoFont
                        color: Theme.mutedText
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                visible: lines.count === 0
                text: view.loading ? qsTr("Reading the saved output\u2026") : qsTr("No output yet")
                color: Theme.mutedText
            }
        }
    }
}
