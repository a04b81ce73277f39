#include "logging.h"

#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtGlobal>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
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

// spdlog's own rotating file sink keeps a FILE* that every child inherits (Debian builds spdlog
// without SPDLOG_PREVENT_CHILD_FD), opens with the umask's mode and follows links. This one
// opens through openPrivateFile() and rotates the way spdlog's does: jobmonitor.log becomes
// jobmonitor.1.log, .1 becomes .2, and so on up to fileCount.
class RotatingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    RotatingFileSink(QString path, std::size_t maxBytes, std::size_t fileCount, int fd)
        : m_path(std::move(path))
        , m_maxBytes(maxBytes)
        , m_fileCount(fileCount)
        , m_fd(fd) {
        m_size = currentSize();
    }
    ~RotatingFileSink() override {
        std::lock_guard<std::mutex> lock(mutex_);
        try {
            writePending();
        } catch (const spdlog::spdlog_ex &) {
            // Nobody is left to tell.
        }
        if (m_fd >= 0)
            ::close(m_fd);
    }

protected:
    void sink_it_(const spdlog::details::log_msg &message) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(message, formatted);
        std::string failure;
        if (m_fd >= 0 && m_size > 0 && m_size + formatted.size() > m_maxBytes)
            failure = rotate();
        else if (m_fd < 0)
            failure = reopen(); // an earlier rotation could not open the new file
        if (m_fd >= 0) {
            m_pending.append(formatted.data(), formatted.data() + formatted.size());
            m_size += formatted.size();
        }
        // spdlog reports a sink's exception on stderr and carries on.
        if (!failure.empty())
            throw spdlog::spdlog_ex(failure);
        // Lines wait for flush(), which spdlog calls every second and after a warning, so
        // that a busy log costs one write(2) per batch rather than per line.
        if (m_pending.size() >= PendingLimit)
            writePending();
    }

    void flush_() override { writePending(); }

private:
    static constexpr std::size_t PendingLimit = 64 * 1024;

    void writePending() {
        const char *data = m_pending.data();
        std::size_t left = m_pending.size();
        while (left > 0 && m_fd >= 0) {
            const ssize_t written = ::write(m_fd, data, left);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0) {
                const int error = errno;
                m_pending.clear();
                throw spdlog::spdlog_ex("cannot write " + QFile::encodeName(m_path).toStdString(),
                                        error);
            }
            data += written;
            left -= std::size_t(written);
        }
        m_pending.clear();
    }

    QString rotatedPath(std::size_t index) const {
        if (index == 0)
            return m_path;
        const QFileInfo info(m_path);
        const QString suffix = info.suffix();
        QString name = info.completeBaseName() + QLatin1Char('.') + QString::number(index);
        if (!suffix.isEmpty())
            name += QLatin1Char('.') + suffix;
        return info.dir().filePath(name);
    }

    std::size_t currentSize() const {
        struct stat info = {};
        return m_fd >= 0 && ::fstat(m_fd, &info) == 0 ? std::size_t(info.st_size) : 0;
    }

    // Returns what went wrong, or an empty string.
    std::string rotate() {
        std::string failure;
        try {
            writePending();
        } catch (const spdlog::spdlog_ex &e) {
            failure = e.what();
        }
        ::close(m_fd);
        m_fd = -1;
        for (std::size_t index = m_fileCount; index > 0; --index) {
            const QByteArray from = QFile::encodeName(rotatedPath(index - 1));
            const QByteArray to = QFile::encodeName(rotatedPath(index));
            // rename() moves a link itself, never what it points to.
            if (::rename(from.constData(), to.constData()) != 0 && errno != ENOENT &&
                failure.empty())
                failure = "cannot rename " + from.toStdString() + ": " + std::strerror(errno);
        }
        const std::string reopened = reopen();
        return failure.empty() ? reopened : failure;
    }

    std::string reopen() {
        QString error;
        m_fd = openPrivateFile(m_path, &error, nullptr);
        m_size = currentSize();
        if (m_fd >= 0)
            return std::string();
        return "cannot open " + QFile::encodeName(m_path).toStdString() + ": " +
               error.toStdString();
    }

    const QString m_path;
    const std::size_t m_maxBytes;
    const std::size_t m_fileCount;
    int m_fd;
    std::size_t m_size = 0; // of the current file, pending lines included
    std::string m_pending;
};

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

spdlog::sink_ptr makeRotatingFileSink(const QString &path, std::size_t maxBytes,
                                      std::size_t fileCount, QString *error, QStringList *notes) {
    QString reason;
    const int fd = openPrivateFile(path, &reason, notes);
    if (fd < 0) {
        *error = QStringLiteral("cannot open log file %1: %2").arg(path, reason);
        return nullptr;
    }
    return std::make_shared<RotatingFileSink>(path, maxBytes, fileCount, fd);
}

QString setupLogging(const QString &stateDir, spdlog::level::level_enum level) {
    std::vector<spdlog::sink_ptr> sinks{stderrSink()};
    QStringList notes;
    QString error = ensurePrivateDirectory(stateDir, QStringLiteral("state folder"), &notes);
    if (error.isEmpty()) {
        const QString path = QDir(stateDir).filePath(QStringLiteral("jobmonitor.log"));
        if (spdlog::sink_ptr file =
                makeRotatingFileSink(path, maxLogFileBytes, logFileCount, &error, &notes))
            sinks.push_back(std::move(file));
    }
    installLogger(std::move(sinks), level);
    // Keeps info lines from waiting in the file sink for long.
    spdlog::flush_every(std::chrono::seconds(1));
    for (const QString &note : std::as_const(notes))
        spdlog::info("{}", note);
    if (!error.isEmpty())
        spdlog::warn("logging to stderr only: {}", error);
    return error;
}

void setupStderrLogging(spdlog::level::level_enum level) {
    installLogger({stderrSink()}, level);
}

} // namespace jobmonitor
