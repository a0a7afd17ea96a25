-- Usage statistics (store::stats): summaries a job rewrites from the raw rows, so reports never
-- scan accounts, sessions or requests. Days are Mexico City dates (YYYY-MM-DD, UTC-6); state is
-- the member's INEGI number (0 unknown); no cell names a member.

CREATE TABLE stats_daily (
    day     TEXT NOT NULL,
    metric  TEXT NOT NULL,
    state   INTEGER NOT NULL,
    channel TEXT NOT NULL,
    value   INTEGER NOT NULL,
    PRIMARY KEY (day, metric, state, channel)
) WITHOUT ROWID;

-- Sessions by length, in buckets of 10 seconds, for the median.
CREATE TABLE stats_session_lengths (
    day      TEXT NOT NULL,
    channel  TEXT NOT NULL,
    bucket   INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    PRIMARY KEY (day, channel, bucket)
) WITHOUT ROWID;

-- Distinct accounts with a session in a month (month = its first day), by state; state -1 is
-- the whole country.
CREATE TABLE stats_monthly_actives (
    month TEXT NOT NULL,
    state INTEGER NOT NULL,
    users INTEGER NOT NULL,
    PRIMARY KEY (month, state)
) WITHOUT ROWID;

-- Consultations that leave no row of their own (a balance looked at), counted as they happen.
CREATE TABLE procedure_uses (
    day       TEXT NOT NULL,
    procedure TEXT NOT NULL,
    channel   TEXT NOT NULL,
    uses      INTEGER NOT NULL,
    PRIMARY KEY (day, procedure, channel)
) WITHOUT ROWID;

-- The last day a refresh covered (one row).
CREATE TABLE stats_refreshes (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    until_day TEXT NOT NULL
);

-- A refresh reads the days it rewrites, by time.
CREATE INDEX accounts_created ON accounts (created_at);
CREATE INDEX accounts_activated ON accounts (activated_at) WHERE activated_at IS NOT NULL;
CREATE INDEX sessions_created ON sessions (created_at);
CREATE INDEX requests_submitted ON requests (submitted_at) WHERE submitted_at IS NOT NULL;
CREATE INDEX requests_done ON requests (updated_at) WHERE stage = 'done';
