-- Appointments at service centres (CESI), as in the SQLite schema. Times are the office's wall
-- clock: the day and the minute after midnight the slot starts at. Keyed by member first, so the
-- member tables can be hash-partitioned or distributed by member_id; the slot counters are keyed
-- by office. Folios and office codes compare byte by byte (COLLATE "C"), as in SQLite. See
-- docs/appointments.md for why no slot is ever overbooked.

CREATE TABLE appointments (
    member_id   bigint NOT NULL,
    folio       text COLLATE "C" NOT NULL,
    procedure   text NOT NULL,
    office      text COLLATE "C" NOT NULL,
    day         date NOT NULL,
    minute      smallint NOT NULL CHECK (minute >= 0 AND minute < 1440),
    status      text NOT NULL CHECK (status IN ('booked', 'cancelled')),
    channel     text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     integer NOT NULL,
    reminded_at timestamptz,
    PRIMARY KEY (member_id, folio)
);

CREATE UNIQUE INDEX appointments_folio ON appointments (folio);

-- A member never holds two appointments at the same time.
CREATE UNIQUE INDEX appointments_member_time ON appointments (member_id, day, minute)
    WHERE status = 'booked';

-- An office's day for the back office, and tomorrow's reminders; cancelled ones stay out.
CREATE INDEX appointments_office_day ON appointments (office, day, minute)
    WHERE status = 'booked';
CREATE INDEX appointments_to_remind ON appointments (day, folio)
    WHERE status = 'booked' AND reminded_at IS NULL;

-- Places taken per slot: the counter a booking increments only while booked < capacity.
CREATE TABLE appointment_slots (
    office text COLLATE "C" NOT NULL,
    day    date NOT NULL,
    minute smallint NOT NULL,
    booked integer NOT NULL CHECK (booked >= 0),
    PRIMARY KEY (office, day, minute)
);

-- The member's one appointment to come per procedure: taken over only once its day has passed.
CREATE TABLE appointment_holds (
    member_id bigint NOT NULL,
    procedure text NOT NULL,
    folio     text COLLATE "C" NOT NULL,
    day       date NOT NULL,
    PRIMARY KEY (member_id, procedure)
);
