import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// Creates or edits a group: its name (fixed once made), how many of its jobs run at once,
// its start rate and whether a failure pauses it. Save keeps it in the settings file; a
// refusal stays in the dialog with the reason.
Dialog {
    id: dialog

    property bool editing: false

    function openNew() {
        editing = false
        nameField.text = ""
        parallelBox.value = 0
        rateField.text = ""
        pauseOnFailureBox.checked = false
        errorLabel.text = ""
        open()
    }
    function openFor(name, maxParallel, rate, pauseOnFailure) {
        editing = true
        nameField.text = name
        parallelBox.value = maxParallel
        rateField.text = rate
        pauseOnFailureBox.checked = pauseOnFailure
        errorLabel.text = ""
        open()
    }
    function save() {
        errorLabel.text = App.saveGroup(nameField.text, parallelBox.value, rateField.text,
                                        pauseOnFailureBox.checked)
        if (errorLabel.text.length === 0)
            close()
    }

    title: editing ? qsTr("Edit group") : qsTr("New group")
    modal: true
    focus: true
    anchors.centerIn: Overlay.overlay
    padding: Theme.spacing * 2
    onOpened: (editing ? parallelBox : nameField).forceActiveFocus()

    // Save checks first and closes only once the group is saved.
    footer: DialogButtonBox {
        Button {
            objectName: "saveGroupButton"
            text: qsTr("Save")
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: dialog.save()
        }
        Button {
            objectName: "cancelGroupButton"
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
        Label { text: qsTr("Name") }
        TextField {
            id: nameField
            objectName: "groupNameField"
            enabled: !dialog.editing
            Layout.preferredWidth: Theme.em * 30
            placeholderText: qsTr("letters, digits, . _ -")
            onAccepted: dialog.save()
        }
        Label { text: qsTr("At once") }
        SpinBox {
            id: parallelBox
            objectName: "groupParallelBox"
            from: 0
            to: 1024
            editable: true
            textFromValue: value => value === 0 ? qsTr("no limit of its own") : String(value)
            valueFromText: text => Number.isNaN(parseInt(text)) ? 0 : parseInt(text)
            Accessible.name: qsTr("Jobs of the group running at once")
        }
        Label { text: qsTr("Start rate") }
        TextField {
            id: rateField
            objectName: "groupRateField"
            Layout.fillWidth: true
            placeholderText: qsTr("none, or starts/seconds[:burst], e.g. 5/60:2")
            onAccepted: dialog.save()
        }
        Item { width: 1 }
        CheckBox {
            id: pauseOnFailureBox
            objectName: "groupPauseOnFailureBox"
            text: qsTr("Pause the group when one of its jobs fails")
        }
        Label {
            id: errorLabel
            objectName: "groupError"
            Layout.columnSpan: 2
            Layout.fillWidth: true
            visible: text.length > 0
            color: Theme.dangerText
            wrapMode: Text.Wrap
        }
    }
}
