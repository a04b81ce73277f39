-- A job history as the first schema (version 1) wrote it, frozen: the store must bring it up
-- to date without losing anything. @STATE@ stands for the state folder of the test.
CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('next_job_id', 8);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pid INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    boot_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    last_write_at INTEGER NOT NULL,
    ended_at INTEGER,
    recovered_at INTEGER
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    command TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    working_directory TEXT NOT NULL DEFAULT '',
    environment TEXT NOT NULL DEFAULT '{}',
    timeout_ms INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 1,
    backoff_initial_ms INTEGER NOT NULL DEFAULT 1000,
    backoff_factor REAL NOT NULL DEFAULT 2,
    backoff_cap_ms INTEGER NOT NULL DEFAULT 60000,
    termination TEXT NOT NULL,
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
    outcome TEXT NOT NULL DEFAULT '',
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

-- Run 1: a headless run that ended cleanly. Run 2: a window on another boot that never
-- closed its run (it crashed): recovery finds it dead.
INSERT INTO runs VALUES (1, 4242, 1000, 'fixture-boot', 'headless', 1700000000000, 1700000010000, 1700000010000, NULL);
INSERT INTO runs VALUES (2, 4343, 2000, 'fixture-boot', 'window', 1700000100000, 1700000200000, NULL, NULL);

INSERT INTO jobs VALUES (1, 1, 'make -j4', 'build', '/src', '{"CC":"clang"}', 0, 1, 1000, 2, 60000, 'TERM,0,CONT,5000,KILL', 'Completed', 1, 0, NULL, '', '', 1700000001000, 1700000001100, 1700000004100, 'aaaaaaaaaaaa');
INSERT INTO jobs VALUES (2, 1, 'exit 3', '', '/tmp', '{}', 30000, 2, 500, 2, 60000, 'TERM,200,KILL', 'Failed', 2, 3, NULL, '', '', 1700000002000, 1700000002100, 1700000003500, 'bbbbbbbbbbbb');
INSERT INTO jobs VALUES (5, 2, 'sleep 600', '', '/tmp', '{}', 0, 1, 1000, 2, 60000, 'TERM,0,CONT,5000,KILL', 'Running', 1, NULL, NULL, '', '', 1700000150000, 1700000150100, NULL, 'cccccccccccc');
INSERT INTO jobs VALUES (6, 2, 'echo queued', '', '/tmp', '{"FOO":"bar"}', 0, 1, 1000, 2, 60000, 'TERM,0,CONT,5000,KILL', 'Pending', 0, NULL, NULL, '', '', 1700000160000, NULL, NULL, '');
INSERT INTO jobs VALUES (7, 2, 'sleep 1', '', '/tmp', '{}', 0, 1, 1000, 2, 60000, 'TERM,0,CONT,5000,KILL', 'Cancelled', 0, NULL, NULL, '', '', 1700000170000, NULL, 1700000171000, '');

INSERT INTO attempts VALUES (1, 1, 'aaaaaaaaaaaa', 1700000001100, 1700000004100, 'Exited', 0, NULL, '', 'exit code 0', 0, 0, 0, '@STATE@/output/1/1', '', 'fixture-boot', 5000, 3000, 5001, 3001);
INSERT INTO attempts VALUES (2, 1, 'bbbbbbbbbbb1', 1700000002100, 1700000002600, 'Exited', 3, NULL, '', 'exit code 3', 0, 0, 0, '@STATE@/output/2/1', '', 'fixture-boot', 5002, 3002, 5003, 3003);
INSERT INTO attempts VALUES (2, 2, 'bbbbbbbbbbbb', 1700000003100, 1700000003500, 'Exited', 3, NULL, '', 'exit code 3', 0, 0, 0, '@STATE@/output/2/2', '', 'fixture-boot', 5004, 3004, 5005, 3005);
INSERT INTO attempts VALUES (5, 1, 'cccccccccccc', 1700000150100, NULL, '', NULL, NULL, '', '', 0, 0, 0, '@STATE@/output/5/1', '', 'fixture-boot', 5006, 3006, 5007, 3007);

INSERT INTO transitions VALUES (1, 1, 'Pending', 'Running', 'Launch', 1700000001100, 'attempt 1 of 1 started', 1, NULL, NULL);
INSERT INTO transitions VALUES (2, 1, 'Running', 'Completed', 'Exited', 1700000004100, 'exit code 0', 1, 0, NULL);
INSERT INTO transitions VALUES (3, 2, 'Pending', 'Running', 'Launch', 1700000002100, 'attempt 1 of 2 started', 1, NULL, NULL);
INSERT INTO transitions VALUES (4, 2, 'Running', 'Retrying', 'ScheduleRetry', 1700000002600, 'exit code 3; attempt 2 in 500 ms', 1, 3, NULL);
INSERT INTO transitions VALUES (5, 2, 'Retrying', 'Running', 'Launch', 1700000003100, 'attempt 2 of 2 started', 2, NULL, NULL);
INSERT INTO transitions VALUES (6, 2, 'Running', 'Failed', 'ExitedWithError', 1700000003500, 'exit code 3', 2, 3, NULL);
INSERT INTO transitions VALUES (7, 5, 'Pending', 'Running', 'Launch', 1700000150100, 'attempt 1 of 1 started', 1, NULL, NULL);
INSERT INTO transitions VALUES (8, 7, 'Pending', 'Cancelled', 'Cancel', 1700000171000, 'cancelled by user', 0, NULL, NULL);

PRAGMA user_version = 1;
