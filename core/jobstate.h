#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace jobmonitor {

Q_NAMESPACE

enum class JobState {
    Pending,
    Running,
    Stopping,
    Retrying,
    Completed,
    Failed,
    TimedOut,
    Cancelled,
};
Q_ENUM_NS(JobState)

inline constexpr int JobStateCount = 8;

QString jobStateName(JobState state);
bool isFinal(JobState state);
bool isActive(JobState state); // Running, Stopping or Retrying

// What happened to a job. The transition table maps (state, event) to the next state.
enum class JobEvent {
    Launch,          // an attempt's process started
    LaunchFailed,    // the attempt could not start (missing working directory, exec failure)
    Exited,          // the process ended by itself with status 0
    ExitedWithError, // the process ended by itself with a non-zero status or a signal
    Stop,            // termination began (cancel or deadline)
    StoppedCancel,   // the process ended after a cancel
    StoppedTimeout,  // the process ended after its deadline passed
    ScheduleRetry,   // a failed or timed-out attempt will be retried after a backoff
    Cancel,          // cancelled while no process runs (queued or in backoff)
    Requeue,         // the user asked to run an ended job again
};
Q_ENUM_NS(JobEvent)

QString jobEventName(JobEvent event);

// The table itself, exposed so the UI can draw the diagram and tests can check it.
struct TransitionRule {
    JobState from;
    JobEvent event;
    JobState to;
};
const QList<TransitionRule> &transitionTable();
std::optional<JobState> nextState(JobState from, JobEvent event);

struct Transition {
    JobState from;
    JobState to;
    JobEvent event;
    QDateTime time;
    QString reason;
    int attempt = 0;
    std::optional<int> exitCode;
    std::optional<int> signal;
};

// Applies events through the transition table and keeps the history of applied transitions.
class JobStateMachine : public QObject {
    Q_OBJECT
public:
    explicit JobStateMachine(QString jobLabel, QObject *parent = nullptr);

    JobState state() const { return m_state; }
    const QList<Transition> &history() const { return m_history; }
    // Names the job in log lines; the job adds the current attempt's trace id.
    void setLabel(const QString &label) { m_label = label; }

    // Returns false (and logs) when the table has no row for (state(), event).
    bool apply(JobEvent event, const QString &reason, int attempt, std::optional<int> exitCode = {},
               std::optional<int> signal = {});

Q_SIGNALS:
    void transitioned(const jobmonitor::Transition &transition);

private:
    QString m_label;
    JobState m_state = JobState::Pending;
    QList<Transition> m_history;
};

} // namespace jobmonitor

Q_DECLARE_METATYPE(jobmonitor::Transition)
