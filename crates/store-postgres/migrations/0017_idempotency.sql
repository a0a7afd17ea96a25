-- Idempotency keys (store::idempotency): the first answer to a member's submission, kept under
-- the `Idempotency-Key` the client sent, so that a retry gets it again instead of acting twice.
-- status, content_type and body are NULL while the request runs (or when its outcome is unknown).

CREATE TABLE idempotency_keys (
    member_id    bigint NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    status       integer,
    content_type text,
    body         bytea,
    PRIMARY KEY (member_id, key)
);
