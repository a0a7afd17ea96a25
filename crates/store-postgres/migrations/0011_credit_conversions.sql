-- Responsabilidad Compartida (domain.md §11): each credit converted from VSM to fixed pesos,
-- with the offer it applied. The key allows one conversion per credit, ever.
CREATE TABLE credit_conversions (
    member_id       bigint NOT NULL,
    credit_number   text COLLATE "C" NOT NULL,
    converted_at    timestamptz NOT NULL,
    channel         text NOT NULL,
    as_of           date NOT NULL,
    balance_before  bigint NOT NULL,
    discount        bigint NOT NULL,
    new_balance     bigint NOT NULL,
    rate            numeric NOT NULL,
    monthly_payment bigint NOT NULL,
    ends_on         date NOT NULL,
    offer           text NOT NULL,
    batch_id        bigint NOT NULL,
    PRIMARY KEY (member_id, credit_number)
);
