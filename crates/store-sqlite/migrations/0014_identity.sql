-- A member's NSS can change, and two NSS of one person can be unified into one record. The
-- NSS that is no longer on the record stays here as an alias: it still finds the member when
-- they sign in, when an employer's file names it, and in the back office.

CREATE TABLE nss_aliases (
    nss       TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL,
    reason    TEXT NOT NULL,          -- 'changed' or 'unified'
    since     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX nss_aliases_member ON nss_aliases (member_id);

-- One row per record unified into another: a record disappears once. `details` lists what
-- moved, what was folded into an existing row and what was dropped as a duplicate.
CREATE TABLE member_merges (
    source_member_id INTEGER PRIMARY KEY,
    target_member_id INTEGER NOT NULL,
    source_nss       TEXT NOT NULL,
    merged_at        TEXT NOT NULL,
    merged_by        TEXT NOT NULL,
    details          TEXT NOT NULL
);
CREATE INDEX member_merges_target ON member_merges (target_member_id);
