-- The authenticator app's last used step, so each of its codes works once, and the drafts
-- that keep what a member was typing when their session timed out.

ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;

-- A draft is sealed (encrypted and authenticated by the server) and found by the hash of a
-- random token held in the member's browser; it lives until the member signs in again.
CREATE TABLE drafts (
    member_id  INTEGER NOT NULL,
    draft_hash BLOB NOT NULL,
    path       TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (member_id, draft_hash)
) WITHOUT ROWID;
