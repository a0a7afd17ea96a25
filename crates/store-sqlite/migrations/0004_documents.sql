-- The record of issued documents, for the public verification page: which member got which
-- kind of document, when, under which code, and the SHA-256 of the PDF as issued (a copy whose
-- bytes differ is not genuine). Keyed by member like every member-owned table; the code, being
-- random, is also unique on its own and is what the public look-up uses.

CREATE TABLE issued_documents (
    member_id INTEGER NOT NULL,
    code      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    sha256    BLOB NOT NULL,
    issued_at TEXT NOT NULL,
    PRIMARY KEY (member_id, code)
) WITHOUT ROWID;

CREATE UNIQUE INDEX issued_documents_code ON issued_documents (code);
