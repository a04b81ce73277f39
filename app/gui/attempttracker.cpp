#include "attempttracker.h"

#include "job.h"
#include "jobformat.h"

namespace jobmonitor {

AttemptTracker *AttemptTracker::of(Job *job) {
    if (auto *tracker = job->findChild<AttemptTracker *>(QString(), Qt::FindDirectChildrenOnly))
        return tracker;
    return new AttemptTracker(job);
}

AttemptTracker::AttemptTracker(Job *job)
    : QObject(job) {
    // Attempts that began before now: their times are in the history, but only the first
    // attempt's first line (line 1) and the latest attempt's trace id are certain.
    const QList<Transition> &history = job->history();
    const QList<int> attempts = jobWideAttempts(history);
    for (qsizetype i = 0; i < history.size(); ++i) {
        if (history[i].event == JobEvent::Launch)
            m_marks.append({attempts[i], history[i].time, QString(), attempts[i] == 1 ? 1 : 0});
    }
    if (!m_marks.isEmpty())
        m_marks.last().traceId = job->traceId();

    connect(job, &Job::transitioned, this, [this, job](const Transition &transition) {
        if (transition.event != JobEvent::Launch)
            return;
        // The previous attempt's open lines were completed when it ended, so the next line
        // to open, whatever its channel, is this attempt's first.
        m_marks.append({jobWideAttempts(job->history()).constLast(), transition.time,
                        job->traceId(), job->output()->totalLines() + 1});
        Q_EMIT marksChanged();
    });
    connect(job->output(), &OutputBuffer::cleared, this, [this] {
        // Line numbers start again at 1: the marks no longer point anywhere.
        for (AttemptMark &mark : m_marks)
            mark.firstLine = 0;
        Q_EMIT marksChanged();
    });
}

} // namespace jobmonitor
