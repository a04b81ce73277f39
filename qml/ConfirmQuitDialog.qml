import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Asked before quitting while jobs are still active.
Dialog {
    id: dialog

    property int activeCount: 0
    signal stopAllAndQuit()
    signal keepWorking()

    title: qsTr("Quit Job Monitor?")
    modal: true
    anchors.centerIn: Overlay.overlay
    padding: 20

    ColumnLayout {
        spacing: 8
        Label {
            objectName: "confirmQuestion"
            text: dialog.activeCount === 1
                  ? qsTr("1 job is still active.")
                  : qsTr("%1 jobs are still active.").arg(dialog.activeCount)
            font.bold: true
        }
        Label {
            Layout.maximumWidth: 420
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
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "stopAllButton"
            text: qsTr("Stop all and quit")
            DialogButtonBox.buttonRole: DialogButtonBox.DestructiveRole
        }
        onClicked: button => {
            dialog.close()
            if (button.objectName === "stopAllButton")
                dialog.stopAllAndQuit()
            else
                dialog.keepWorking()
        }
    }
    onOpened: keepWorkingButton.forceActiveFocus()
}
