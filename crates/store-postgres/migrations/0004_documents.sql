-- The record of issued documents, for the public verification page (as in the SQLite schema):
-- keyed by member, with the random verification code unique on its own for the public look-up.

CREATE TABLE issued_documents (
    member_id bigint NOT NULL,
    code      text NOT NULL,
    kind      text NOT NULL,
    sha256    bytea NOT NULL,
    issued_at timestamptz NOT NULL,
    PRIMARY KEY (member_id, code)
);

CREATE UNIQUE INDEX issued_documents_code ON issued_documents (code);
