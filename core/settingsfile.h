#pragma once

#include <QSettings>
#include <QString>

#include <memory>

namespace jobmonitor {

// Where Job Monitor keeps its settings (the New job form's recent commands today; retention
// and notifications later): one INI file,
// - $XDG_CONFIG_HOME/jobmonitor/jobmonitor.conf (~/.config when unset or not absolute), or
// - <state-dir>/jobmonitor.conf when the command line names a state folder, so that an
//   instance with a state folder of its own (a test, a second setup) shares nothing with the
//   user's.
QString defaultSettingsFile();
QString settingsFileInStateDir(const QString &stateDir);

// The settings file of this process: main() sets it before anything reads settings; until
// then it is defaultSettingsFile().
void setSettingsFile(const QString &path);
QString settingsFile();

// QSettings on settingsFile(), with its folder made private and the file created with mode
// 0600 first: QSettings writes through QSaveFile, which keeps an existing file's mode but
// gives a new one the umask's. Null (and a line in the log) when the folder is refused.
std::unique_ptr<QSettings> openSettings();

} // namespace jobmonitor
