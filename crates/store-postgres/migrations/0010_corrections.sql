-- Files attached to requests: the evidence of a data correction (a CURP certificate, a birth
-- certificate). Kept with the request, keyed by member first like every member-owned table.
CREATE TABLE request_attachments (
    member_id    bigint NOT NULL,
    folio        text NOT NULL,
    seq          integer NOT NULL,
    file_name    text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       bytea NOT NULL,
    bytes        bytea NOT NULL,
    uploaded_at  timestamptz NOT NULL,
    PRIMARY KEY (member_id, folio, seq)
);
