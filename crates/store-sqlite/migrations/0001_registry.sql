-- The member registry. Every member-owned table leads with member_id in its key, so the data
-- can be split by member; there are no foreign keys between hot tables.

CREATE TABLE import_batches (
    batch_id    INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    accepted    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX import_batches_sha256 ON import_batches (sha256);

CREATE TABLE members (
    member_id      INTEGER PRIMARY KEY,
    nss            TEXT NOT NULL,
    curp           TEXT NOT NULL,
    rfc            TEXT NOT NULL,
    first_surname  TEXT NOT NULL,
    second_surname TEXT NOT NULL,
    given_names    TEXT NOT NULL,
    birth_date     TEXT NOT NULL,
    sex            TEXT NOT NULL,
    state          INTEGER NOT NULL,
    batch_id       INTEGER NOT NULL
);
CREATE UNIQUE INDEX members_nss ON members (nss);
CREATE UNIQUE INDEX members_curp ON members (curp);

CREATE TABLE employers (
    nrp      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    state    INTEGER NOT NULL,
    sector   TEXT NOT NULL,
    batch_id INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE employment_periods (
    member_id  INTEGER NOT NULL,
    nrp        TEXT NOT NULL,
    start_date TEXT NOT NULL,
    wage_from  TEXT NOT NULL,
    end_date   TEXT,
    daily_wage INTEGER NOT NULL,
    batch_id   INTEGER NOT NULL,
    PRIMARY KEY (member_id, nrp, start_date, wage_from)
) WITHOUT ROWID;

CREATE TABLE subaccount_movements (
    member_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    kind      INTEGER NOT NULL,
    period    INTEGER NOT NULL,
    source    INTEGER NOT NULL,
    amount    INTEGER NOT NULL,
    booked_on TEXT NOT NULL,
    batch_id  INTEGER NOT NULL,
    PRIMARY KEY (member_id, bucket, kind, period, source)
) WITHOUT ROWID;

CREATE TABLE subaccount_balances (
    member_id INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    balance   INTEGER NOT NULL,
    PRIMARY KEY (member_id, bucket)
) WITHOUT ROWID;

CREATE TABLE credits (
    member_id     INTEGER NOT NULL,
    credit_number TEXT NOT NULL,
    product       TEXT NOT NULL,
    denomination  TEXT NOT NULL,
    originated_on TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    amount_vsm    TEXT,
    rate          TEXT NOT NULL,
    term_months   INTEGER NOT NULL,
    status        TEXT NOT NULL,
    balance       INTEGER NOT NULL DEFAULT 0,
    batch_id      INTEGER NOT NULL,
    PRIMARY KEY (member_id, credit_number)
) WITHOUT ROWID;
CREATE UNIQUE INDEX credits_credit_number ON credits (credit_number);

CREATE TABLE credit_movements (
    member_id     INTEGER NOT NULL,
    credit_number TEXT NOT NULL,
    reference     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    booked_on     TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    batch_id      INTEGER NOT NULL,
    PRIMARY KEY (member_id, credit_number, reference)
) WITHOUT ROWID;
