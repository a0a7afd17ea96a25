-- Appointments at service centres (CESI). Times are the office's wall clock: the day as
-- YYYY-MM-DD text and the minute after midnight the slot starts at. Instants are ISO-8601 UTC
-- text as in 0002. See docs/appointments.md for why no slot is ever overbooked.

-- The member's appointments, keyed by member first; the random folio is also unique alone.
CREATE TABLE appointments (
    member_id   INTEGER NOT NULL,
    folio       TEXT NOT NULL,
    procedure   TEXT NOT NULL,
    office      TEXT NOT NULL,
    day         TEXT NOT NULL,
    minute      INTEGER NOT NULL CHECK (minute >= 0 AND minute < 1440),
    status      TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    channel     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    reminded_at TEXT,
    PRIMARY KEY (member_id, folio)
) WITHOUT ROWID;

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
    office TEXT NOT NULL,
    day    TEXT NOT NULL,
    minute INTEGER NOT NULL,
    booked INTEGER NOT NULL CHECK (booked >= 0),
    PRIMARY KEY (office, day, minute)
) WITHOUT ROWID;

-- The member's one appointment to come per procedure: taken over only once its day has passed.
CREATE TABLE appointment_holds (
    member_id INTEGER NOT NULL,
    procedure TEXT NOT NULL,
    folio     TEXT NOT NULL,
    day       TEXT NOT NULL,
    PRIMARY KEY (member_id, procedure)
) WITHOUT ROWID;
