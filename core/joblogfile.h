#pragma once

#include <QByteArrayView>
#include <QFile>
#include <QString>

namespace jobmonitor {

// The full output of one job, both channels as they arrived, appended to one file.
// A failing disk never stops the job: the first write error is remembered (and logged once),
// later writes are dropped and counted.
class JobLogFile {
public:
    JobLogFile() = default;
    ~JobLogFile();
    JobLogFile(const JobLogFile &) = delete;
    JobLogFile &operator=(const JobLogFile &) = delete;

    // Creates missing parent folders; returns false and sets error() when it cannot.
    bool open(const QString &path);
    void write(QByteArrayView data);
    // Appends a line of Job Monitor's own ("=== attempt 2 started ... ===") to the log.
    void writeNote(const QString &note);
    // Writes what write() buffered; notes and close() flush by themselves.
    void flush();
    void close();
    // Names the job (and attempt) in the log line about a write error.
    void setLabel(const QString &label) { m_label = label; }

    bool isOpen() const { return m_file.isOpen(); }
    QString path() const { return m_path; }
    QString error() const { return m_error; }
    qint64 bytesWritten() const { return m_written; } // flushed to the file
    qint64 bytesDropped() const { return m_dropped; }

private:
    void fail(const QString &what);

    QFile m_file;
    QString m_path;
    QString m_label = QStringLiteral("job");
    QString m_error;
    qint64 m_written = 0;
    qint64 m_dropped = 0;
    qint64 m_buffered = 0;     // written to the buffer, not yet flushed
    bool m_atLineStart = true; // the last byte written ended a line
};

} // namespace jobmonitor
