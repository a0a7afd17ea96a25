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
