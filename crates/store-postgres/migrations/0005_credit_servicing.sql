-- The payroll discount of each credit and its changes (restructuring, conversion): what the
-- retention and modification notices print.
CREATE TABLE credit_discounts (
    member_id     bigint NOT NULL,
    credit_number text COLLATE "C" NOT NULL,
    valid_from    date NOT NULL,
    kind          text NOT NULL,
    value         numeric NOT NULL,
    reason        text NOT NULL,
    batch_id      bigint NOT NULL,
    PRIMARY KEY (member_id, credit_number, valid_from)
);

-- The yearly re-indexation walks the VSM credits without reading the others.
CREATE INDEX credits_vsm_active ON credits (member_id, credit_number)
    WHERE denomination = 'vsm' AND status = 'active';
