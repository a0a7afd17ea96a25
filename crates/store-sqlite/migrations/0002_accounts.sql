-- Member accounts and what protects them, the notifications outbox and the audit log.
-- Instants are ISO-8601 text in UTC with six fraction digits ("2026-01-02T03:04:05.000006Z"),
-- so text order is time order; hashes are BLOBs and never a plain secret.

CREATE TABLE accounts (
    account_id         INTEGER PRIMARY KEY,
    member_id          INTEGER NOT NULL,
    email              TEXT NOT NULL,
    mobile             TEXT NOT NULL,
    password_hash      TEXT NOT NULL,
    state              TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    activated_at       TEXT,
    totp_secret        BLOB,
    contact_changed_at TEXT
);
CREATE UNIQUE INDEX accounts_member_id ON accounts (member_id);
CREATE UNIQUE INDEX accounts_email ON accounts (email);
CREATE UNIQUE INDEX accounts_mobile ON accounts (mobile);

CREATE TABLE recovery_codes (
    account_id INTEGER NOT NULL,
    code_hash  BLOB NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (account_id, code_hash)
) WITHOUT ROWID;

CREATE TABLE one_time_codes (
    code_id       INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL,
    purpose       TEXT NOT NULL,
    bound_to      TEXT NOT NULL,
    code_hash     BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    consumed_at   TEXT,
    superseded_at TEXT,
    resent_count  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX one_time_codes_key ON one_time_codes (member_id, purpose, bound_to, code_id);
CREATE INDEX one_time_codes_issued ON one_time_codes (member_id, created_at);

CREATE TABLE sessions (
    session_id   INTEGER PRIMARY KEY,
    id_hash      BLOB NOT NULL,
    account_id   INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT,
    end_reason   TEXT,
    device       TEXT NOT NULL,
    origin       TEXT NOT NULL
);
CREATE UNIQUE INDEX sessions_id_hash ON sessions (id_hash);
CREATE INDEX sessions_account ON sessions (account_id, created_at);

CREATE TABLE throttles (
    scope           TEXT NOT NULL,
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    lease_until TEXT
);
CREATE INDEX outbox_pending ON outbox (status, id);

-- The audit log: rows are only ever inserted. Each chain's head row holds its last position
-- and hash, so an append reads and moves one small row.
CREATE TABLE audit_log (
    entry_id  INTEGER PRIMARY KEY,
    chain     INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    member_id INTEGER,
    channel   TEXT NOT NULL,
    origin    TEXT NOT NULL,
    details   TEXT NOT NULL,
    hash      BLOB NOT NULL
);
CREATE UNIQUE INDEX audit_log_chain_position ON audit_log (chain, position);
CREATE INDEX audit_log_member ON audit_log (member_id, entry_id) WHERE member_id IS NOT NULL;

CREATE TABLE audit_heads (
    chain         INTEGER PRIMARY KEY,
    last_position INTEGER NOT NULL,
    last_hash     BLOB NOT NULL,
    last_entry_id INTEGER NOT NULL
);
