-- The pensioner refund (domain.md §9), as in the SQLite schema. Pension resolutions and the
-- holds on a subaccount are registry data, loaded by the `pensions` and `holds` imports; the
-- bank account is the CLABE a member gave for deposits. Keyed by member like every
-- member-owned table. The refund itself is a request (0006): its answers hold the CLABE, the
-- amounts, the certificate and the signature, never a private key or a password.

CREATE TABLE pension_resolutions (
    member_id   bigint NOT NULL,
    outcome     text COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL,
    resolved_on date NOT NULL,
    batch_id    bigint NOT NULL,
    PRIMARY KEY (member_id, outcome, resolved_on)
);

CREATE TABLE subaccount_holds (
    member_id bigint NOT NULL,
    kind      text COLLATE "C" NOT NULL,
    placed_on date NOT NULL,
    lifted_on date,
    batch_id  bigint NOT NULL,
    PRIMARY KEY (member_id, kind, placed_on)
);

CREATE TABLE bank_accounts (
    member_id          bigint PRIMARY KEY,
    clabe              text COLLATE "C" NOT NULL,
    holder_declared_at timestamptz NOT NULL,
    registered_at      timestamptz NOT NULL,
    changed_at         timestamptz
);

-- At most one refund in process per member: a second filing (a double click, two tabs, two
-- channels at once) is refused by the database whatever the timing.
CREATE UNIQUE INDEX requests_one_open_refund ON requests (member_id)
    WHERE kind = 'pensioner_refund'
      AND stage IN ('submitted', 'in_review', 'needs_correction', 'approved');
