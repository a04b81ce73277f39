import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Asked before removing ended jobs: their records and saved output are deleted for good.
// "Keep" is the default, as in the quit dialog: Return (like Escape) keeps them; Tab moves the
// focus and the highlight to "Remove", and Return then removes.
Dialog {
    id: dialog

    // The ids of the jobs to remove.
    property var jobIds: []
    signal removeConfirmed(var jobIds)

    function ask(ids) {
        jobIds = ids
        open()
    }

    readonly property Button defaultButton: removeButton.activeFocus ? removeButton : keepButton

    title: qsTr("Remove jobs?")
    modal: true
    anchors.centerIn: Overlay.overlay
    padding: Theme.spacing * 3
    closePolicy: Popup.CloseOnEscape

    ColumnLayout {
        spacing: Theme.spacing
        Label {
            objectName: "removeQuestion"
            text: qsTr("Remove %n job(s) from the history?", "", dialog.jobIds.length)
            font.bold: true
        }
        Label {
            Layout.maximumWidth: Theme.em * 60
            wrapMode: Text.Wrap
            text: qsTr("Their records and their saved output are deleted; this cannot be undone.")
            color: Theme.mutedText
        }
    }

    footer: DialogButtonBox {
        Button {
            id: keepButton
            objectName: "keepJobsButton"
            text: qsTr("Keep")
            highlighted: dialog.defaultButton === this
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
        }
        Button {
            id: removeButton
            objectName: "removeJobsButton"
            text: qsTr("Remove")
            highlighted: dialog.defaultButton === this
            DialogButtonBox.buttonRole: DialogButtonBox.DestructiveRole
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
        }
        onClicked: button => {
            if (button === removeButton) {
                const ids = dialog.jobIds
                dialog.close()
                dialog.removeConfirmed(ids)
            }
        }
    }
    onOpened: keepButton.forceActiveFocus()
}
