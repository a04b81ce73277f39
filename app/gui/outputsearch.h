#pragma once

#include "outputbuffer.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <atomic>
#include <memory>

namespace jobmonitor {

// Search over a job's whole saved output, not only the tail the window keeps: every attempt's
// files are read again, in the order the output arrived, on a pool thread, and the matching
// lines come in as they are found, one row each with the line's number (the same numbers as
// the tail's, so a match the tail still holds can be jumped to). However large the output,
// the window only receives the matches, at most MaxMatches of them.
class OutputSearchModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The whole output search comes from JobDetails.outputSearch.")
    Q_PROPERTY(QString text READ text NOTIFY changed)
    // Reading the files.
    Q_PROPERTY(bool running READ isRunning NOTIFY changed)
    // The search ran to the end of the output (or stopped at MaxMatches).
    Q_PROPERTY(bool finished READ isFinished NOTIFY changed)
    // Stopped at MaxMatches: later lines may match too.
    Q_PROPERTY(bool truncated READ isTruncated NOTIFY changed)
    Q_PROPERTY(int count READ count NOTIFY changed)
    // Bytes read so far of the saved output, and its size when the search started.
    Q_PROPERTY(double scannedBytes READ scannedBytes NOTIFY changed)
    Q_PROPERTY(double totalBytes READ totalBytes NOTIFY changed)
public:
    static constexpr int MaxMatches = 10000;

    enum Role {
        LineRole = Qt::UserRole + 1, // double: 1-based number over the job's whole output
        TextRole,                    // string: the line as shown, escape sequences removed
        StderrRole,                  // bool: the line came from stderr
        AttemptRole,                 // int: the attempt that printed it
    };
    Q_ENUM(Role)

    // One attempt's saved output (its stdout, stderr and index).
    struct Source {
        int attempt = 0;
        QString directory;
        bool operator==(const Source &) const = default;
    };

    explicit OutputSearchModel(QObject *parent = nullptr);
    ~OutputSearchModel() override;

    // The output to search; when it changes, a search under way stops and the matches go.
    void setSources(const QList<Source> &sources);
    QList<Source> sources() const { return m_sources; }

    QString text() const { return m_text; }
    bool isRunning() const { return m_running; }
    bool isFinished() const { return m_finished; }
    bool isTruncated() const { return m_truncated; }
    int count() const { return int(m_matches.size()); }
    double scannedBytes() const { return double(m_scanned); }
    double totalBytes() const { return double(m_total); }

    // Searches for text, ignoring case, as the output view does; empty text clears.
    Q_INVOKABLE void start(const QString &text);
    Q_INVOKABLE void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    struct Match {
        qint64 line = 0;
        QString text;
        bool stderrLine = false;
        int attempt = 0;
    };

Q_SIGNALS:
    void changed();

private:
    void stop();
    void take(quint64 generation, const QList<Match> &matches, qint64 scanned, bool done,
              bool truncated);

    QList<Source> m_sources;
    QString m_text;
    QList<Match> m_matches;
    std::shared_ptr<std::atomic_bool> m_cancelled;
    quint64 m_generation = 0;
    qint64 m_scanned = 0;
    qint64 m_total = 0;
    bool m_running = false;
    bool m_finished = false;
    bool m_truncated = false;
};

} // namespace jobmonitor
