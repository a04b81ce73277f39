#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

namespace jobmonitor {

class Job;

// One attempt of a job as the output view marks it.
struct AttemptMark {
    int attempt = 0; // counted over the job's whole life, Retry included
    QDateTime startedAt;
    QString traceId;    // empty when the attempt started before the window saw the job
    qint64 firstLine{}; // number of its first output line; 0 when not known
    bool operator==(const AttemptMark &) const = default;
};

// Where each attempt of a job begins in its output. The job keeps one output for all of its
// attempts and records neither the line an attempt starts at nor the trace ids of earlier
// attempts, so this watches the job from the moment the window first sees it (the job list
// creates one for every job as it is added) and notes both at each Launch.
class AttemptTracker : public QObject {
    Q_OBJECT
public:
    // The job's tracker, created (as a child of the job, so it lives as long) on first use.
    static AttemptTracker *of(Job *job);

    const QList<AttemptMark> &marks() const { return m_marks; }

Q_SIGNALS:
    void marksChanged();

private:
    explicit AttemptTracker(Job *job);

    QList<AttemptMark> m_marks;
};

} // namespace jobmonitor
