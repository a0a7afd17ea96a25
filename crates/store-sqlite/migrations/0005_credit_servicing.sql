-- The payroll discount of each credit and its changes (restructuring, conversion): what the
-- retention and modification notices print.
CREATE TABLE credit_discounts (
    member_id     INTEGER NOT NULL,
    credit_number TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    value         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    batch_id      INTEGER NOT NULL,
    PRIMARY KEY (member_id, credit_number, valid_from)
) WITHOUT ROWID;

-- The yearly re-indexation walks the VSM credits without reading the others.
CREATE INDEX credits_vsm_active ON credits (member_id, credit_number)
    WHERE denomination = 'vsm' AND status = 'active';
