-- Payment relief on credits (domain.md §10), as in the SQLite schema: one row per grant, at
-- most one grant starting in a month per credit; the money is posted in credit_movements.
CREATE TABLE relief_grants (
    member_id         bigint NOT NULL,
    credit_number     text COLLATE "C" NOT NULL,
    start_on          date NOT NULL,
    programme         text COLLATE "C" NOT NULL,
    family            text COLLATE "C" NOT NULL,
    effect            text COLLATE "C" NOT NULL,
    months            integer NOT NULL CHECK (months > 0),
    renewal           boolean NOT NULL,
    suspends_discount boolean NOT NULL,
    decided_on        date NOT NULL,
    balance           bigint NOT NULL,
    instalment        bigint NOT NULL,
    PRIMARY KEY (member_id, credit_number, start_on)
);
