-- Usage statistics (store::stats): summaries a job rewrites from the raw rows, so reports never
-- scan accounts, sessions or requests. Days are Mexico City dates (UTC-6); state is
-- the member's INEGI number (0 unknown); no cell names a member.

CREATE TABLE stats_daily (
    day      date NOT NULL,
    metric  text COLLATE "C" NOT NULL,
    state   smallint NOT NULL,
    channel text COLLATE "C" NOT NULL,
    value   bigint NOT NULL,
    PRIMARY KEY (day, metric, state, channel)
);

-- Sessions by length, in buckets of 10 seconds, for the median.
CREATE TABLE stats_session_lengths (
    day      date NOT NULL,
    channel  text COLLATE "C" NOT NULL,
    bucket   bigint NOT NULL,
    sessions bigint NOT NULL,
    PRIMARY KEY (day, channel, bucket)
);

-- Distinct accounts with a session in a month (month = its first day), by state; state -1 is
-- the whole country.
CREATE TABLE stats_monthly_actives (
    month date NOT NULL,
    state smallint NOT NULL,
    users bigint NOT NULL,
    PRIMARY KEY (month, state)
);

-- Consultations that leave no row of their own (a balance looked at), counted as they happen.
CREATE TABLE procedure_uses (
    day      date NOT NULL,
    procedure text COLLATE "C" NOT NULL,
    channel   text COLLATE "C" NOT NULL,
    uses      bigint NOT NULL,
    PRIMARY KEY (day, procedure, channel)
);

-- The last day a refresh covered (one row).
CREATE TABLE stats_refreshes (
    singleton integer PRIMARY KEY CHECK (singleton = 1),
    until_day date NOT NULL
);

-- A refresh reads the days it rewrites, by time.
CREATE INDEX accounts_created ON accounts (created_at);
CREATE INDEX accounts_activated ON accounts (activated_at) WHERE activated_at IS NOT NULL;
CREATE INDEX sessions_created ON sessions (created_at);
CREATE INDEX requests_submitted ON requests (submitted_at) WHERE submitted_at IS NOT NULL;
CREATE INDEX requests_done ON requests (updated_at) WHERE stage = 'done';
