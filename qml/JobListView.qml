import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Every job, this run's on top and the history below, filtered by state, text and date and
// ordered as the user chose. The history is read from the store a page at a time as the list
// scrolls down, and delegates are recycled, so 100 000 stored jobs scroll smoothly.
//
// The job shown in the details (currentJobId) and the selection for bulk actions are kept by
// job id, never by row: when a job leaves the filter (an Active job ends) or the order moves
// it, it stays the one shown and acted on until the user picks another.
ListView {
    id: list

    property alias filter: filterModel.filter
    property alias order: filterModel.order
    property alias search: filterModel.search
    property alias since: filterModel.since
    readonly property alias filterModel: filterModel
    readonly property alias allJobs: allJobs
    readonly property alias selection: selection
    property int currentJobId: -1

    // Shows a job (and selects only it), showing all jobs if the filter hides it.
    function select(jobId) {
        if (filterModel.rowOf(jobId) < 0)
            filterModel.filter = JobFilterModel.All
        pick(jobId, Qt.NoModifier)
    }
    // A job picked with the mouse or the keyboard: alone, added (Ctrl) or as a range (Shift).
    function pick(jobId, modifiers) {
        if (modifiers & Qt.ShiftModifier)
            selection.extendTo(filterModel, jobId)
        else if (modifiers & Qt.ControlModifier)
            selection.toggle(jobId)
        else
            selection.select(jobId)
        currentJobId = jobId
        syncCurrentRow()
        positionViewAtIndex(currentIndex, ListView.Contain)
    }
    // The keyboard moves the shown job by rows (Shift extends the selection).
    function moveTo(row, modifiers) {
        if (count > 0)
            pick(filterModel.jobIdAt(Math.max(0, Math.min(count - 1, row))), modifiers & Qt.ShiftModifier)
    }
    function moveBy(rows, modifiers) {
        const at = filterModel.rowOf(currentJobId)
        moveTo(at < 0 ? (rows > 0 ? 0 : count - 1) : at + rows, modifiers)
    }
    // The ids bulk actions act on: the selection, or the job shown when nothing is selected.
    function targetIds() {
        return selection.count > 0 ? selection.ids : (currentJobId >= 0 ? [currentJobId] : [])
    }
    // The highlighted row follows the job, wherever rows move; -1 while it is hidden.
    function syncCurrentRow() {
        currentIndex = filterModel.rowOf(currentJobId)
    }

    clip: true
    reuseItems: true
    activeFocusOnTab: true
    // Keys are handled below: the list's own navigation would move by rows, not jobs.
    keyNavigationEnabled: false
    highlightFollowsCurrentItem: false
    boundsBehavior: Flickable.StopAtBounds
    currentIndex: -1
    model: JobFilterModel {
        id: filterModel
        sourceModel: HistoryListModel {
            id: allJobs
            filter: filterModel.filter
            search: filterModel.search
            since: filterModel.since
        }
        // Later, not inside the model's signal: a view told of a new current row before it
        // has taken in the rows that moved shows the wrong job in them.
        onRowsInserted: Qt.callLater(list.syncCurrentRow)
        onRowsRemoved: Qt.callLater(list.syncCurrentRow)
        onRowsMoved: Qt.callLater(list.syncCurrentRow)
        onLayoutChanged: Qt.callLater(list.syncCurrentRow)
        onModelReset: Qt.callLater(list.syncCurrentRow)
    }
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Jobs")

    JobSelection { id: selection }
    // Rows also go while the history is read again for another search or filter; a job is
    // forgotten only when it is removed.
    Connections {
        target: allJobs
        function onJobRemoved(id) {
            selection.remove(id)
            if (id === list.currentJobId)
                list.currentJobId = -1
        }
    }

    Keys.onPressed: event => {
        const page = Math.max(1, Math.floor(height / Math.max(1, Theme.fontMetrics.height * 2.6)) - 1)
        if (event.key === Qt.Key_Up)
            moveBy(-1, event.modifiers)
        else if (event.key === Qt.Key_Down)
            moveBy(1, event.modifiers)
        else if (event.key === Qt.Key_PageUp)
            moveBy(-page, event.modifiers)
        else if (event.key === Qt.Key_PageDown)
            moveBy(page, event.modifiers)
        else if (event.key === Qt.Key_Home)
            moveTo(0, event.modifiers)
        else if (event.key === Qt.Key_End)
            moveTo(count - 1, event.modifiers)
        else if (event.matches(StandardKey.SelectAll))
            selection.selectAll(filterModel)
        else if (event.key === Qt.Key_Space && currentJobId >= 0)
            selection.toggle(currentJobId)
        else if (event.key === Qt.Key_Escape && selection.count > 1)
            selection.select(currentJobId)
        else
            return
        event.accepted = true
    }

    ScrollBar.vertical: ScrollBar {}

    delegate: ItemDelegate {
        id: row

        required property int index
        required property int jobId
        required property string label
        required property string command
        required property int jobState
        required property string stateName
        required property int attempt
        required property int maxAttempts
        required property string elapsed
        required property string result
        required property string resources
        required property real progress
        required property bool progressEstimated
        required property string eta
        required property string group
        required property string waitReason
        required property string startsIn
        readonly property bool isCurrent: jobId === list.currentJobId
        readonly property bool isSelected: selection.ids.indexOf(jobId) >= 0

        width: ListView.view.width
        focusPolicy: Qt.NoFocus
        // The list gives its current row the focus; the row is a button that would take Space
        // for itself. The list's keys come first.
        Keys.forwardTo: [list]
        // A handler, not onClicked, for the modifiers: Ctrl adds a job, Shift a range.
        TapHandler {
            onTapped: {
                list.pick(row.jobId, point.modifiers)
                list.forceActiveFocus()
            }
        }
        Accessible.name: label + ", " + stateName + (isSelected ? qsTr(", selected") : "")
        ToolTip.visible: hovered && (title.truncated || subtitle.truncated)
        ToolTip.text: row.label !== row.command ? row.label + "\n" + row.command : row.command
        ToolTip.delay: 600

        background: Rectangle {
            color: row.isSelected || row.isCurrent ? Theme.selectedRow
                 : row.hovered ? Theme.subtle : "transparent"
            // The job shown in the details: an accent bar, and a frame while the list has the
            // keyboard.
            Rectangle {
                visible: row.isCurrent
                width: 3
                height: parent.height
                color: Theme.accent
            }
            border.width: row.isCurrent && list.activeFocus ? 1 : 0
            border.color: Theme.accent
            // How far the running attempt has got, along the row's foot (fainter when it is
            // only estimated from earlier runs).
            Rectangle {
                objectName: "rowProgress"
                visible: row.progress >= 0
                anchors.left: parent.left
                anchors.bottom: parent.bottom
                height: Math.max(2, Math.round(Theme.fontMetrics.height * 0.15))
                width: parent.width * Math.max(0, Math.min(1, row.progress))
                color: Theme.stateColor(JobState.Running)
                opacity: row.progressEstimated ? 0.45 : 0.9
                Accessible.role: Accessible.ProgressBar
                Accessible.name: row.progressEstimated
                                 ? qsTr("%1% (an estimate from earlier runs)").arg(Math.round(row.progress * 100))
                                 : qsTr("%1%").arg(Math.round(row.progress * 100))
            }
        }

        contentItem: RowLayout {
            spacing: Theme.spacing * 1.5
            StateBadge {
                jobState: row.jobState
                text: row.stateName
                Layout.alignment: Qt.AlignVCenter
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 1
                Label {
                    id: title
                    Layout.fillWidth: true
                    text: row.label
                    elide: Text.ElideRight
                    font.bold: true
                    color: Theme.text
                }
                Label {
                    id: subtitle
                    Layout.fillWidth: true
                    text: "#" + row.jobId + (row.group !== "default" ? "  \u00b7  " + row.group : "")
                          + (row.waitReason.length > 0 ? "  \u00b7  " + row.waitReason : "")
                          + (row.label !== row.command ? "  \u00b7  " + row.command : "")
                    elide: Text.ElideRight
                    font: row.label !== row.command ? Theme.scaledFont(Theme.monoFont, 0.85) : Theme.smallFont
                    color: Theme.mutedText
                }
            }
            ColumnLayout {
                spacing: 1
                Layout.alignment: Qt.AlignVCenter | Qt.AlignRight
                Label {
                    objectName: "rowElapsed"
                    Layout.alignment: Qt.AlignRight
                    // CPU and memory beside the time: the row keeps its height.
                    text: [row.resources, row.startsIn.length > 0 ? row.startsIn : row.elapsed]
                          .filter(s => s.length > 0).join("  \u00b7  ")
                    font: Theme.monoFont
                    color: Theme.text
                }
                Label {
                    Layout.alignment: Qt.AlignRight
                    text: [row.eta,
                           row.maxAttempts > 1 && row.attempt > 0 ? qsTr("try %1/%2").arg(Format.count(row.attempt)).arg(Format.count(row.maxAttempts)) : "",
                           row.result].filter(s => s.length > 0).join("  \u00b7  ")
                    font.pixelSize: Theme.smallSize
                    color: Theme.mutedText
                }
            }
        }
    }

    Label {
        anchors.centerIn: parent
        width: parent.width - Theme.em * 6
        visible: list.count === 0
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        color: Theme.mutedText
        text: allJobs.loading ? qsTr("Reading the history\u2026")
              : filterModel.filter === JobFilterModel.All && filterModel.search.length === 0 && isNaN(filterModel.since)
              ? qsTr("No jobs yet.\nPress Ctrl+N to start one.")
              : qsTr("No jobs match this filter.")
    }
}
