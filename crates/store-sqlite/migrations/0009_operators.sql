-- The back office: operator accounts, their sessions (apart from the members'), and who each
-- request is assigned to. The password is an Argon2 hash and the authenticator secret is sealed
-- with the server key; neither is ever stored in the clear.

CREATE TABLE operators (
    operator_id    INTEGER PRIMARY KEY,
    username       TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    totp_sealed    BLOB NOT NULL,
    totp_last_step INTEGER,
    active         INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX operators_username ON operators (username);

CREATE TABLE operator_sessions (
    id_hash      BLOB PRIMARY KEY,
    operator_id  INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT,
    origin       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);

ALTER TABLE requests ADD COLUMN assigned_to INTEGER;

-- The back office looks members up by name: first surname, then second, then given names.
CREATE INDEX members_name ON members (first_surname, second_surname, given_names);
