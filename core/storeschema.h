#pragma once

#include <QSqlDatabase>
#include <QString>

namespace jobmonitor::storeschema {

// The store's schema (PRAGMA user_version) and its forward migrations, one step per version:
//   1  jobs with their specs and outcomes, attempts, transitions, runs (the processes that
//      use the store) and the id counter
//   2  learned timings (a timeout of `auto`, the expected duration) and output sizes for
//      retention
//   3  a job's limits (memory, nice, ionice, progress pattern) and what each attempt used
//   4  the queue: a job's group, priority, start time, dependencies and place in its queue
// A new version appends a step here and never changes an old one: a store of any earlier
// version is brought up to date by running the steps after its version in order.
inline constexpr int CurrentVersion = 4;

// The statements that create version 1: also the fixture of the migration test.
QString firstVersionSql();

// Brings db (open, inside no transaction) from its version up to CurrentVersion in one
// transaction. Returns an error message, or an empty string.
QString migrate(QSqlDatabase &db, int fromVersion);

// Runs each ';'-separated statement of sql; an error message, or an empty string.
QString execute(QSqlDatabase &db, const QString &sql);

} // namespace jobmonitor::storeschema
