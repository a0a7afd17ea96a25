-- Requests ("trámites") and their timelines, as in the SQLite schema: the request row holds where
-- the request stands, every change appends an event numbered from 1, and `version` is the number
-- of the last one. Keyed by member first, so the tables can be hash-partitioned or distributed
-- by member_id; the random folio is also unique on its own. Folios compare byte by byte
-- (COLLATE "C"), as in SQLite, so both engines page through the queue in the same order.

CREATE TABLE requests (
    member_id    bigint NOT NULL,
    folio        text COLLATE "C" NOT NULL,
    kind         text NOT NULL,
    stage        text NOT NULL,
    reason       text,
    answers      text NOT NULL,
    channel      text NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    submitted_at timestamptz,
    promised_on  date,
    updated_at   timestamptz NOT NULL,
    version      integer NOT NULL,
    PRIMARY KEY (member_id, folio)
);

CREATE UNIQUE INDEX requests_folio ON requests (folio);

-- The operators' queue: open requests, oldest promise first. Closed requests, the great
-- majority, stay out of it.
CREATE INDEX requests_open ON requests (promised_on, folio)
    WHERE stage IN ('submitted', 'in_review', 'needs_correction', 'approved');

CREATE TABLE request_events (
    member_id bigint NOT NULL,
    folio     text COLLATE "C" NOT NULL,
    seq       integer NOT NULL,
    at        timestamptz NOT NULL,
    event     text NOT NULL,
    stage     text NOT NULL,
    reason    text,
    actor     text NOT NULL,
    channel   text NOT NULL,
    details   text NOT NULL,
    PRIMARY KEY (member_id, folio, seq)
);
