-- Payment relief on credits (domain.md §10): the 2020 Covid-19 measures, the prórroga and the
-- payment-protection fund. One row per grant; a credit has at most one grant starting in a
-- month, so an application sent twice is granted once. The money a grant moves is posted in
-- credit_movements (kinds relief_payment and interest_waiver) under a relief-posting batch.
CREATE TABLE relief_grants (
    member_id         INTEGER NOT NULL,
    credit_number     TEXT NOT NULL,
    start_on          TEXT NOT NULL,
    programme         TEXT NOT NULL,
    family            TEXT NOT NULL,
    effect            TEXT NOT NULL,
    months            INTEGER NOT NULL CHECK (months > 0),
    renewal           INTEGER NOT NULL,
    suspends_discount INTEGER NOT NULL,
    decided_on        TEXT NOT NULL,
    balance           INTEGER NOT NULL,
    instalment        INTEGER NOT NULL,
    PRIMARY KEY (member_id, credit_number, start_on)
) WITHOUT ROWID;
