#include "logging.h"

#include <QDir>
#include <QFile>
#include <QtGlobal>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

namespace jobmonitor {

namespace {

constexpr auto loggerName = "jobmonitor";
constexpr std::size_t maxLogFileBytes = 5 * 1024 * 1024;
constexpr std::size_t logFileCount = 3;

spdlog::level::level_enum levelFor(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return spdlog::level::debug;
    case QtInfoMsg:
        return spdlog::level::info;
    case QtWarningMsg:
        return spdlog::level::warn;
    case QtCriticalMsg:
        return spdlog::level::err;
    case QtFatalMsg:
        return spdlog::level::critical;
    }
    return spdlog::level::warn;
}

void routeQtMessage(QtMsgType type, const QMessageLogContext &context, const QString &message) {
    spdlog::logger *logger = spdlog::default_logger_raw();
    const spdlog::level::level_enum level = levelFor(type);
    if (!logger->should_log(level))
        return;
    if (context.category && std::strcmp(context.category, "default") != 0)
        logger->log(level, "{}: {}", context.category, message);
    else
        logger->log(level, "{}", message);
    // Qt aborts after a fatal message: make sure it reaches the file first.
    if (type == QtFatalMsg)
        logger->flush();
}

// Makes a logger with the given sinks the process's default one, replacing any earlier one.
void installLogger(std::vector<spdlog::sink_ptr> sinks, spdlog::level::level_enum level) {
    auto logger = std::make_shared<spdlog::logger>(loggerName, sinks.begin(), sinks.end());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%^%l%$] %v");
    logger->set_level(level);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    qInstallMessageHandler(routeQtMessage);
}

spdlog::sink_ptr stderrSink() {
    // Colours only when stderr is a terminal.
    return std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
}

} // namespace

QString defaultStateDirectory() {
    // Per the XDG base directory spec, a relative $XDG_STATE_HOME is invalid and ignored.
    const QString xdgStateHome = qEnvironmentVariable("XDG_STATE_HOME");
    const QString base = QDir::isAbsolutePath(xdgStateHome)
                             ? xdgStateHome
                             : QDir::homePath() + QStringLiteral("/.local/state");
    return QDir::cleanPath(base + QStringLiteral("/jobmonitor"));
}

QString setupLogging(const QString &stateDir, spdlog::level::level_enum level) {
    std::vector<spdlog::sink_ptr> sinks{stderrSink()};
    const QString path = QDir(stateDir).filePath(QStringLiteral("jobmonitor.log"));
    QString error;
    std::error_code ec;
    std::filesystem::create_directories(QFile::encodeName(stateDir).toStdString(), ec);
    if (ec) {
        error = QStringLiteral("cannot create state folder %1: %2")
                    .arg(stateDir, QString::fromLocal8Bit(ec.message()));
    } else {
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                QFile::encodeName(path).toStdString(), maxLogFileBytes, logFileCount));
        } catch (const spdlog::spdlog_ex &e) {
            error = QStringLiteral("cannot open log file %1: %2")
                        .arg(path, QString::fromLocal8Bit(e.what()));
        }
    }
    installLogger(std::move(sinks), level);
    // Keeps info lines from sitting in the file buffer for long.
    spdlog::flush_every(std::chrono::seconds(1));
    if (!error.isEmpty())
        spdlog::warn("logging to stderr only: {}", error);
    return error;
}

void setupStderrLogging(spdlog::level::level_enum level) {
    installLogger({stderrSink()}, level);
}

} // namespace jobmonitor
