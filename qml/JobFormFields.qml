import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import JobMonitor

// The fields of the New job form. Each field writes straight into the JobForm, which judges
// it; the message for a wrong field appears right under it.
ColumnLayout {
    id: fields

    required property JobForm form
    // The jobs selected in the list, for "Start after…": the form offers to wait for them.
    property var selectedJobIds: []
    // Return in a single-line field: the dialog starts the job when the form is valid.
    signal submitted()

    function focusCommand() {
        commandField.forceActiveFocus()
        commandField.selectAll()
    }

    // Every field's label, for the width of the label column: the longest one decides.
    readonly property var labels: [qsTr("Command"), qsTr("Name"), qsTr("Folder"), qsTr("Environment"),
                                   qsTr("Timeout"), qsTr("Retries"), qsTr("Backoff"), qsTr("Grace"),
                                   qsTr("Group"), qsTr("Start after"), qsTr("Start at")]
    readonly property real labelWidth: Math.ceil(Math.max(...labels.map(text => Theme.fontMetrics.advanceWidth(text))))
    readonly property real columnSpacing: Theme.spacing * 1.5

    // The folder dialog of Qt Quick Dialogs is built on this module; without it Browse would
    // silently do nothing, so the form checks for it first and says what is missing.
    property string folderPickerModule: "Qt.labs.folderlistmodel"
    property string folderPickerError: ""

    // "" when a QML module can be imported, else why not, with the package that installs it.
    function missingModule(uri) {
        try {
            Qt.createQmlObject("import " + uri + "\nimport QtQml\nQtObject {}", fields, "moduleProbe").destroy()
            return ""
        } catch (e) {
            return qsTr("The folder picker needs the Qt module %1, which is not installed (Debian package %2). Type the folder's path instead.")
                   .arg(uri).arg("qml6-module-" + uri.toLowerCase().replace(/\./g, "-"))
        }
    }
    function openFolderPicker() {
        folderPickerError = missingModule(folderPickerModule)
        if (folderPickerError.length > 0)
            return
        folderPickerLoader.active = true
        if (!folderPickerLoader.item) {
            folderPickerError = missingModule("QtQuick.Dialogs")
            if (folderPickerError.length === 0)
                folderPickerError = qsTr("The folder picker could not be opened. Type the folder's path instead.")
            return
        }
        const folder = fields.form.workingDirectory.trim()
        if (folder.length > 0 && folder.startsWith("/"))
            folderPickerLoader.item.currentFolder = "file://" + folder
        folderPickerLoader.item.open()
    }

    spacing: Math.round(Theme.spacing / 2)

    component FieldLabel: Label {
        Layout.preferredWidth: fields.labelWidth
        Layout.alignment: Qt.AlignTop
        Layout.topMargin: Math.round(Theme.spacing * 0.75)
        horizontalAlignment: Text.AlignRight
    }
    component ErrorText: Label {
        Layout.leftMargin: fields.labelWidth + fields.columnSpacing
        Layout.fillWidth: true
        visible: text.length > 0
        color: Theme.dangerText
        font.pixelSize: Theme.smallSize
        wrapMode: Text.Wrap
    }
    component NumberField: TextField {
        Layout.preferredWidth: Math.round(Theme.em * 10)
        horizontalAlignment: TextInput.AlignRight
        inputMethodHints: Qt.ImhFormattedNumbersOnly
        selectByMouse: true
        onAccepted: fields.submitted()
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Command") }
        RowLayout {
            Layout.fillWidth: true
            spacing: Math.round(Theme.spacing / 2)
            TextField {
                id: commandField
                objectName: "commandField"
                Layout.fillWidth: true
                Layout.minimumWidth: Math.round(Theme.em * 45)
                font: Theme.monoFont
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
                        // The whole spec of the command's latest job: folder, environment and all.
                        delegate: MenuItem {
                            required property string modelData
                            required property int index
                            text: modelData
                            font: Theme.monoFont
                            onTriggered: {
                                fields.form.useRecent(index)
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
        spacing: fields.columnSpacing
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
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Folder") }
        RowLayout {
            Layout.fillWidth: true
            spacing: Math.round(Theme.spacing / 2)
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
                objectName: "browseButton"
                text: qsTr("Browse\u2026")
                onClicked: fields.openFolderPicker()
                Accessible.name: qsTr("Choose the working directory")
            }
            Loader {
                id: folderPickerLoader
                objectName: "folderPickerLoader"
                active: false
                source: "FolderPicker.qml"
                Connections {
                    target: folderPickerLoader.item
                    function onPicked(path) { fields.form.workingDirectory = path }
                }
            }
        }
    }
    ErrorText { objectName: "workingDirectoryError"; text: fields.form.workingDirectoryError }
    ErrorText { objectName: "folderPickerError"; text: fields.folderPickerError }

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Environment") }
        TextArea {
            objectName: "environmentField"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(Theme.monoMetrics.height * 3.5, implicitHeight)
            font: Theme.monoFont
            placeholderText: qsTr("NAME=value, one per line")
            text: fields.form.environment
            onTextChanged: if (text !== fields.form.environment) fields.form.environment = text
            selectByMouse: true
            wrapMode: TextEdit.NoWrap
            Accessible.name: qsTr("Extra environment variables")
            // Framed like the single-line fields (the style draws none for a text area).
            background: Rectangle {
                color: Theme.base
                border.color: parent.activeFocus ? Theme.accent : Theme.line
                radius: 2
            }
        }
    }
    ErrorText { objectName: "environmentError"; text: fields.form.environmentError }

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
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
        spacing: fields.columnSpacing
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
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Backoff") }
        RowLayout {
            spacing: Math.round(Theme.spacing / 2)
            NumberField {
                objectName: "backoffInitialField"
                text: fields.form.backoffInitial
                onTextEdited: fields.form.backoffInitial = text
                Accessible.name: qsTr("First retry delay in seconds")
            }
            Label { text: qsTr("s, then \u00d7"); color: Theme.mutedText }
            NumberField {
                objectName: "backoffFactorField"
                Layout.preferredWidth: Math.round(Theme.em * 7)
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
        spacing: fields.columnSpacing
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

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Memory limit") }
        RowLayout {
            NumberField {
                objectName: "memoryLimitField"
                text: fields.form.memoryLimit
                placeholderText: qsTr("none")
                inputMethodHints: Qt.ImhNoPredictiveText
                onTextEdited: fields.form.memoryLimit = text
                Accessible.name: qsTr("Memory limit of the job's processes")
            }
            Label { text: qsTr("like 2G or 512M; beyond it the job is stopped and fails"); color: Theme.mutedText }
        }
    }
    ErrorText { objectName: "memoryLimitError"; text: fields.form.memoryLimitError }

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Nice") }
        RowLayout {
            NumberField {
                objectName: "nicenessField"
                text: fields.form.niceness
                placeholderText: qsTr("usual")
                onTextEdited: fields.form.niceness = text
                Accessible.name: qsTr("CPU priority, a nice value")
            }
            Label { text: qsTr("-20 (first) to 19 (last)"); color: Theme.mutedText }
            Label { text: qsTr("I/O"); leftPadding: fields.columnSpacing }
            TextField {
                objectName: "ioPriorityField"
                Layout.preferredWidth: Math.round(Theme.em * 14)
                text: fields.form.ioPriority
                placeholderText: qsTr("usual")
                selectByMouse: true
                onTextEdited: fields.form.ioPriority = text
                onAccepted: fields.submitted()
                Accessible.name: qsTr("I/O priority: idle, best-effort,0-7 or realtime,0-7")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("idle, best-effort,N or realtime,N (N from 0, first served, to 7)")
            }
        }
    }
    ErrorText { objectName: "nicenessError"; text: fields.form.nicenessError }
    ErrorText { objectName: "ioPriorityError"; text: fields.form.ioPriorityError }

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Progress") }
        TextField {
            objectName: "progressPatternField"
            Layout.fillWidth: true
            text: fields.form.progressPattern
            placeholderText: qsTr("found by itself; or a pattern like (?<percent>\\d+)%")
            selectByMouse: true
            font.family: "monospace"
            onTextEdited: fields.form.progressPattern = text
            onAccepted: fields.submitted()
            Accessible.name: qsTr("Progress pattern, a regular expression with a named group")
        }
    }
    ErrorText { objectName: "progressPatternError"; text: fields.form.progressPatternError }

    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Group") }
        ComboBox {
            id: groupBox
            objectName: "groupBox"
            model: App.groups
            textRole: "name"
            valueRole: "name"
            implicitContentWidthPolicy: ComboBox.WidestText
            Component.onCompleted: currentIndex = Math.max(0, indexOfValue(fields.form.group))
            onActivated: fields.form.group = currentValue === "default" ? "" : currentValue
            Connections {
                target: fields.form
                function onChanged() { groupBox.currentIndex = Math.max(0, groupBox.indexOfValue(fields.form.group)) }
            }
            Accessible.name: qsTr("Group")
        }
    }
    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Start after") }
        TextField {
            objectName: "startAfterField"
            Layout.fillWidth: true
            placeholderText: qsTr("Job ids, e.g. 12, 13: starts once they have completed")
            text: fields.form.startAfter
            onTextEdited: fields.form.startAfter = text
            onAccepted: fields.submitted()
            selectByMouse: true
            Accessible.name: qsTr("Start after jobs")
        }
        Button {
            objectName: "startAfterSelectedButton"
            text: qsTr("Selected jobs")
            enabled: fields.selectedJobIds.length > 0
            onClicked: fields.form.startAfter = fields.selectedJobIds.join(", ")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Start after the jobs selected in the list")
        }
    }
    RowLayout {
        Layout.fillWidth: true
        spacing: fields.columnSpacing
        FieldLabel { text: qsTr("Start at") }
        TextField {
            objectName: "startWhenField"
            Layout.fillWidth: true
            placeholderText: qsTr("Now; or 23:00, 2026-12-02T03:00, or a delay like 10m")
            text: fields.form.startWhen
            onTextEdited: fields.form.startWhen = text
            onAccepted: fields.submitted()
            selectByMouse: true
            Accessible.name: qsTr("Start at")
        }
    }
    ErrorText { objectName: "queueError"; text: fields.form.queueError }
}
