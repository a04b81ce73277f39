#include "storeschema.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace jobmonitor::storeschema {

namespace {

// Times are milliseconds since the epoch (UTC); states and events are their names.
constexpr char FirstVersion[] = R"sql(
CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('next_job_id', 1);

-- Every process that used the store: who owns which jobs, and whether it still lives.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pid INTEGER NOT NULL,
    start_time INTEGER NOT NULL, -- /proc/PID/stat field 22
    boot_id TEXT NOT NULL,
    kind TEXT NOT NULL,          -- window, headless or client
    started_at INTEGER NOT NULL,
    last_write_at INTEGER NOT NULL,
    ended_at INTEGER,            -- closed cleanly
    recovered_at INTEGER         -- found dead, its jobs recovered
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,      -- from meta.next_job_id, never reused
    run_id INTEGER NOT NULL,     -- the owner
    command TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    working_directory TEXT NOT NULL DEFAULT '',
    environment TEXT NOT NULL DEFAULT '{}', -- a JSON object
    timeout_ms INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 1,
    backoff_initial_ms INTEGER NOT NULL DEFAULT 1000,
    backoff_factor REAL NOT NULL DEFAULT 2,
    backoff_cap_ms INTEGER NOT NULL DEFAULT 60000,
    termination TEXT NOT NULL,   -- TerminationSequence::toString()
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    signal INTEGER,
    error TEXT NOT NULL DEFAULT '',
    output_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    trace_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_by_created ON jobs (created_at, id);
CREATE INDEX jobs_by_run ON jobs (run_id, state);

CREATE TABLE attempts (
    job_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    trace_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT NOT NULL DEFAULT '', -- empty while it runs
    exit_code INTEGER,
    signal INTEGER,
    error TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    stragglers INTEGER NOT NULL DEFAULT 0,
    killed_processes INTEGER NOT NULL DEFAULT 0,
    killed_escapees INTEGER NOT NULL DEFAULT 0,
    output_directory TEXT NOT NULL DEFAULT '',
    output_error TEXT NOT NULL DEFAULT '',
    boot_id TEXT NOT NULL DEFAULT '',
    shim_pid INTEGER,
    shim_start_time INTEGER,
    command_pid INTEGER,
    command_start_time INTEGER,
    PRIMARY KEY (job_id, attempt)
) WITHOUT ROWID;

CREATE TABLE transitions (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    event TEXT NOT NULL,
    time INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    attempt INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    signal INTEGER
);
CREATE INDEX transitions_by_job ON transitions (job_id, id);
)sql";

constexpr char SecondVersion[] = R"sql(
ALTER TABLE jobs ADD COLUMN timeout_auto INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN timeout_note TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN learned_runs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN expected_duration_ms INTEGER;
-- The last runs of a command in a folder, newest first, for what they teach.
CREATE INDEX jobs_by_command ON jobs (command, working_directory, created_at);
ALTER TABLE attempts ADD COLUMN output_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN output_removed_at INTEGER;
)sql";

// A job's limits, and what each attempt used.
constexpr char ThirdVersion[] = R"sql(
ALTER TABLE jobs ADD COLUMN memory_limit_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN niceness INTEGER;
ALTER TABLE jobs ADD COLUMN io_priority TEXT NOT NULL DEFAULT ''; -- IoPriority::toString()
ALTER TABLE jobs ADD COLUMN progress_pattern TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN peak_rss_bytes INTEGER;
ALTER TABLE attempts ADD COLUMN cpu_time_ms INTEGER;
)sql";

// The queue: a job's group (empty: the default one), its priority, when it may start, what it
// waits for (a JSON array of {"job": id, "after": "success"|"end"}) and its place in its
// group's queue while it waits for a slot (Scheduler::queueKey; NULL otherwise).
constexpr char FourthVersion[] = R"sql(
ALTER TABLE jobs ADD COLUMN queue_group TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN start_at INTEGER;
ALTER TABLE jobs ADD COLUMN dependencies TEXT NOT NULL DEFAULT '[]';
ALTER TABLE jobs ADD COLUMN queue_order INTEGER;
)sql";

qint64 directorySize(const QString &path) {
    qint64 total = 0;
    QDirIterator it(path, QDir::Files | QDir::Hidden | QDir::NoSymLinks,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

// Version 1 did not count output sizes: retention needs them for what is already stored.
QString countOutputSizes(QSqlDatabase &db) {
    QSqlQuery select(db);
    if (!select.exec(QStringLiteral(
            "SELECT job_id, attempt, output_directory FROM attempts WHERE output_directory != ''")))
        return select.lastError().text();
    QSqlQuery update(db);
    update.prepare(
        QStringLiteral("UPDATE attempts SET output_bytes = ? WHERE job_id = ? AND attempt = ?"));
    while (select.next()) {
        update.addBindValue(directorySize(select.value(2).toString()));
        update.addBindValue(select.value(0));
        update.addBindValue(select.value(1));
        if (!update.exec())
            return update.lastError().text();
    }
    return {};
}

} // namespace

QString firstVersionSql() {
    return QString::fromUtf8(FirstVersion);
}

QString execute(QSqlDatabase &db, const QString &sql) {
    QString statement;
    // Statements end with ';' at the end of a line; comments run to the end of their line.
    for (const QString &line : sql.split(QLatin1Char('\n'))) {
        const qsizetype comment = line.indexOf(QLatin1String("--"));
        const QString code = (comment >= 0 ? line.left(comment) : line).trimmed();
        if (code.isEmpty())
            continue;
        statement += code + QLatin1Char('\n');
        if (!code.endsWith(QLatin1Char(';')))
            continue;
        QSqlQuery query(db);
        if (!query.exec(statement))
            return QStringLiteral("%1 (in: %2)")
                .arg(query.lastError().text(), statement.simplified());
        statement.clear();
    }
    return {};
}

QString migrate(QSqlDatabase &db, int fromVersion) {
    if (fromVersion >= CurrentVersion)
        return {};
    QSqlQuery query(db);
    // IMMEDIATE: two processes starting at once must not both migrate.
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return query.lastError().text();
    auto fail = [&](const QString &error) {
        query.exec(QStringLiteral("ROLLBACK"));
        return error;
    };
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return fail(query.lastError().text());
    int version = query.value(0).toInt();
    if (version >= CurrentVersion) // another process was first
        return fail(QString());
    if (version < 1) {
        if (const QString error = execute(db, firstVersionSql()); !error.isEmpty())
            return fail(error);
        version = 1;
    }
    if (version < 2) {
        if (QString error = execute(db, QString::fromUtf8(SecondVersion)); !error.isEmpty())
            return fail(error);
        if (QString error = countOutputSizes(db); !error.isEmpty())
            return fail(error);
        version = 2;
    }
    if (version < 3) {
        if (QString error = execute(db, QString::fromUtf8(ThirdVersion)); !error.isEmpty())
            return fail(error);
        version = 3;
    }
    if (version < 4) {
        if (QString error = execute(db, QString::fromUtf8(FourthVersion)); !error.isEmpty())
            return fail(error);
        version = 4;
    }
    if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)) ||
        !query.exec(QStringLiteral("COMMIT")))
        return fail(query.lastError().text());
    return {};
}

} // namespace jobmonitor::storeschema
