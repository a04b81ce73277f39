import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// The selected job: what it is, where it stands, what can be done with it, its output and
// its state machine.
Pane {
    id: pane

    required property JobDetails details
    property alias currentTab: tabs.currentIndex
    property alias factsShown: factsButton.checked
    readonly property alias output: output
    property real now: Date.now()

    signal editRequested(int jobId)
    signal removeRequested(int jobId)

    function focusSearch() {
        tabs.currentIndex = 0
        output.focusSearch()
    }

    padding: 0
    background: Rectangle { color: Theme.window }

    // Drives the "SIGKILL in 3.2 s" countdown, the running duration and the time left before
    // the timeout; runs only while one of them is shown.
    Timer {
        interval: pane.details.deadline > 0 ? 100 : 1000
        repeat: true
        running: pane.details.valid && (pane.details.deadline > 0 || !isNaN(pane.details.startedAt) && isNaN(pane.details.endedAt))
        triggeredOnStart: true
        onTriggered: pane.now = Date.now()
    }

    // A fact about the job: a muted name and a value that can be selected and copied.
    component Fact: RowLayout {
        id: fact
        property string name
        property string value
        property bool mono: false
        property color valueColor: Theme.text
        Layout.fillWidth: true
        visible: value.length > 0
        spacing: Theme.spacing
        Label {
            Layout.alignment: Qt.AlignTop
            Layout.preferredWidth: factMetrics.advanceWidth
            text: fact.name
            color: Theme.mutedText
            font.pixelSize: Theme.smallSize
        }
        TextEdit {
            Layout.fillWidth: true
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.Wrap
            text: fact.value
            font: fact.mono ? Theme.scaledFont(Theme.monoFont, 0.9) : Theme.smallFont
            color: fact.valueColor
            selectionColor: Theme.palette.highlight
            selectedTextColor: Theme.palette.highlightedText
            Accessible.name: fact.name
        }
    }
    TextMetrics {
        id: factMetrics
        font.pixelSize: Theme.smallSize
        text: qsTr("Output not saved") // the longest name of a fact: its column fits them all
    }

    ColumnLayout {
        anchors.fill: parent
        visible: pane.details.valid
        spacing: 0

        // Header: the job and its state.
        Pane {
            Layout.fillWidth: true
            padding: Theme.spacing * 2
            background: Rectangle { color: Theme.window }
            ColumnLayout {
                anchors.fill: parent
                spacing: Theme.spacing
                RowLayout {
                    spacing: Theme.spacing * 1.5
                    Layout.fillWidth: true
                    StateBadge {
                        objectName: "detailsStateBadge"
                        jobState: pane.details.state
                        text: pane.details.stateName
                    }
                    Label {
                        objectName: "detailsLabel"
                        Layout.fillWidth: true
                        text: pane.details.label
                        font.pixelSize: Theme.largeSize
                        font.bold: true
                        elide: Text.ElideRight
                        ToolTip.visible: truncated && labelHover.hovered
                        ToolTip.text: pane.details.label
                        HoverHandler { id: labelHover }
                    }
                    ToolButton {
                        id: factsButton
                        objectName: "factsButton"
                        text: checked ? qsTr("Less \u25b4") : qsTr("More \u25be")
                        checkable: true
                        checked: true
                        Accessible.name: checked ? qsTr("Hide the job's details") : qsTr("Show the job's details")
                    }
                }

                // The whole command line, selectable and copyable: a long one is never cut.
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Rectangle {
                        Layout.fillWidth: true
                        implicitHeight: commandText.implicitHeight + Theme.spacing
                        color: Theme.base
                        border.color: commandText.activeFocus ? Theme.accent : Theme.line
                        radius: 3
                        TextEdit {
                            id: commandText
                            objectName: "detailsCommand"
                            anchors.fill: parent
                            anchors.margins: Theme.spacing / 2
                            readOnly: true
                            selectByMouse: true
                            selectByKeyboard: true
                            activeFocusOnTab: true
                            wrapMode: TextEdit.WrapAnywhere
                            text: pane.details.command
                            font: Theme.monoFont
                            color: Theme.palette.text
                            selectionColor: Theme.palette.highlight
                            selectedTextColor: Theme.palette.highlightedText
                            Accessible.role: Accessible.EditableText
                            Accessible.name: qsTr("Command")
                        }
                    }
                    Button {
                        objectName: "copyCommandButton"
                        text: qsTr("Copy")
                        onClicked: App.copyToClipboard(pane.details.command)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Copy the command line")
                        Accessible.name: qsTr("Copy the command line")
                    }
                }

                GridLayout {
                    objectName: "detailsFacts"
                    Layout.fillWidth: true
                    visible: factsButton.checked
                    columns: width > Theme.em * 90 ? 2 : 1
                    columnSpacing: Theme.spacing * 3
                    rowSpacing: 2
                    Fact {
                        objectName: "factJob"
                        name: qsTr("Job")
                        value: "#" + pane.details.jobId
                    }
                    Fact {
                        objectName: "factAttempt"
                        name: qsTr("Attempt")
                        value: pane.details.attempt === 0 ? qsTr("not started")
                             : [qsTr("%1 of %2").arg(Format.count(pane.details.attempt)).arg(Format.count(pane.details.maxAttempts)),
                                pane.details.runs > 1 ? qsTr("run %1, attempt %2 overall").arg(Format.count(pane.details.runs)).arg(Format.count(pane.details.jobWideAttempt)) : ""]
                               .filter(s => s.length > 0).join(qsTr(", "))
                    }
                    Fact {
                        name: qsTr("Result")
                        value: pane.details.result
                    }
                    Fact {
                        objectName: "factStarted"
                        name: qsTr("Started")
                        value: isNaN(pane.details.startedAt) ? "" : Format.dateTime(pane.details.startedAt)
                    }
                    Fact {
                        objectName: "factEnded"
                        name: qsTr("Ended")
                        value: isNaN(pane.details.endedAt) ? "" : Format.dateTime(pane.details.endedAt)
                    }
                    Fact {
                        objectName: "factDuration"
                        name: qsTr("Duration")
                        value: isNaN(pane.details.startedAt) ? ""
                             : Format.clock((isNaN(pane.details.endedAt) ? pane.now : pane.details.endedAt.getTime()) - pane.details.startedAt.getTime())
                    }
                    Fact {
                        objectName: "factTimeout"
                        name: qsTr("Timeout")
                        value: pane.details.timeout <= 0 ? qsTr("none")
                             : isNaN(pane.details.attemptStartedAt) ? qsTr("%1 per attempt").arg(Format.clock(pane.details.timeout))
                             : qsTr("%1 per attempt, %2 left").arg(Format.clock(pane.details.timeout))
                                   .arg(Format.clock(Math.max(0, pane.details.attemptStartedAt.getTime() + pane.details.timeout - pane.now)))
                    }
                    Fact {
                        objectName: "factExpected"
                        name: qsTr("Expected")
                        value: pane.details.expectedDuration <= 0 ? ""
                             : qsTr("about %1, an estimate: the mean of the last %n successful run(s) here", "", pane.details.expectedFromRuns)
                                   .arg(Format.clock(pane.details.expectedDuration))
                    }
                    Fact {
                        objectName: "factProcess"
                        name: qsTr("Process")
                        // The command's own pid, how many processes its whole tree has now, and
                        // how many outlived the last attempt.
                        value: [pane.details.pid > 0 ? qsTr("pid %1").arg(String(pane.details.pid)) : "",
                                pane.details.processCount > 0 ? qsTr("%n process(es) running", "", pane.details.processCount) : "",
                                pane.details.stragglers > 0 ? qsTr("%n straggler(s) ended", "", pane.details.stragglers) : ""]
                               .filter(s => s.length > 0).join(qsTr(", "))
                    }
                    Fact {
                        objectName: "factResources"
                        name: qsTr("Uses")
                        value: pane.details.resources
                    }
                    Fact {
                        objectName: "factUsage"
                        name: qsTr("Used")
                        value: pane.details.usage
                    }
                    Fact {
                        objectName: "factLimits"
                        name: qsTr("Limits")
                        value: pane.details.limits
                    }
                    Fact {
                        name: qsTr("Trace")
                        value: pane.details.traceId
                        mono: true
                    }
                    Fact {
                        objectName: "factFolder"
                        name: qsTr("Folder")
                        value: pane.details.workingDirectory.length > 0 ? pane.details.workingDirectory : qsTr("Job Monitor's working directory")
                        mono: pane.details.workingDirectory.length > 0
                    }
                    Fact {
                        objectName: "factEnvironment"
                        name: qsTr("Environment")
                        value: pane.details.environment.join("\n")
                        mono: true
                    }
                    Fact {
                        objectName: "factOutput"
                        name: qsTr("Output saved in")
                        value: pane.details.outputDirectory
                        mono: true
                    }
                    Fact {
                        objectName: "factOutputError"
                        name: qsTr("Output not saved")
                        value: pane.details.outputError
                        valueColor: Theme.dangerText
                    }
                }
                // How far the running attempt has got, read from its output, or estimated from
                // how long it took before.
                RowLayout {
                    objectName: "detailsProgress"
                    Layout.fillWidth: true
                    visible: pane.details.progress >= 0
                    spacing: Theme.spacing
                    ProgressBar {
                        Layout.fillWidth: true
                        value: Math.max(0, pane.details.progress)
                        Accessible.name: qsTr("Progress")
                    }
                    Label {
                        text: qsTr("%1%").arg(Math.floor(Math.max(0, pane.details.progress) * 100))
                              + (pane.details.progressEstimated ? qsTr(" (estimate)") : "")
                              + (pane.details.eta.length > 0 ? "  \u00b7  " + pane.details.eta : "")
                        color: Theme.mutedText
                        font: Theme.smallFont
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: pane.details.error.length > 0
                    text: pane.details.error
                    color: Theme.dangerText
                    wrapMode: Text.Wrap
                }

                // While stopping: how long the job has before SIGKILL. While retrying: when the
                // next attempt starts.
                Rectangle {
                    objectName: "deadlineBanner"
                    Layout.fillWidth: true
                    visible: pane.details.deadline > 0
                    implicitHeight: bannerText.implicitHeight + Theme.spacing * 2
                    radius: 6
                    readonly property color tone: Theme.stateColor(pane.details.state)
                    color: Qt.rgba(tone.r, tone.g, tone.b, 0.14)
                    border.color: tone
                    Label {
                        id: bannerText
                        anchors.fill: parent
                        anchors.leftMargin: Theme.spacing * 2
                        verticalAlignment: Text.AlignVCenter
                        readonly property string seconds: Format.seconds(pane.details.deadline - pane.now)
                        text: pane.details.state === JobState.Stopping
                              ? qsTr("Stopping: SIGKILL in %1 unless the job ends first").arg(seconds)
                              : qsTr("Next attempt in %1").arg(seconds)
                    }
                }

                // Actions. While the job stops, cancelling again would do nothing: Kill now
                // takes Cancel's place. In a narrow pane they wrap onto a second row.
                Flow {
                    objectName: "detailsActions"
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Button {
                        objectName: "cancelButton"
                        visible: !pane.details.canKill
                        text: qsTr("Cancel")
                        enabled: pane.details.canCancel
                        onClicked: App.cancel(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Stop the job gracefully: SIGTERM, the grace period, then SIGKILL (Delete). Retry runs it again.")
                    }
                    Button {
                        objectName: "killButton"
                        visible: pane.details.canKill
                        text: qsTr("Kill now")
                        onClicked: App.kill(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("SIGKILL to every process of the job now")
                    }
                    Button {
                        objectName: "retryButton"
                        text: pane.details.live ? qsTr("Retry") : qsTr("Run again")
                        enabled: pane.details.canRetry
                        onClicked: App.retry(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Run the job again (Ctrl+R)")
                    }
                    Button {
                        objectName: "editButton"
                        text: qsTr("Edit and run again\u2026")
                        onClicked: pane.editRequested(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("A new job from this one's settings, changed as you like (Ctrl+E)")
                    }
                    Button {
                        objectName: "removeButton"
                        text: qsTr("Remove")
                        enabled: pane.details.canRemove
                        onClicked: pane.removeRequested(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Delete the ended job and its saved output, after asking (Shift+Delete)")
                    }
                }
            }
        }

        TabBar {
            id: tabs
            Layout.fillWidth: true
            TabButton { text: qsTr("Output"); width: implicitWidth + Theme.spacing * 4 }
            TabButton { objectName: "stateMachineTab"; text: qsTr("State machine"); width: implicitWidth + Theme.spacing * 4 }
            TabButton { objectName: "resourcesTab"; text: qsTr("Resources"); width: implicitWidth + Theme.spacing * 4 }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            OutputView {
                id: output
                objectName: "outputView"
                model: pane.details.output
                wholeSearch: pane.details.outputSearch
                loading: pane.details.outputLoading
                jobId: pane.details.jobId
            }

            SplitView {
                orientation: Qt.Vertical
                Rectangle {
                    SplitView.preferredHeight: parent.height * 0.58
                    SplitView.minimumHeight: Theme.fontMetrics.height * 12
                    color: Theme.base
                    StateMachineView {
                        objectName: "stateMachineView"
                        anchors.fill: parent
                        anchors.margins: Theme.spacing
                        nodeModel: pane.details.diagramStates
                        edgeModel: pane.details.diagramEdges
                    }
                }
                TransitionTimeline {
                    objectName: "transitionTimeline"
                    SplitView.minimumHeight: Theme.fontMetrics.height * 4
                    model: pane.details.transitions
                }
            }

            // CPU and memory over the job's life; sampled once a second while it is shown.
            ColumnLayout {
                spacing: Theme.spacing
                ResourceChart {
                    objectName: "cpuChart"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.margins: Theme.spacing
                    Layout.bottomMargin: 0
                    title: qsTr("CPU (100% is one core)")
                    key: "cpu"
                    points: pane.details.chartPoints
                    maxValue: pane.details.chartMaxCpu
                    span: pane.details.chartSpan
                    format: value => Format.cpu(value)
                    lineColor: Theme.stateColor(JobState.Running)
                }
                ResourceChart {
                    objectName: "memoryChart"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.margins: Theme.spacing
                    Layout.topMargin: 0
                    title: qsTr("Memory (resident)")
                    key: "memory"
                    points: pane.details.chartPoints
                    maxValue: pane.details.chartMaxMemory
                    span: pane.details.chartSpan
                    format: value => Format.bytes(value)
                    lineColor: Theme.accent
                }
            }
        }
    }

    ColumnLayout {
        anchors.centerIn: parent
        visible: !pane.details.valid
        spacing: Theme.spacing
        Image {
            Layout.alignment: Qt.AlignHCenter
            source: "qrc:/JobMonitor/icons/jobmonitor.png"
            sourceSize: Qt.size(64, 64)
            opacity: 0.8
        }
        Label {
            Layout.alignment: Qt.AlignHCenter
            text: qsTr("No job selected")
            font.pixelSize: Theme.largeSize
        }
        Label {
            Layout.alignment: Qt.AlignHCenter
            text: qsTr("Start a job with Ctrl+N, or pick one from the list.")
            color: Theme.mutedText
        }
    }
}
