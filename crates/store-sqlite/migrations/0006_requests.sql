-- Requests ("trámites") and their timelines. A request row holds where the request stands
-- (stage, and the reason code of a rejection or of a correction asked for); every change appends
-- an event, numbered from 1 per request, and `version` is the number of the last one. Keyed by
-- member like every member-owned table; the folio, being random, is also unique on its own.
-- Dates are YYYY-MM-DD text, instants ISO-8601 UTC text as in 0002.

CREATE TABLE requests (
    member_id    INTEGER NOT NULL,
    folio        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    stage        TEXT NOT NULL,
    reason       TEXT,
    answers      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    submitted_at TEXT,
    promised_on  TEXT,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (member_id, folio)
) WITHOUT ROWID;

CREATE UNIQUE INDEX requests_folio ON requests (folio);

-- The operators' queue: open requests, oldest promise first. Closed requests, the great
-- majority, stay out of it.
CREATE INDEX requests_open ON requests (promised_on, folio)
    WHERE stage IN ('submitted', 'in_review', 'needs_correction', 'approved');

CREATE TABLE request_events (
    member_id INTEGER NOT NULL,
    folio     TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    event     TEXT NOT NULL,
    stage     TEXT NOT NULL,
    reason    TEXT,
    actor     TEXT NOT NULL,
    channel   TEXT NOT NULL,
    details   TEXT NOT NULL,
    PRIMARY KEY (member_id, folio, seq)
) WITHOUT ROWID;
