-- Idempotency keys (store::idempotency): the first answer to a member's submission, kept under
-- the `Idempotency-Key` the client sent, so that a retry gets it again instead of acting twice.
-- status, content_type and body are NULL while the request runs (or when its outcome is unknown).

CREATE TABLE idempotency_keys (
    member_id    INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    PRIMARY KEY (member_id, key)
);
