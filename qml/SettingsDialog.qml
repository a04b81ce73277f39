import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Ctrl+,: how long the history keeps jobs and how much output, how many jobs run at once, the
// grace period new jobs start with, the desktop notifications and keeping the computer awake,
// kept in the settings file. Retention and the jobs at once apply at once (unless the command
// line gave its own for this run, which it says); the notifications and keep-awake choices when
// the window next starts.
Dialog {
    id: dialog

    function openFresh() {
        settings.reload()
        daysBox.value = settings.keepDays
        outputField.text = String(Math.round(settings.maxOutputGiB * 100) / 100)
        notifyBox.checked = settings.notificationsEnabled
        afterBox.value = settings.notifyAfterSeconds
        awakeBox.checked = settings.keepAwake
        parallelBox.value = settings.maxParallel
        graceField.text = settings.grace
        runningBox.checked = settings.showRunning
        errorLabel.text = ""
        open()
    }
    function save() {
        settings.keepDays = daysBox.value
        settings.maxOutputGiB = Number(outputField.text)
        settings.notificationsEnabled = notifyBox.checked
        settings.notifyAfterSeconds = afterBox.value
        settings.keepAwake = awakeBox.checked
        settings.maxParallel = parallelBox.value
        settings.grace = graceField.text
        settings.showRunning = runningBox.checked
        errorLabel.text = outputField.text.trim().length === 0 || isNaN(Number(outputField.text))
                ? qsTr("Enter the output to keep in GiB, like 2 or 0.5")
                : settings.save()
        if (errorLabel.text.length === 0)
            close()
    }

    AppSettings { id: settings }

    title: qsTr("Settings")
    modal: true
    focus: true
    anchors.centerIn: Overlay.overlay
    padding: Theme.spacing * 2
    onOpened: daysBox.forceActiveFocus()

    footer: DialogButtonBox {
        Button {
            objectName: "saveSettingsButton"
            text: qsTr("Save")
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: dialog.save()
        }
        Button {
            objectName: "cancelSettingsButton"
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        onRejected: dialog.reject()
    }

    GridLayout {
        anchors.fill: parent
        columns: 2
        columnSpacing: Theme.spacing
        rowSpacing: Theme.spacing
        Label { text: qsTr("Keep jobs for") }
        SpinBox {
            id: daysBox
            objectName: "keepDaysBox"
            from: 1
            to: 36500
            editable: true
            textFromValue: value => qsTr("%n day(s)", "", value)
            valueFromText: text => Number.isNaN(parseInt(text)) ? 90 : parseInt(text)
            Accessible.name: qsTr("Days to keep ended jobs in the history")
        }
        Label { text: qsTr("Keep output up to") }
        RowLayout {
            TextField {
                id: outputField
                objectName: "maxOutputField"
                Layout.preferredWidth: Theme.em * 8
                selectByMouse: true
                onAccepted: dialog.save()
                Accessible.name: qsTr("Saved output to keep, in GiB")
            }
            Label { text: qsTr("GiB in all; the oldest goes first") }
        }
        Label { text: qsTr("Jobs at once") }
        RowLayout {
            SpinBox {
                id: parallelBox
                objectName: "defaultMaxParallelBox"
                from: 1
                to: JobLimits.maxParallel
                editable: true
                Accessible.name: qsTr("Maximum jobs running at once")
            }
            Label {
                objectName: "defaultMaxParallelNote"
                Layout.fillWidth: true
                text: settings.commandLineMaxParallel > 0
                      ? qsTr("--max-parallel %1 on the command line holds for this run").arg(settings.commandLineMaxParallel)
                      : qsTr("at most, in all groups together")
                color: settings.commandLineMaxParallel > 0 ? Theme.text : Theme.mutedText
            }
        }
        Label { text: qsTr("Grace period") }
        RowLayout {
            TextField {
                id: graceField
                objectName: "defaultGraceField"
                Layout.preferredWidth: Theme.em * 8
                selectByMouse: true
                onAccepted: dialog.save()
                Accessible.name: qsTr("Grace period of new jobs in seconds")
            }
            Label {
                objectName: "defaultGraceNote"
                Layout.fillWidth: true
                text: settings.commandLineGrace.length > 0
                      ? qsTr("seconds; %1 s from the command line holds for this run").arg(settings.commandLineGrace)
                      : qsTr("seconds from SIGTERM to SIGKILL, for new jobs")
                color: settings.commandLineGrace.length > 0 ? Theme.text : Theme.mutedText
            }
        }
        Item { width: 1 }
        CheckBox {
            id: notifyBox
            objectName: "notificationsBox"
            text: qsTr("Announce failed jobs, and long ones that end while the window is behind")
        }
        Label { text: qsTr("Long means") }
        SpinBox {
            id: afterBox
            objectName: "notifyAfterBox"
            enabled: notifyBox.checked
            from: 0
            to: 604800
            editable: true
            textFromValue: value => qsTr("%n second(s) or more", "", value)
            valueFromText: text => Number.isNaN(parseInt(text)) ? 10 : parseInt(text)
            Accessible.name: qsTr("Seconds a job must run to be announced when it completes")
        }
        Item { width: 1 }
        CheckBox {
            id: runningBox
            objectName: "showRunningBox"
            text: qsTr("Show running jobs and their progress in the desktop's job tracker")
        }
        Item { width: 1 }
        CheckBox {
            id: awakeBox
            objectName: "keepAwakeBox"
            text: qsTr("Keep the computer awake while jobs run")
        }
        Label {
            Layout.columnSpan: 2
            text: qsTr("Notifications, the job tracker and keeping awake take effect when Job Monitor next starts.")
            color: Theme.mutedText
        }
        Label {
            id: errorLabel
            objectName: "settingsError"
            Layout.columnSpan: 2
            Layout.fillWidth: true
            visible: text.length > 0
            color: Theme.dangerText
            wrapMode: Text.Wrap
        }
    }
}
