import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// The New job form in a dialog. Start (or Return) queues the job and closes the dialog;
// anything wrong keeps it open with the reason next to the field.
Dialog {
    id: dialog

    readonly property alias form: jobForm
    property var selectedJobIds: []
    // The id of the job just started.
    signal started(int jobId)

    function openEmpty() {
        jobForm.reset()
        jobForm.refreshRecent()
        open()
    }
    function openFromJob(jobId) {
        jobForm.loadFromJob(jobId)
        jobForm.refreshRecent()
        open()
    }
    function tryStart() {
        if (!jobForm.valid)
            return
        const id = jobForm.start()
        if (id >= 0) {
            close()
            started(id)
        }
    }

    title: qsTr("New job")
    modal: true
    focus: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - Theme.em * 6 : Theme.em * 90, Theme.em * 95)
    padding: Theme.spacing * 2
    onOpened: fields.focusCommand()

    JobForm { id: jobForm }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        JobFormFields {
            id: fields
            Layout.fillWidth: true
            form: jobForm
            selectedJobIds: dialog.selectedJobIds
            onSubmitted: dialog.tryStart()
        }
        Label {
            objectName: "startError"
            Layout.fillWidth: true
            visible: text.length > 0
            text: jobForm.startError
            color: Theme.dangerText
            wrapMode: Text.Wrap
        }
        // A greyed-out Start says why it cannot start yet.
        Label {
            objectName: "startHint"
            Layout.fillWidth: true
            visible: text.length > 0
            text: jobForm.startHint
            color: Theme.mutedText
            horizontalAlignment: Text.AlignRight
            wrapMode: Text.Wrap
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "startButton"
            text: qsTr("Start")
            enabled: jobForm.valid
            highlighted: true
            ToolTip.visible: hovered && !enabled
            ToolTip.text: jobForm.startHint
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        onAccepted: dialog.tryStart()
        onRejected: dialog.close()
    }
    // Return anywhere in the dialog, including the environment box, with Ctrl.
    Shortcut {
        sequences: ["Ctrl+Return", "Ctrl+Enter"]
        enabled: dialog.visible
        onActivated: dialog.tryStart()
    }
}
