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
            { tag: "one", count: 1, text: "1 job still active." },
            { tag: "three", count: 3, text: "3 jobs still active." },
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

    function spies(dialog) {
        return {
            stop: createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "stopAllAndQuit" }),
            keep: createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "keepWorking" })
        }
    }

    // The safe answer is the default: it has the focus and the highlight, and Return (or
    // Enter) presses it, so a stray Return kills nothing.
    function test_returnPressesTheDefault_data() {
        return [ { tag: "Return", key: Qt.Key_Return }, { tag: "Enter", key: Qt.Key_Enter },
                 { tag: "Space", key: Qt.Key_Space } ]
    }
    function test_returnPressesTheDefault(data) {
        const dialog = openDialog(1)
        const spy = spies(dialog)
        const keep = findChild(dialog.footer, "keepWorkingButton")
        verify(keep.activeFocus)
        verify(keep.highlighted)
        verify(!findChild(dialog.footer, "stopAllButton").highlighted)
        keyClick(data.key)
        compare(spy.keep.count, 1)
        compare(spy.stop.count, 0)
        tryCompare(dialog, "visible", false)
    }

    function test_escapeKeepsWorking() {
        const dialog = openDialog(2)
        const spy = spies(dialog)
        keyClick(Qt.Key_Escape)
        compare(spy.keep.count, 1)
        compare(spy.stop.count, 0)
        tryCompare(dialog, "visible", false)
    }

    // Tab moves the focus, and the highlight with it, to "Stop all and quit"; Return presses it.
    function test_tabThenReturnStops() {
        const dialog = openDialog(2)
        const spy = spies(dialog)
        keyClick(Qt.Key_Tab)
        const stop = findChild(dialog.footer, "stopAllButton")
        verify(stop.activeFocus)
        verify(stop.highlighted)
        verify(!findChild(dialog.footer, "keepWorkingButton").highlighted)
        keyClick(Qt.Key_Return)
        compare(spy.stop.count, 1)
        compare(spy.keep.count, 0)
        tryCompare(dialog, "visible", false)
    }
}
