#pragma once

#include "jobrecord.h"
#include "jobrecorder.h"
#include "retention.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace jobmonitor {

class StoreWorker;

// What kind of process uses the store: it decides what recovery does with the jobs of one
// that died (a window's queued jobs come back in the next window; a headless run's do not).
enum class RunKind { Window, Headless, Client };
QString runKindName(RunKind kind);

// How the store is doing, for the log and the window's banner.
struct StoreStatus {
    bool saving = false;   // writes reach jobs.db
    bool readOnly = false; // refused read-write: written by a newer version
    QString problem;       // empty while all is well
    QString movedAsideTo;  // a damaged jobs.db found at start was moved here
};

// The job history: SQLite (QSQLITE) in <state dir>/jobs.db, WAL, shared by every process that
// uses the state folder (a window and headless runs at once). Implements the engine's
// JobRecorder.
//
// Durable before visible, and the caller's thread never waits on disk: every write gets a
// sequence number and goes to a worker thread with a connection of its own, which commits
// whatever has queued up in one transaction; committed(seq) then comes on the owner's thread,
// and whenCommitted() runs code once a write is durable (the headless runner prints a
// transition only then). Job ids are permanent: the worker reserves blocks of them in the
// database ahead of need, so allocateJobId() answers at once.
//
// Opening is synchronous (at start-up, before any window): it creates the file (mode 0600;
// SQLite gives -wal and -shm the same), moves a damaged one aside, migrates an older schema,
// records this process as a run (pid, start time, boot id) and recovers the jobs of runs that
// died: after making sure none of their processes lives (the recorded shim and command, each
// by pid and start time, and anything carrying their trace id), Running, Stopping and
// Retrying jobs — and every unfinished job of a headless run — become Interrupted at the time
// of their owner's last write. Queued jobs of a window that died are offered to the next
// window (queuedFromLastSession()). Jobs of live runs are never touched.
//
// When the disk is full or the folder read-only, jobs go on running: status() says history is
// not being saved, the worker retries the failed writes with a growing pause (holding at most
// MaxPendingWrites meanwhile; later ones are lost, and the log says how many), and saving
// resumes by itself.
class JobStore : public QObject, public JobRecorder {
    Q_OBJECT
public:
    static constexpr int MaxPendingWrites = 200000;

    JobStore(const QString &stateDir, RunKind kind, QObject *parent = nullptr);
    ~JobStore() override;

    static QString databasePath(const QString &stateDir);
    QString databasePath() const;
    // Where jobs' output goes: <state dir>/output, so attempt n of job id lives in
    // <outputRoot>/<id>/<n>. A folder of this run's own when the store could not be opened
    // read-write at start (its ids are then not permanent).
    QString outputRoot() const { return m_outputRoot; }
    StoreStatus status() const { return m_status; }
    bool isSaving() const { return m_status.saving; }
    RunKind kind() const { return m_kind; }

    // JobRecorder
    qint64 allocateJobId() override;
    void jobAdded(const Job &job) override;
    void attemptStarted(const Job &job, int attempt, const QDateTime &startedAt,
                        const QString &outputDirectory, const AttemptProcesses &processes) override;
    void attemptProcessesChanged(const Job &job, int attempt,
                                 const AttemptProcesses &processes) override;
    void attemptEnded(const Job &job, int attempt, const QDateTime &startedAt,
                      const QDateTime &endedAt, const QString &outputDirectory,
                      const AttemptResult &result) override;
    void transitioned(const Job &job, const Transition &transition) override;
    // Deletes the job's records and output files; a job that has not ended is kept.
    void jobRemoved(qint64 id) override;
    void queueChanged(const Job &job) override;

    // The same writes from records (what the recorder calls; also for tools and benchmarks).
    void writeJob(const JobRecord &record);
    void writeAttempt(const AttemptRecord &record);
    void writeTransition(qint64 jobId, const Transition &transition, const JobRecord &after);

    // The last write handed to the worker, and the last one committed.
    quint64 lastSequence() const { return m_lastSequence; }
    quint64 committedSequence() const { return m_committed; }
    // Runs callback on this thread (while context lives) once every write so far is
    // committed, in the order asked. While history is not being saved it runs at once: the
    // jobs go on, and status() says what is not kept.
    void whenCommitted(QObject *context, std::function<void()> callback);
    // Blocks until everything written so far is committed or has failed (false). For exit,
    // command-line tools and tests; never while a window is up.
    bool flush();
    // Flushes, gives back reserved ids nobody used, marks this run ended and stops the
    // worker. Runs every pending whenCommitted callback. Called by the destructor.
    void close();

    // Reads, blocking on the worker (command-line tools and tests). The window uses the
    // asynchronous forms below.
    QList<JobRecord> jobs(const JobQuery &query);
    std::optional<JobRecord> job(qint64 id);
    QList<AttemptRecord> attempts(qint64 jobId);
    QList<TransitionRecord> transitions(qint64 jobId);
    int count(const JobQuery &query);
    // The same, answered on this thread through callback (while context lives).
    void fetchJobs(JobQuery query, QObject *context,
                   std::function<void(QList<JobRecord>)> callback);
    void fetchCount(JobQuery query, QObject *context, std::function<void(int)> callback);
    // nullopt when no job has this id.
    void fetchJob(qint64 id, QObject *context,
                  std::function<void(std::optional<JobRecord>)> callback);
    void fetchAttempts(qint64 jobId, QObject *context,
                       std::function<void(QList<AttemptRecord>)> callback);
    void fetchTransitions(qint64 jobId, QObject *context,
                          std::function<void(QList<TransitionRecord>)> callback);

    // What the last successful runs of the command in the folder teach (learnedtimeout.h).
    // Read through a read-only connection of this thread's own, which never waits for the
    // writer (WAL); one short indexed read per command and folder, remembered after that.
    LearnedTiming learnTiming(const QString &command, const QString &workingDirectory);

    // Queued jobs of windows that died, now owned by this window (empty for other kinds).
    QList<JobRecord> queuedFromLastSession() const { return m_queuedFromLastSession; }
    // Hands them over (the caller queues them under their ids) or cancels them in the store.
    QList<JobRecord> takeQueuedFromLastSession();
    void discardQueuedFromLastSession();

    // Recovers runs that died since the store was opened (log --follow watches a job whose
    // owner may die). Blocks on the worker. Returns how many jobs became Interrupted.
    int recoverDeadOwners();

    // Applied at once (on the worker), then every day.
    void setRetention(const RetentionPolicy &policy);
    // Blocks until the policy has been applied (tests).
    void applyRetentionNow();

Q_SIGNALS:
    void committed(quint64 sequence);
    void statusChanged();
    void queuedFromLastSessionChanged();

private:
    friend class StoreWorker;
    quint64 enqueue(struct WriteOp op);
    void onCommitted(quint64 sequence);
    void onStatus(StoreStatus status);
    void runCallbacks();

    const QString m_stateDir;
    const RunKind m_kind;
    QString m_outputRoot;
    StoreStatus m_status;
    std::unique_ptr<StoreWorker> m_worker;
    quint64 m_lastSequence = 0;
    quint64 m_committed = 0;
    struct Waiting {
        quint64 sequence;
        QPointer<QObject> context;
        std::function<void()> callback;
    };
    std::deque<Waiting> m_waiting;
    QList<JobRecord> m_queuedFromLastSession;
    RetentionPolicy m_retention;
    QTimer m_retentionTimer;
    std::map<std::pair<QString, QString>, LearnedTiming> m_timings;
    QString m_readerConnection;
    bool m_closed = false;
};

} // namespace jobmonitor
