#include "dependencies.h"

#include "wakeup.h"

#include <QSet>
#include <QStringList>

namespace jobmonitor {

QString dependencyProblem(const QList<BatchJob> &batch, const std::function<bool(qint64)> &exists) {
    const auto name = [&batch](qsizetype index) {
        return batch.size() == 1 ? QStringLiteral("the job")
                                 : QStringLiteral("job %1").arg(index + 1);
    };
    for (qsizetype i = 0; i < batch.size(); ++i) {
        for (const JobDependency &dependency : batch[i].spec.dependencies)
            if (!exists(dependency.jobId))
                return QStringLiteral("%1 waits for job #%2, which does not exist")
                    .arg(name(i))
                    .arg(dependency.jobId);
        QSet<int> seen;
        for (const BatchDependency &dependency : batch[i].afterBatch) {
            if (dependency.index < 0 || dependency.index >= batch.size())
                return QStringLiteral("%1 waits for job %2, but there %3 only %4")
                    .arg(name(i))
                    .arg(dependency.index + 1)
                    .arg(batch.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"))
                    .arg(batch.size() == 1 ? QStringLiteral("1 job")
                                           : QStringLiteral("%1 jobs").arg(batch.size()));
            if (dependency.index == i)
                return QStringLiteral("%1 waits for itself").arg(name(i));
            if (seen.contains(dependency.index))
                return QStringLiteral("%1 names job %2 twice among the jobs to wait for")
                    .arg(name(i))
                    .arg(dependency.index + 1);
            seen.insert(dependency.index);
        }
    }

    // Depth first through the batch's own dependencies; a job met again while its own walk is
    // under way closes a cycle, which the path then spells out.
    enum class Mark { Unseen, Walking, Done };
    QList<Mark> marks(batch.size(), Mark::Unseen);
    QList<int> path;
    std::function<QString(int)> walk = [&](int at) -> QString {
        marks[at] = Mark::Walking;
        path.append(at);
        for (const BatchDependency &dependency : batch[at].afterBatch) {
            if (marks[dependency.index] == Mark::Walking) {
                QStringList steps;
                for (qsizetype i = path.indexOf(dependency.index); i < path.size(); ++i)
                    steps.append(name(path[i]));
                steps.append(name(dependency.index));
                return QStringLiteral("%1 waits for %2: the jobs would wait for each other "
                                      "forever")
                    .arg(steps.constFirst(),
                         steps.mid(1).join(QStringLiteral(", which waits for ")));
            }
            if (marks[dependency.index] == Mark::Unseen)
                if (QString cycle = walk(dependency.index); !cycle.isEmpty())
                    return cycle;
        }
        path.removeLast();
        marks[at] = Mark::Done;
        return {};
    };
    for (int i = 0; i < batch.size(); ++i)
        if (marks[i] == Mark::Unseen)
            if (QString cycle = walk(i); !cycle.isEmpty())
                return cycle;
    return {};
}

QString dependencyFailureText(qint64 jobId, JobState state) {
    switch (state) {
    case JobState::Failed:
        return QStringLiteral("dependency #%1 failed").arg(jobId);
    case JobState::TimedOut:
        return QStringLiteral("dependency #%1 timed out").arg(jobId);
    case JobState::Cancelled:
        return QStringLiteral("dependency #%1 was cancelled").arg(jobId);
    default:
        break;
    }
    return QStringLiteral("dependency #%1 ended %2").arg(jobId).arg(jobStateName(state));
}

// The ids one waiting coroutine is registered for; gone with its frame, however it ends.
class DependencyRegistration {
public:
    DependencyRegistration(DependencyTracker *tracker, Wakeup *wakeup)
        : m_tracker(tracker)
        , m_wakeup(wakeup) {}
    ~DependencyRegistration() {
        for (const qint64 id : std::as_const(m_ids)) {
            const auto [first, last] = m_tracker->m_waiters.equal_range(id);
            for (auto it = first; it != last; ++it)
                if (it->second == m_wakeup) {
                    m_tracker->m_waiters.erase(it);
                    break;
                }
        }
    }
    void add(qint64 id) {
        if (m_ids.contains(id))
            return;
        m_ids.insert(id);
        m_tracker->m_waiters.emplace(id, m_wakeup);
    }

private:
    DependencyTracker *m_tracker;
    Wakeup *m_wakeup;
    QSet<qint64> m_ids;
};

void DependencyTracker::setState(qint64 jobId, JobState state) {
    m_states[jobId] = state;
    if (!isFinal(state))
        return;
    const auto [first, last] = m_waiters.equal_range(jobId);
    for (auto it = first; it != last; ++it)
        it->second->wake();
}

std::optional<JobState> DependencyTracker::state(qint64 jobId) const {
    const auto it = m_states.find(jobId);
    return it == m_states.end() ? std::nullopt : std::optional(it->second);
}

QCoro::Task<DependencyTracker::Outcome> DependencyTracker::wait(QList<JobDependency> dependencies,
                                                                CancellationContext::Ptr context) {
    Wakeup wakeup;
    QObject::connect(context.get(), &CancellationContext::cancelledWith, &wakeup,
                     [&wakeup] { wakeup.wake(); });
    DependencyRegistration registration(this, &wakeup);
    for (;;) {
        if (context->isCancelled())
            co_return Outcome{Outcome::Kind::Cancelled, 0, {}};
        bool allMet = true;
        for (const JobDependency &dependency : std::as_const(dependencies)) {
            const std::optional<JobState> known = state(dependency.jobId);
            if (!known)
                co_return Outcome{
                    Outcome::Kind::Failed, dependency.jobId,
                    QStringLiteral("dependency #%1 does not exist").arg(dependency.jobId)};
            if (!isFinal(*known)) {
                allMet = false;
                registration.add(dependency.jobId);
                continue;
            }
            if (dependency.condition == JobDependency::Condition::Success &&
                *known != JobState::Completed)
                co_return Outcome{Outcome::Kind::Failed, dependency.jobId,
                                  dependencyFailureText(dependency.jobId, *known)};
        }
        if (allMet)
            co_return Outcome{};
        co_await wakeup.wait();
    }
}

} // namespace jobmonitor
