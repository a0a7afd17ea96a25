-- The pensioner refund (domain.md §9). Pension resolutions and the holds on a subaccount are
-- registry data, loaded by the `pensions` and `holds` imports; the bank account is the CLABE a
-- member gave for deposits. Keyed by member like every member-owned table. The refund itself is
-- a request (0006): its answers hold the CLABE, the amounts, the certificate and the signature,
-- never a private key or a password. Dates are YYYY-MM-DD text, instants ISO-8601 UTC text.

CREATE TABLE pension_resolutions (
    member_id   INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    resolved_on TEXT NOT NULL,
    batch_id    INTEGER NOT NULL,
    PRIMARY KEY (member_id, outcome, resolved_on)
) WITHOUT ROWID;

CREATE TABLE subaccount_holds (
    member_id INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    lifted_on TEXT,
    batch_id  INTEGER NOT NULL,
    PRIMARY KEY (member_id, kind, placed_on)
) WITHOUT ROWID;

CREATE TABLE bank_accounts (
    member_id          INTEGER PRIMARY KEY,
    clabe              TEXT NOT NULL,
    holder_declared_at TEXT NOT NULL,
    registered_at      TEXT NOT NULL,
    changed_at         TEXT
);

-- At most one refund in process per member: a second filing (a double click, two tabs, two
-- channels at once) is refused by the database whatever the timing.
CREATE UNIQUE INDEX requests_one_open_refund ON requests (member_id)
    WHERE kind = 'pensioner_refund'
      AND stage IN ('submitted', 'in_review', 'needs_correction', 'approved');
