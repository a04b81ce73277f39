import QtQuick
import QtQuick.Dialogs

// The desktop's folder dialog for the working directory. Loaded only when asked for, so that
// the New job form still works (and can say why) when the dialog's modules are missing.
FolderDialog {
    id: picker

    // A chosen folder as a local path.
    signal picked(string path)

    title: qsTr("Working directory")
    onAccepted: picked(decodeURIComponent(selectedFolder.toString().replace(/^file:\/\//, "")))
}
