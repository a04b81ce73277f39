import QtQuick
import QtTest
import JobMonitor

TestCase {
    id: testCase
    name: "JobFormFields"
    when: windowShown
    visible: true // TestCase hides itself by default; these tests check what is shown
    width: 720
    height: 640

    Component {
        id: fieldsComponent
        JobFormFields {
            width: 700
            form: JobForm {}
        }
    }
    Component {
        id: detailsComponent
        JobDetails {}
    }

    property var created: []

    function createFields() {
        const fields = createTemporaryObject(fieldsComponent, testCase)
        verify(fields && fields.form)
        created.push(fields)
        return fields
    }

    // Qt 6.4's layouts can crash when a visible layout is destroyed right after its fields
    // changed (QQuickGridLayoutBase::invalidate on a half-destroyed layout); hidden first,
    // nothing relayouts during destruction.
    function cleanup() {
        for (const fields of created)
            fields.visible = false
        created = []
    }

    // Types like a user: focus, select what is there, type over it.
    function typeInto(fields, fieldName, text) {
        const field = findChild(fields, fieldName)
        verify(field, fieldName)
        field.forceActiveFocus()
        field.selectAll()
        if (text.length === 0)
            keyClick(Qt.Key_Delete)
        for (const c of text)
            keyClick(c)
        return field
    }

    function test_emptyCommandBlocksStartWithoutScolding() {
        const fields = createFields()
        verify(!fields.form.valid)
        verify(!findChild(fields, "commandError").visible)
        compare(fields.form.start(), -1)
        // Start is greyed out, and the form says why.
        compare(fields.form.startHint, "Enter a command to start the job")
        typeInto(fields, "commandField", "true")
        compare(fields.form.startHint, "")
        typeInto(fields, "timeoutField", "soon")
        verify(fields.form.startHint.indexOf("Correct the field") === 0)
    }

    // Browse opens the folder dialog. It is built on Qt.labs.folderlistmodel, which a fresh
    // machine lacked: then it silently did nothing.
    function test_browseOpensTheFolderPicker() {
        const fields = createFields()
        mouseClick(findChild(fields, "browseButton"))
        compare(fields.folderPickerError, "")
        verify(!findChild(fields, "folderPickerError").visible)
        const loader = findChild(fields, "folderPickerLoader")
        verify(loader && loader.item, "no folder picker")
        tryCompare(loader.item, "visible", true)
        loader.item.reject()
        tryCompare(loader.item, "visible", false)
    }
    // A module the picker needs that is not installed is named in the form, with its package.
    function test_missingModuleIsReported() {
        const fields = createFields()
        fields.folderPickerModule = "Qt.labs.nosuchmodule"
        mouseClick(findChild(fields, "browseButton"))
        const error = findChild(fields, "folderPickerError")
        verify(error.visible)
        verify(error.text.indexOf("Qt.labs.nosuchmodule") >= 0, error.text)
        verify(error.text.indexOf("qml6-module-qt-labs-nosuchmodule") >= 0, error.text)
        // The folder can still be typed.
        typeInto(fields, "workingDirectoryField", "/tmp")
        compare(fields.form.workingDirectory, "/tmp")
    }

    function test_fieldError_data() {
        return [
            { tag: "timeout not a number", field: "timeoutField", text: "abc", error: "timeoutError", message: "number of seconds" },
            { tag: "negative timeout", field: "timeoutField", text: "-5", error: "timeoutError", message: "negative" },
            { tag: "timeout below the resolution", field: "timeoutField", text: "0.0001", error: "timeoutError", message: "resolution of 1 ms" },
            { tag: "huge timeout", field: "timeoutField", text: "1e300", error: "timeoutError", message: "at most 31536000000 ms (365 days)" },
            { tag: "huge grace", field: "graceField", text: "99999999999", error: "graceError", message: "at most 86400000 ms (24 hours)" },
            { tag: "retries not whole", field: "retriesField", text: "2.5", error: "retriesError", message: "whole number" },
            { tag: "too many retries", field: "retriesField", text: "101", error: "retriesError", message: "at most 100" },
            { tag: "huge retries", field: "retriesField", text: "99999999999999999999", error: "retriesError", message: "at most 100" },
            { tag: "backoff factor below 1", field: "backoffFactorField", text: "0.5", error: "backoffError", message: "1 to 100" },
            { tag: "backoff cap below first delay", field: "backoffCapField", text: "0.5", error: "backoffError", message: "shorter" },
            { tag: "grace not a number", field: "graceField", text: "soon", error: "graceError", message: "number of seconds" },
            { tag: "missing folder", field: "workingDirectoryField", text: "/no/such/folder", error: "workingDirectoryError", message: "No such folder" },
            { tag: "memory limit not a size", field: "memoryLimitField", text: "lots", error: "memoryLimitError", message: "is not a size" },
            { tag: "memory limit too small", field: "memoryLimitField", text: "10K", error: "memoryLimitError", message: "at least 1 MiB" },
            { tag: "nice not a number", field: "nicenessField", text: "low", error: "nicenessError", message: "whole number from -20 to 19" },
            { tag: "nice out of range", field: "nicenessField", text: "25", error: "nicenessError", message: "-20 to 19, not 25" },
            { tag: "I/O class unknown", field: "ioPriorityField", text: "fast", error: "ioPriorityError", message: "is not an I/O class" },
            { tag: "I/O level too high", field: "ioPriorityField", text: "best-effort,9", error: "ioPriorityError", message: "0 to 7, not 9" },
            { tag: "progress pattern without a group", field: "progressPatternField", text: "[0-9]+%", error: "progressPatternError", message: "needs a named group" },
            { tag: "start delay not a delay", field: "startWhenField", text: "soonish", error: "queueError", message: "'soonish' is not a delay" },
        ]
    }

    function test_fieldError(data) {
        const fields = createFields()
        typeInto(fields, "commandField", "true")
        verify(fields.form.valid)
        const field = typeInto(fields, data.field, data.text)
        const error = findChild(fields, data.error)
        verify(error.visible, "no message shown for " + data.tag)
        verify(error.text.indexOf(data.message) >= 0, error.text)
        verify(!fields.form.valid)
        // Nothing typed is lost while it is wrong.
        compare(field.text, data.text)
        compare(findChild(fields, "commandField").text, "true")
    }

    function test_environmentLines() {
        const fields = createFields()
        typeInto(fields, "commandField", "env")
        typeInto(fields, "environmentField", "A=1")
        keyClick(Qt.Key_Return)
        for (const c of "not a variable")
            keyClick(c)
        verify(findChild(fields, "environmentError").text.indexOf("Line 2") >= 0)
        verify(!fields.form.valid)
        typeInto(fields, "environmentField", "A=1")
        keyClick(Qt.Key_Return)
        keyClick(Qt.Key_Return)
        for (const c of "B=two words")
            keyClick(c)
        compare(fields.form.environment, "A=1\n\nB=two words")
        verify(!findChild(fields, "environmentError").visible)
        verify(fields.form.valid)
    }

    function test_fixingAFieldClearsItsError() {
        const fields = createFields()
        typeInto(fields, "commandField", "true")
        typeInto(fields, "timeoutField", "x")
        verify(!fields.form.valid)
        typeInto(fields, "timeoutField", "2.5")
        verify(!findChild(fields, "timeoutError").visible)
        verify(fields.form.valid)
    }

    function test_startRemembersCommandAndRunsAgain() {
        const fields = createFields()
        const command = "exit 0 # " + Date.now()
        typeInto(fields, "commandField", command)
        typeInto(fields, "nameField", "quick job")
        typeInto(fields, "retriesField", "2")
        const id = fields.form.start()
        verify(id >= 0, fields.form.startError)
        compare(fields.form.recentCommands[0], command)

        const details = createTemporaryObject(detailsComponent, testCase, { jobId: id })
        tryCompare(details, "stateName", "Completed", 10000)

        const again = createFields()
        verify(again.form.loadFromJob(id))
        compare(findChild(again, "commandField").text, command)
        compare(findChild(again, "nameField").text, "quick job")
        compare(findChild(again, "retriesField").text, "2")
        verify(again.form.valid)
    }
}
