import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import JobMonitor

// The fields of the New job form. Each field writes straight into the JobForm, which judges
// it; the message for a wrong field appears right under it.
ColumnLayout {
    id: fields

    required property JobForm form
    // Return in a single-line field: the dialog starts the job when the form is valid.
    signal submitted()

    function focusCommand() {
        commandField.forceActiveFocus()
        commandField.selectAll()
    }

    readonly property int labelWidth: 96

    spacing: 4

    component FieldLabel: Label {
        Layout.preferredWidth: fields.labelWidth
        Layout.alignment: Qt.AlignTop
        Layout.topMargin: 6
        horizontalAlignment: Text.AlignRight
    }
    component ErrorText: Label {
        Layout.leftMargin: fields.labelWidth + 12
        Layout.fillWidth: true
        visible: text.length > 0
        color: Theme.danger
        font.pixelSize: Theme.smallSize
        wrapMode: Text.Wrap
    }
    component NumberField: TextField {
        Layout.preferredWidth: 80
        horizontalAlignment: TextInput.AlignRight
        inputMethodHints: Qt.ImhFormattedNumbersOnly
        selectByMouse: true
        onAccepted: fields.submitted()
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Command") }
        RowLayout {
            Layout.fillWidth: true
            spacing: 4
            TextField {
                id: commandField
                objectName: "commandField"
                Layout.fillWidth: true
                Layout.minimumWidth: 360
                font.family: Theme.monoFamily
                placeholderText: qsTr("A shell command line, e.g. make -j4 && ./run-tests")
                text: fields.form.command
                onTextEdited: fields.form.command = text
                onAccepted: fields.submitted()
                selectByMouse: true
                Accessible.name: qsTr("Command")
            }
            ToolButton {
                objectName: "recentButton"
                text: qsTr("Recent \u25be")
                enabled: fields.form.recentCommands.length > 0
                onClicked: recentMenu.popup(this, 0, height)
                Accessible.name: qsTr("Recently used commands")
                Menu {
                    id: recentMenu
                    // Instantiator, not Repeater: a Repeater's items inside a Menu outlive the
                    // menu's content item on destruction in Qt 6.4 and crash.
                    Instantiator {
                        model: fields.form.recentCommands
                        delegate: MenuItem {
                            required property string modelData
                            text: modelData
                            font.family: Theme.monoFamily
                            onTriggered: {
                                fields.form.command = modelData
                                commandField.forceActiveFocus()
                            }
                        }
                        onObjectAdded: (index, object) => recentMenu.insertItem(index, object)
                        onObjectRemoved: (index, object) => recentMenu.removeItem(object)
                    }
                }
            }
        }
    }
    ErrorText { objectName: "commandError"; text: fields.form.commandError }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Name") }
        TextField {
            objectName: "nameField"
            Layout.fillWidth: true
            placeholderText: qsTr("Optional, shown instead of the command")
            text: fields.form.name
            onTextEdited: fields.form.name = text
            onAccepted: fields.submitted()
            selectByMouse: true
            Accessible.name: qsTr("Name")
        }
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Folder") }
        RowLayout {
            Layout.fillWidth: true
            spacing: 4
            TextField {
                id: directoryField
                objectName: "workingDirectoryField"
                Layout.fillWidth: true
                placeholderText: qsTr("Working directory; empty: Job Monitor's own")
                text: fields.form.workingDirectory
                onTextEdited: fields.form.workingDirectory = text
                onAccepted: fields.submitted()
                selectByMouse: true
                Accessible.name: qsTr("Working directory")
            }
            Button {
                text: qsTr("Browse\u2026")
                onClicked: folderDialog.open()
            }
            FolderDialog {
                id: folderDialog
                title: qsTr("Working directory")
                onAccepted: {
                    const path = decodeURIComponent(selectedFolder.toString().replace(/^file:\/\//, ""))
                    fields.form.workingDirectory = path
                }
            }
        }
    }
    ErrorText { objectName: "workingDirectoryError"; text: fields.form.workingDirectoryError }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Environment") }
        TextArea {
            objectName: "environmentField"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(64, implicitHeight)
            font.family: Theme.monoFamily
            placeholderText: qsTr("NAME=value, one per line")
            text: fields.form.environment
            onTextChanged: if (text !== fields.form.environment) fields.form.environment = text
            selectByMouse: true
            wrapMode: TextEdit.NoWrap
            Accessible.name: qsTr("Extra environment variables")
        }
    }
    ErrorText { objectName: "environmentError"; text: fields.form.environmentError }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Timeout") }
        RowLayout {
            NumberField {
                objectName: "timeoutField"
                placeholderText: qsTr("none")
                text: fields.form.timeout
                onTextEdited: fields.form.timeout = text
                Accessible.name: qsTr("Timeout in seconds")
            }
            Label { text: qsTr("seconds per attempt") ; color: Theme.mutedText }
        }
    }
    ErrorText { objectName: "timeoutError"; text: fields.form.timeoutError }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Retries") }
        RowLayout {
            NumberField {
                objectName: "retriesField"
                text: fields.form.retries
                onTextEdited: fields.form.retries = text
                Accessible.name: qsTr("Retries")
            }
            Label { text: qsTr("after a failure or timeout"); color: Theme.mutedText }
        }
    }
    ErrorText { objectName: "retriesError"; text: fields.form.retriesError }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Backoff") }
        RowLayout {
            spacing: 6
            NumberField {
                objectName: "backoffInitialField"
                text: fields.form.backoffInitial
                onTextEdited: fields.form.backoffInitial = text
                Accessible.name: qsTr("First retry delay in seconds")
            }
            Label { text: qsTr("s, then \u00d7"); color: Theme.mutedText }
            NumberField {
                objectName: "backoffFactorField"
                Layout.preferredWidth: 56
                text: fields.form.backoffFactor
                onTextEdited: fields.form.backoffFactor = text
                Accessible.name: qsTr("Retry delay factor")
            }
            Label { text: qsTr("up to"); color: Theme.mutedText }
            NumberField {
                objectName: "backoffCapField"
                text: fields.form.backoffCap
                onTextEdited: fields.form.backoffCap = text
                Accessible.name: qsTr("Longest retry delay in seconds")
            }
            Label { text: qsTr("s"); color: Theme.mutedText }
        }
    }
    ErrorText { objectName: "backoffError"; text: fields.form.backoffError }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        FieldLabel { text: qsTr("Grace") }
        RowLayout {
            NumberField {
                objectName: "graceField"
                text: fields.form.grace
                onTextEdited: fields.form.grace = text
                Accessible.name: qsTr("Grace period in seconds")
            }
            Label { text: qsTr("seconds between SIGTERM and SIGKILL"); color: Theme.mutedText }
        }
    }
    ErrorText { objectName: "graceError"; text: fields.form.graceError }
}
