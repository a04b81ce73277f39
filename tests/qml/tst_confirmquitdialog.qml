import QtQuick
import QtQuick.Controls
import QtTest
import JobMonitor

TestCase {
    id: testCase
    name: "ConfirmQuitDialog"
    when: windowShown
    width: 640
    height: 400

    Component {
        id: dialogComponent
        ConfirmQuitDialog {}
    }
    Component {
        id: spyComponent
        SignalSpy {}
    }

    function openDialog(activeCount) {
        const dialog = createTemporaryObject(dialogComponent, testCase, { activeCount: activeCount })
        dialog.open()
        tryCompare(dialog, "opened", true)
        return dialog
    }

    function test_question_data() {
        return [
            { tag: "one", count: 1, text: "1 job is still active." },
            { tag: "three", count: 3, text: "3 jobs are still active." },
        ]
    }

    function test_question(data) {
        const dialog = openDialog(data.count)
        compare(findChild(dialog.contentItem, "confirmQuestion").text, data.text)
        dialog.close()
    }

    function test_stopAllAndQuit() {
        const dialog = openDialog(2)
        const stop = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "stopAllAndQuit" })
        const keep = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "keepWorking" })
        mouseClick(findChild(dialog.footer, "stopAllButton"))
        compare(stop.count, 1)
        compare(keep.count, 0)
        tryCompare(dialog, "visible", false)
    }

    function test_keepWorking() {
        const dialog = openDialog(2)
        const stop = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "stopAllAndQuit" })
        const keep = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "keepWorking" })
        mouseClick(findChild(dialog.footer, "keepWorkingButton"))
        compare(keep.count, 1)
        compare(stop.count, 0)
        tryCompare(dialog, "visible", false)
    }

    // The safe answer has the keyboard focus, so a stray Enter does not kill anything.
    function test_enterKeepsWorking() {
        const dialog = openDialog(1)
        const stop = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "stopAllAndQuit" })
        verify(findChild(dialog.footer, "keepWorkingButton").activeFocus)
        keyClick(Qt.Key_Space)
        compare(stop.count, 0)
        tryCompare(dialog, "visible", false)
    }
}
