#include "settingsfile.h"

#include "logging.h"
#include "privatefiles.h"

#include <QDir>
#include <QFileInfo>

#include <unistd.h>

namespace jobmonitor {

namespace {

QString &currentFile() {
    static QString path;
    return path;
}

} // namespace

QString defaultSettingsFile() {
    // Per the XDG base directory spec, a relative $XDG_CONFIG_HOME is invalid and ignored.
    const QString xdgConfigHome = qEnvironmentVariable("XDG_CONFIG_HOME");
    const QString base = QDir::isAbsolutePath(xdgConfigHome)
                             ? xdgConfigHome
                             : QDir::homePath() + QStringLiteral("/.config");
    return QDir::cleanPath(base + QStringLiteral("/jobmonitor/jobmonitor.conf"));
}

QString settingsFileInStateDir(const QString &stateDir) {
    return QDir::cleanPath(QDir(stateDir).absoluteFilePath(QStringLiteral("jobmonitor.conf")));
}

void setSettingsFile(const QString &path) {
    currentFile() = path;
}

QString settingsFile() {
    return currentFile().isEmpty() ? defaultSettingsFile() : currentFile();
}

std::unique_ptr<QSettings> openSettings() {
    const QString path = settingsFile();
    QStringList notes;
    QString error =
        ensurePrivateDirectory(QFileInfo(path).path(), QStringLiteral("settings folder"), &notes);
    if (error.isEmpty()) {
        const int fd = openPrivateFile(path, &error, &notes);
        if (fd >= 0)
            ::close(fd);
        else
            error = QStringLiteral("cannot open settings file %1: %2").arg(path, error);
    }
    for (const QString &note : std::as_const(notes))
        spdlog::info("settings: {}", note);
    if (!error.isEmpty()) {
        spdlog::warn("settings are not kept: {}", error);
        return nullptr;
    }
    return std::make_unique<QSettings>(path, QSettings::IniFormat);
}

} // namespace jobmonitor
