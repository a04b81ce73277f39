import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Asked before quitting while jobs are still active. "Keep working" is the default: it has
// the focus and the highlight, so Return (like Escape) keeps the jobs running; Tab moves the
// focus and the highlight to "Stop all and quit", and Return then quits.
Dialog {
    id: dialog

    property int activeCount: 0
    signal stopAllAndQuit()
    signal keepWorking()

    // The button Return presses: the one with the focus, else the safe one.
    readonly property Button defaultButton: stopAllButton.activeFocus ? stopAllButton : keepWorkingButton


    title: qsTr("Quit Job Monitor?")
    modal: true
    anchors.centerIn: Overlay.overlay
    padding: Theme.spacing * 3
    closePolicy: Popup.CloseOnEscape
    // "Keep working" (its reject role makes the dialog reject) and Escape.
    onRejected: keepWorking()

    ColumnLayout {
        spacing: Theme.spacing
        Label {
            objectName: "confirmQuestion"
            text: qsTr("%1 job(s) still active.", "", dialog.activeCount).arg(Format.count(dialog.activeCount))
            font.bold: true
        }
        Label {
            Layout.maximumWidth: Theme.em * 60
            wrapMode: Text.Wrap
            text: qsTr("Quitting stops them all: each gets SIGTERM and its grace period, then SIGKILL. Job Monitor closes when every process has ended.")
            color: Theme.mutedText
        }
    }

    footer: DialogButtonBox {
        Button {
            id: keepWorkingButton
            objectName: "keepWorkingButton"
            text: qsTr("Keep working")
            highlighted: dialog.defaultButton === this
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
        }
        Button {
            id: stopAllButton
            objectName: "stopAllButton"
            text: qsTr("Stop all and quit")
            highlighted: dialog.defaultButton === this
            DialogButtonBox.buttonRole: DialogButtonBox.DestructiveRole
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
        }
        onClicked: button => {
            if (button === stopAllButton) {
                dialog.close()
                dialog.stopAllAndQuit()
            }
        }
    }
    onOpened: keepWorkingButton.forceActiveFocus()
}
