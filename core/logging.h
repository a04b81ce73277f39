#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <spdlog/spdlog.h>

#include <fmt/format.h>

// Lets spdlog/fmt format QString and QByteArray directly.
template<>
struct fmt::formatter<QString> : fmt::formatter<std::string_view> {
    auto format(const QString &s, format_context &ctx) const -> decltype(ctx.out()) {
        const QByteArray utf8 = s.toUtf8();
        return fmt::formatter<std::string_view>::format(
            std::string_view(utf8.constData(), size_t(utf8.size())), ctx);
    }
};

template<>
struct fmt::formatter<QByteArray> : fmt::formatter<std::string_view> {
    auto format(const QByteArray &s, format_context &ctx) const -> decltype(ctx.out()) {
        return fmt::formatter<std::string_view>::format(
            std::string_view(s.constData(), size_t(s.size())), ctx);
    }
};

namespace jobmonitor {

// The XDG state directory for Job Monitor: $XDG_STATE_HOME/jobmonitor, or
// ~/.local/state/jobmonitor.
QString defaultStateDirectory();

// One logger for the whole process: stderr plus a rotating file <stateDir>/jobmonitor.log
// (5 MiB, 3 files). Qt's own messages (qDebug, qWarning, ...) are routed into it. The state
// folder is made private (ensurePrivateDirectory) and the file opened by openPrivateFile().
// Returns an error message when the log file cannot be opened (stderr logging still works).
QString setupLogging(const QString &stateDir,
                     spdlog::level::level_enum level = spdlog::level::info);

// The log file's sink: appends to path until it would pass maxBytes, then moves it to
// <name>.1.<suffix> (.1 to .2, ..., keeping fileCount old files) and starts a new one.
// Returns null and sets error when path cannot be opened.
spdlog::sink_ptr makeRotatingFileSink(const QString &path, std::size_t maxBytes,
                                      std::size_t fileCount, QString *error, QStringList *notes);

// The same logger for tests and tools that have no state directory: stderr only.
void setupStderrLogging(spdlog::level::level_enum level = spdlog::level::warn);

} // namespace jobmonitor
