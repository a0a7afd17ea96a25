-- A member's NSS can change, and two NSS of one person can be unified into one record. The
-- NSS that is no longer on the record stays here as an alias: it still finds the member when
-- they sign in, when an employer's file names it, and in the back office.

CREATE TABLE nss_aliases (
    nss       text COLLATE "C" PRIMARY KEY,
    member_id bigint NOT NULL,
    reason    text NOT NULL,          -- 'changed' or 'unified'
    since     timestamptz NOT NULL
);
CREATE INDEX nss_aliases_member ON nss_aliases (member_id);

-- One row per record unified into another: a record disappears once. `details` lists what
-- moved, what was folded into an existing row and what was dropped as a duplicate.
CREATE TABLE member_merges (
    source_member_id bigint PRIMARY KEY,
    target_member_id bigint NOT NULL,
    source_nss       text COLLATE "C" NOT NULL,
    merged_at        timestamptz NOT NULL,
    merged_by        text NOT NULL,
    details          text NOT NULL
);
CREATE INDEX member_merges_target ON member_merges (target_member_id);
