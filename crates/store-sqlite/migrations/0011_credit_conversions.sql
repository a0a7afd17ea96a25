-- Responsabilidad Compartida (domain.md §11): each credit converted from VSM to fixed pesos,
-- with the offer it applied. The key allows one conversion per credit, ever.
CREATE TABLE credit_conversions (
    member_id       INTEGER NOT NULL,
    credit_number   TEXT NOT NULL,
    converted_at    TEXT NOT NULL,
    channel         TEXT NOT NULL,
    as_of           TEXT NOT NULL,
    balance_before  INTEGER NOT NULL,
    discount        INTEGER NOT NULL,
    new_balance     INTEGER NOT NULL,
    rate            TEXT NOT NULL,
    monthly_payment INTEGER NOT NULL,
    ends_on         TEXT NOT NULL,
    offer           TEXT NOT NULL,
    batch_id        INTEGER NOT NULL,
    PRIMARY KEY (member_id, credit_number)
) WITHOUT ROWID;
