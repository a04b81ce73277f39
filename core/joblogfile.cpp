#include "joblogfile.h"

#include "logging.h"
#include "privatefiles.h"

#include <QFileInfo>

#include <unistd.h>

namespace jobmonitor {

JobLogFile::~JobLogFile() {
    close();
}

bool JobLogFile::open(const QString &path) {
    close();
    m_path = path;
    m_error.clear();
    m_written = 0;
    m_dropped = 0;
    m_buffered = 0;
    m_atLineStart = true;

    QStringList notes;
    const QString folder = QFileInfo(path).absolutePath();
    if (const QString error = ensurePrivateDirectory(folder, QStringLiteral("log folder"), &notes);
        !error.isEmpty()) {
        fail(error);
        return false;
    }
    // Opened here rather than with QIODevice::Append, which seeks and warns on devices that
    // cannot seek; O_APPEND appends at the kernel level on any kind of file.
    QString reason;
    const int fd = openPrivateFile(path, &reason, &notes);
    for (const QString &note : std::as_const(notes))
        spdlog::info("{}: job log: {}", m_label, note);
    if (fd < 0) {
        fail(QStringLiteral("cannot open %1: %2").arg(path, reason));
        return false;
    }
    if (!m_file.open(fd, QIODevice::WriteOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        fail(QStringLiteral("cannot open %1: %2").arg(path, m_file.errorString()));
        return false;
    }
    return true;
}

void JobLogFile::write(QByteArrayView data) {
    if (data.isEmpty())
        return;
    if (!m_file.isOpen() || !m_error.isEmpty()) {
        m_dropped += data.size();
        return;
    }
    // Buffered: a job printing a line a millisecond would otherwise cost the event loop a
    // write(2) per line. The owner calls flush() a few times a second.
    m_buffered += data.size();
    if (m_file.write(data.data(), data.size()) != data.size()) {
        fail(QStringLiteral("cannot write %1: %2").arg(m_path, m_file.errorString()));
        return;
    }
    m_atLineStart = data.back() == '\n';
}

void JobLogFile::writeNote(const QString &note) {
    QByteArray line;
    if (!m_atLineStart)
        line += '\n';
    line += "=== " + note.toUtf8() + " ===\n";
    write(line);
    flush();
}

void JobLogFile::flush() {
    if (!m_file.isOpen() || !m_error.isEmpty())
        return;
    if (!m_file.flush()) {
        fail(QStringLiteral("cannot write %1: %2").arg(m_path, m_file.errorString()));
        return;
    }
    m_written += std::exchange(m_buffered, 0);
}

void JobLogFile::close() {
    if (!m_file.isOpen())
        return;
    flush();
    m_file.close();
}

void JobLogFile::fail(const QString &what) {
    // Whatever was buffered did not reach the file.
    m_dropped += std::exchange(m_buffered, 0);
    if (!m_error.isEmpty())
        return;
    m_error = what;
    spdlog::error("{}: job log: {}", m_label, m_error);
}

} // namespace jobmonitor
