#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

// The one list of job states. Adding a state is adding a line here (and its rows to the
// transition table in jobstate.cpp): the core's enum, the QML enum (app/gui/qmljobstate.h) and
// the per-state properties are all generated from it.
//   X(name, final, active)
//   final:  the job has ended; only Requeue (run again) leaves it
//   active: the job holds or is about to hold processes (it counts for "quit while jobs run")
#define JOBMONITOR_JOB_STATES(X)                                                                   \
    X(Pending, false, false)                                                                       \
    X(Waiting, false, false)                                                                       \
    X(Running, false, true)                                                                        \
    X(Paused, false, true)                                                                         \
    X(Stopping, false, true)                                                                       \
    X(Retrying, false, true)                                                                       \
    X(Completed, true, false)                                                                      \
    X(Failed, true, false)                                                                         \
    X(TimedOut, true, false)                                                                       \
    X(Cancelled, true, false)                                                                      \
    X(Interrupted, true, false)

namespace jobmonitor {

Q_NAMESPACE

enum class JobState {
#define JOBMONITOR_STATE_ENUM(name, final, active) name,
    JOBMONITOR_JOB_STATES(JOBMONITOR_STATE_ENUM)
#undef JOBMONITOR_STATE_ENUM
};
Q_ENUM_NS(JobState)

inline constexpr int JobStateCount = 0
#define JOBMONITOR_STATE_COUNT(name, final, active) +1
    JOBMONITOR_JOB_STATES(JOBMONITOR_STATE_COUNT)
#undef JOBMONITOR_STATE_COUNT
    ;

QString jobStateName(JobState state);
bool isFinal(JobState state);
bool isActive(JobState state);
// Every state, in the order of the list.
QList<JobState> allJobStates();

// What happened to a job. The transition table maps (state, event) to the next state; which
// event ends an attempt is decided by decideAttemptEnd() (decision.h).
enum class JobEvent {
    Launch,          // an attempt's process started
    LaunchFailed,    // the attempt could not start (missing working directory, exec failure)
    Exited,          // the attempt ended by itself with status 0
    ExitedWithError, // the attempt ended by itself with a non-zero status or a signal
    Lost,            // the process that supervised the attempt died; the rest was ended
    Stop,            // the termination sequence was requested (cancel or deadline)
    StoppedCancel,   // the attempt ended after a cancel reached it
    StoppedTimeout,  // the attempt ended after its deadline's stop reached it
    ScheduleRetry,   // a failed or timed-out attempt will be retried after a backoff
    Cancel,          // cancelled while no process runs (queued, waiting or in backoff)
    Requeue,         // the user asked to run an ended job again
    Wait,            // the job waits for its dependencies or its start time before it queues
    Ready,           // what it waited for has come: it joins its group's queue
    Pause,           // every process of the running attempt was stopped (SIGSTOP)
    Resume,          // ... and continued (SIGCONT)
    Interrupt,       // found unfinished after the process that ran it died (store recovery)
    StoppedLimit,    // the attempt ended after a stop for exceeding its memory limit
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
