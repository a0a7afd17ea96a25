-- Jobs: the batches an operator starts from the back office, run by a worker of any instance.
-- A worker claims a job with a lease and renews it while it works; a job whose worker died is
-- claimed again when its lease runs out. The batches themselves are idempotent (each is one
-- import batch with an identity), so a job run twice posts once.

CREATE TABLE jobs (
    job_id      INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    args        TEXT NOT NULL,
    dedupe      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT,
    lease_until TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    progress    INTEGER NOT NULL DEFAULT 0,
    summary     TEXT,
    error       TEXT
);
-- The same batch cannot be queued twice while one is waiting or running.
CREATE UNIQUE INDEX jobs_active ON jobs (dedupe) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_waiting ON jobs (job_id) WHERE state IN ('queued', 'running');

-- Files that go with a job: the uploaded input, and what the batch wrote (rejected rows,
-- employees an employer did not pay).
CREATE TABLE job_files (
    job_id INTEGER NOT NULL,
    name   TEXT NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (job_id, name)
) WITHOUT ROWID;
