-- Files attached to requests: the evidence of a data correction (a CURP certificate, a birth
-- certificate). Kept with the request, keyed by member first like every member-owned table.
CREATE TABLE request_attachments (
    member_id    INTEGER NOT NULL,
    folio        TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       BLOB NOT NULL,
    bytes        BLOB NOT NULL,
    uploaded_at  TEXT NOT NULL,
    PRIMARY KEY (member_id, folio, seq)
);
