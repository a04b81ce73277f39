#pragma once

#include "outputbuffer.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The kept tail of one job's output, one row per line. The buffer signals every chunk; the
// model folds those into at most one update per frame (16 ms), so a job flooding output
// costs the window a bounded amount of work.
class OutputModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("A job's output comes from JobDetails.output.")
    Q_PROPERTY(qint64 droppedLines READ droppedLines NOTIFY statsChanged)
    Q_PROPERTY(qint64 totalLines READ totalLines NOTIFY statsChanged)
public:
    enum Role {
        TextRole = Qt::UserRole + 1, // string: the line, decoded for display
        StderrRole,                  // bool: the line came from stderr
        NumberRole,                  // int: 1-based line number over the job's whole output
        CompleteRole,                // bool: false while the line has not seen its newline
    };
    Q_ENUM(Role)

    explicit OutputModel(QObject *parent = nullptr);

    void setBuffer(OutputBuffer *buffer);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    qint64 droppedLines() const;
    qint64 totalLines() const;

    // Next row after (or, backwards, before) fromRow whose text contains text, ignoring case,
    // wrapping around; -1 when no line matches.
    Q_INVOKABLE int find(const QString &text, int fromRow, bool backwards = false) const;
    // Text of rows first..last (inclusive, either order), one line each.
    Q_INVOKABLE QString text(int first, int last) const;

Q_SIGNALS:
    void statsChanged();

private:
    void scheduleSync();
    void sync();
    void reset();

    QPointer<OutputBuffer> m_buffer;
    QList<OutputLine> m_lines;
    qint64 m_completed = 0; // the buffer's completedLines() as of the rows shown
    int m_openRows = 0;     // rows at the end that show open (partial) lines
    QTimer m_batchTimer;
};

} // namespace jobmonitor
