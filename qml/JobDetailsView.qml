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
    property real now: Date.now()

    signal runAgainRequested(int jobId)

    function focusSearch() {
        tabs.currentIndex = 0
        output.focusSearch()
    }

    padding: 0
    background: Rectangle { color: Theme.window }

    // Drives the "SIGKILL in 3.2 s" countdown; runs only while there is a deadline to show.
    Timer {
        interval: 100
        repeat: true
        running: pane.details.deadline > 0
        triggeredOnStart: true
        onTriggered: pane.now = Date.now()
    }

    ColumnLayout {
        anchors.fill: parent
        visible: pane.details.valid
        spacing: 0

        // Header: the job and its state.
        Pane {
            Layout.fillWidth: true
            padding: 14
            background: Rectangle { color: Theme.window }
            ColumnLayout {
                anchors.fill: parent
                spacing: 6
                RowLayout {
                    spacing: 10
                    Layout.fillWidth: true
                    StateBadge {
                        objectName: "detailsStateBadge"
                        jobState: pane.details.state
                        text: pane.details.stateName
                    }
                    Label {
                        Layout.fillWidth: true
                        text: pane.details.label
                        font.pixelSize: Theme.largeSize
                        font.bold: true
                        elide: Text.ElideRight
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: pane.details.label !== pane.details.command
                    text: pane.details.command
                    font.family: Theme.monoFamily
                    elide: Text.ElideMiddle
                    color: Theme.mutedText
                }
                Label {
                    Layout.fillWidth: true
                    objectName: "detailsFacts"
                    color: Theme.mutedText
                    elide: Text.ElideRight
                    text: [qsTr("Job #%1").arg(pane.details.jobId),
                           pane.details.attempt > 0 ? qsTr("attempt %1 of %2").arg(pane.details.attempt).arg(pane.details.maxAttempts) : qsTr("not started"),
                           pane.details.result,
                           pane.details.pid > 0 ? qsTr("pid %1").arg(pane.details.pid) : "",
                           pane.details.stragglers > 0 ? qsTr("%1 stragglers ended").arg(pane.details.stragglers) : "",
                           pane.details.workingDirectory.length > 0 ? qsTr("in %1").arg(pane.details.workingDirectory) : "",
                           pane.details.traceId.length > 0 ? qsTr("trace %1").arg(pane.details.traceId) : ""]
                          .filter(s => s.length > 0).join("  ·  ")
                }
                Label {
                    Layout.fillWidth: true
                    visible: pane.details.error.length > 0
                    text: pane.details.error
                    color: Theme.danger
                    wrapMode: Text.Wrap
                }

                // While stopping: how long the job has before SIGKILL. While retrying: when the
                // next attempt starts.
                Rectangle {
                    objectName: "deadlineBanner"
                    Layout.fillWidth: true
                    visible: pane.details.deadline > 0
                    implicitHeight: bannerRow.implicitHeight + 12
                    radius: 6
                    readonly property color tone: Theme.stateColor(pane.details.state)
                    color: Qt.rgba(tone.r, tone.g, tone.b, 0.14)
                    border.color: tone
                    RowLayout {
                        id: bannerRow
                        anchors.fill: parent
                        anchors.margins: 6
                        anchors.leftMargin: 12
                        Label {
                            Layout.fillWidth: true
                            readonly property string seconds: (Math.max(0, pane.details.deadline - pane.now) / 1000).toFixed(1)
                            text: pane.details.state === JobState.Stopping
                                  ? qsTr("Stopping: SIGKILL in %1 s unless the job ends first").arg(seconds)
                                  : qsTr("Next attempt in %1 s").arg(seconds)
                        }
                        Button {
                            visible: pane.details.canKill
                            text: qsTr("Kill now")
                            onClicked: App.kill(pane.details.jobId)
                        }
                    }
                }

                // Actions.
                RowLayout {
                    spacing: 6
                    Button {
                        objectName: "cancelButton"
                        text: qsTr("Cancel")
                        enabled: pane.details.canCancel
                        onClicked: App.cancel(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Stop the job gracefully (Delete)")
                    }
                    Button {
                        text: qsTr("Retry")
                        enabled: pane.details.canRetry
                        onClicked: App.retry(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Run the job again (Ctrl+R)")
                    }
                    Button {
                        text: qsTr("Run again\u2026")
                        onClicked: pane.runAgainRequested(pane.details.jobId)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Start a new job from this one's settings")
                    }
                    Button {
                        text: qsTr("Remove")
                        enabled: pane.details.canRemove
                        onClicked: App.remove(pane.details.jobId)
                    }
                }
            }
        }

        TabBar {
            id: tabs
            Layout.fillWidth: true
            TabButton { text: qsTr("Output"); width: implicitWidth + 24 }
            TabButton { objectName: "stateMachineTab"; text: qsTr("State machine"); width: implicitWidth + 24 }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            OutputView {
                id: output
                model: pane.details.output
                logUrl: pane.details.logUrl
            }

            SplitView {
                orientation: Qt.Vertical
                Rectangle {
                    SplitView.preferredHeight: parent.height * 0.58
                    SplitView.minimumHeight: 200
                    color: Theme.base
                    StateMachineView {
                        objectName: "stateMachineView"
                        anchors.fill: parent
                        anchors.margins: 8
                        nodeModel: pane.details.diagramStates
                        edgeModel: pane.details.diagramEdges
                    }
                }
                TransitionTimeline {
                    objectName: "transitionTimeline"
                    SplitView.minimumHeight: 80
                    model: pane.details.transitions
                }
            }
        }
    }

    ColumnLayout {
        anchors.centerIn: parent
        visible: !pane.details.valid
        spacing: 10
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
