#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>

#include <chrono>
#include <csignal>
#include <optional>

namespace jobmonitor {

using std::chrono::milliseconds;

// Delay before retry n (1-based): initial * factor^(n-1), never more than cap.
struct BackoffPolicy {
    milliseconds initial{1000};
    double factor = 2.0;
    milliseconds cap{60000};

    milliseconds delayBeforeRetry(int retryNumber) const;
};

// How a job is stopped: each step sends a signal to the job's process group (and to every
// process of the job that left the group), then waits; SIGKILL always ends the sequence.
// Like GNU parallel's --termseq, written "TERM,0,CONT,5000,KILL,0".
struct TerminationSequence {
    struct Step {
        int signal;
        milliseconds waitAfter;
        bool operator==(const Step &) const = default;
    };
    QList<Step> steps;

    // SIGTERM and SIGCONT at once (a stopped process acts on SIGTERM only when continued),
    // then the grace period, then SIGKILL.
    static TerminationSequence standard(milliseconds grace);
    // Parses "TERM,200,KILL,25"; returns nullopt and sets error on bad input. Waits too long
    // for the limits parse (saturated) and are refused by JobSpec::validate(), which names
    // the limit.
    static std::optional<TerminationSequence> parse(const QString &text, QString *error);
    QString toString() const;
    milliseconds grace() const; // total wait before SIGKILL (saturates instead of overflowing)
    bool operator==(const TerminationSequence &) const = default;
};

// One thing wrong with a spec, and the part of it that is wrong, so that a front end can show
// the message beside the right field or name the right option.
struct SpecProblem {
    enum class Field {
        Command,
        WorkingDirectory,
        Environment,
        Timeout,
        Retries,
        Backoff,
        Termination,
        MemoryLimit,
        Niceness,
        IoPriority,
        ProgressPattern,
        Group,
        Priority,
        Dependencies,
        StartTime,
    };
    Field field;
    QString message;
    bool operator==(const SpecProblem &) const = default;
};

// The I/O scheduling of a job's processes (ioprio_set(2), as ionice sets it): class 1
// realtime, 2 best-effort, 3 idle; within the first two a level from 0 (first served) to 7.
struct IoPriority {
    int ioClass = 2;
    int level = 4; // 0 for the idle class, which has no levels

    // "idle", "best-effort,4", "realtime,0", or the class as ionice numbers it ("2,4", "3").
    // Returns nullopt and sets error on bad input.
    static std::optional<IoPriority> parse(const QString &text, QString *error);
    QString toString() const; // "best-effort,4", "idle": what parse() reads back
    bool operator==(const IoPriority &) const = default;
};

// A job that waits for another one: until it completes (the default; should it fail, time out
// or be cancelled, the waiting job is cancelled too), or until it ends, whatever the outcome.
struct JobDependency {
    enum class Condition { Success, AnyEnd };
    qint64 jobId = 0;
    Condition condition = Condition::Success;
    bool operator==(const JobDependency &) const = default;
};

// The group every job belongs to unless it names another.
QString defaultGroupName();
// Group names are typed on command lines ("--group-parallel NAME=N") and kept as settings
// keys: 1 to limits::maxGroupNameLength letters, digits, '.', '_' or '-', starting with a
// letter or a digit. Empty when the name is fine, else why not.
QString groupNameProblem(const QString &name);

struct JobSpec {
    QString command;                    // a command line, run by /bin/sh -c
    QString name;                       // optional label shown instead of the command
    QString workingDirectory;           // empty: the application's working directory
    QMap<QString, QString> environment; // added to (or replacing in) the inherited environment
    milliseconds timeout{0};            // per attempt; 0: none
    // The timeout is learned from the history of the same command in the same directory when
    // the job is added (learnedtimeout.h); timeout then holds what was learned.
    bool timeoutAuto = false;
    int maxAttempts = 1; // 1 + retries
    BackoffPolicy backoff;
    TerminationSequence termination = TerminationSequence::standard(milliseconds(5000));
    // The most resident memory (the sum of RSS) the job's whole process tree may use; beyond
    // it the attempt is stopped with its termination sequence and fails. 0: no limit.
    qint64 memoryLimitBytes = 0;
    // CPU (nice) and I/O priority, set by the shim before the command starts; unset: inherited.
    std::optional<int> niceness;
    std::optional<IoPriority> ioPriority;
    // How to read the job's progress from its output: a regular expression with a named group
    // `percent`, or `done` and `total` (progressparser.h); empty: the built-in forms.
    QString progressPattern;
    // Queueing: the group whose queue and limits the job joins, where in that queue it joins
    // (ahead of every waiting job of a lower priority, behind the others), and what it waits
    // for before it joins at all.
    QString group;                     // empty: the default group
    int priority = 0;                  // -limits::maxPriority to limits::maxPriority
    QList<JobDependency> dependencies; // in the order given
    QDateTime startAt;                 // not before this moment; invalid: at once

    QString label() const { return name.isEmpty() ? command : name; }
    QString groupName() const { return group.isEmpty() ? defaultGroupName() : group; }
    // The one validation of a job, against the limits of limits.h, for every front end:
    // every problem, in the order of the fields above.
    QList<SpecProblem> problems() const;
    // The first problem's message when the spec cannot run, or an empty string.
    QString validate() const;
};

// Seconds as a person types them ("30", "2.5") in milliseconds, for every front end. Refuses
// (nullopt, and a message for error) text that is not a finite number, a negative number,
// and a positive number below the 1 ms resolution, which would otherwise silently become 0
// ("none"). Numbers too large for any limit saturate rather than overflow, and
// JobSpec::validate() then names the limit.
std::optional<milliseconds> parseSeconds(const QString &text, QString *error);

// A size as a person types it ("2G", "512M", "1.5 GiB", "300MiB"; binary units, a number
// alone is bytes) in bytes, for every front end. Refuses (nullopt, and a message for error)
// text that is not a size; sizes too large for any limit saturate, and JobSpec::validate()
// then names the limit.
std::optional<qint64> parseByteSize(const QString &text, QString *error);

// A size for a message: "2 GiB", "2.3 GiB", "512 MiB", "100 B".
QString describeBytes(qint64 bytes);

// A limit or a wait for a message: "24 hours", "365 days", "4.5 s".
QString describeDuration(milliseconds duration);

// A delay as a person types it: "90" or "90s" seconds, "10m", "2h", "1d", or several together
// ("1h30m"). Refuses (nullopt, and a message for error) anything else, a delay of zero, and
// one beyond limits::maxStartDelay.
std::optional<milliseconds> parseDelay(const QString &text, QString *error);
// A start time as a person types it: a time of day ("23:00", "23:00:30"), which means its next
// coming after now, or a date and time ("2026-12-02T03:00", "2026-12-02 03:00:00", with an
// optional UTC offset or Z), in local time unless it says otherwise. Refuses a moment that is
// not after now, and one more than limits::maxStartDelay ahead.
std::optional<QDateTime> parseStartTime(const QString &text, const QDateTime &now, QString *error);
// A start time for reasons and messages: "23:00" today, "2026-12-02 03:00" on another day,
// with seconds when they are not zero; in local time.
QString startTimeText(const QDateTime &time, const QDateTime &now);

} // namespace jobmonitor
