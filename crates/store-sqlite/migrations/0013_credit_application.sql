-- Credit applications (issue 5). Their documents are described in `request_attachments` like a
-- correction's evidence, but the bytes live in the blob store under their SHA-256 (`bytes` is
-- then empty and `in_blob_store` 1); `item` is the checklist item a document answers.
ALTER TABLE request_attachments ADD COLUMN item TEXT;
ALTER TABLE request_attachments ADD COLUMN in_blob_store INTEGER NOT NULL DEFAULT 0;

-- Whether a blob is still used by anyone, before letting it go.
CREATE INDEX request_attachments_blob ON request_attachments (sha256) WHERE in_blob_store = 1;

-- "Saber más para decidir mejor": the course a member must pass before applying. One row per
-- member: the first pass is the one that counts.
CREATE TABLE course_completions (
    member_id INTEGER PRIMARY KEY,
    course    TEXT NOT NULL,
    score     INTEGER NOT NULL,
    out_of    INTEGER NOT NULL,
    passed_at TEXT NOT NULL
);

-- Unamos Créditos: two members pool their credits. One member makes a code (kept only as its
-- SHA-256, valid for a day) and gives it to the other, who enters it: both have consented. A
-- pair is two rows, one per member, so either finds the other by their own key.
CREATE TABLE partner_codes (
    code_hash  BLOB PRIMARY KEY,
    member_id  INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX partner_codes_member ON partner_codes (member_id);

CREATE TABLE credit_partners (
    member_id  INTEGER PRIMARY KEY,
    partner_id INTEGER NOT NULL,
    joined_at  TEXT NOT NULL
);
