-- The authenticator app's last used step, so each of its codes works once, and the drafts
-- that keep what a member was typing when their session timed out (as in the SQLite schema).

ALTER TABLE accounts ADD COLUMN totp_last_step bigint;

CREATE TABLE drafts (
    member_id  bigint NOT NULL,
    draft_hash bytea NOT NULL,
    path       text NOT NULL,
    sealed     bytea NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (member_id, draft_hash)
);
