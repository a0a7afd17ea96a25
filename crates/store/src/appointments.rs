//! Appointments at service centres, with the two rules only storage can keep under concurrent
//! bookings:
//!
//! - **Capacity.** Each (office, day, minute) has a counter row. Taking a place is one statement,
//!   `INSERT … ON CONFLICT DO UPDATE SET booked = booked + 1 WHERE booked < capacity`: it
//!   changes one row or none, and the database runs it atomically against the latest committed
//!   count (PostgreSQL locks the row and re-checks the condition after a concurrent writer
//!   commits; SQLite has one writer). No slot ever holds more than `capacity`.
//! - **One appointment to come per member and procedure.** A hold row keyed (member,
//!   procedure) names the member's current appointment and its day; booking inserts it, or
//!   takes it over only when the day it names has passed. A unique index also keeps a member
//!   from holding two appointments at the same time.
//!
//! Booking, moving and cancelling each run in one transaction with their audit entries and
//! notices: a move takes the new place before it gives back the old one, so a full slot leaves
//! the appointment where it was. Locks are taken in one order (hold, appointment, slots by key)
//! so concurrent changes never deadlock.

use async_trait::async_trait;
use domain::appointments::{AppointmentFolio, OfficeCode, Procedure, Slot};
use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use time::{Date, OffsetDateTime};

use crate::{NewMessage, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
}

impl AppointmentStatus {
    pub fn code(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<AppointmentStatus> {
        [AppointmentStatus::Booked, AppointmentStatus::Cancelled]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAppointment {
    pub member_id: MemberId,
    pub folio: AppointmentFolio,
    pub procedure: Procedure,
    pub office: OfficeCode,
    pub slot: Slot,
    /// Where it was booked: web, app, phone or CESI.
    pub channel: Channel,
    /// "member:123", or "operator:7" booking for the member.
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

/// An appointment as stored; instants read back as `stored_instant` of what was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appointment {
    pub member_id: MemberId,
    pub folio: AppointmentFolio,
    pub procedure: Procedure,
    pub office: OfficeCode,
    pub slot: Slot,
    pub status: AppointmentStatus,
    pub channel: Channel,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// 1 when booked, one more for each move or the cancellation.
    pub version: u32,
    /// When the reminder for the current day went out.
    pub reminded_at: Option<OffsetDateTime>,
}

/// A slot to take: where, when, and how many places it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotClaim {
    pub office: OfficeCode,
    pub slot: Slot,
    /// The office's desks: the most appointments the slot takes.
    pub capacity: u32,
}

/// A move or a cancellation of the member's appointment, made only if it is still booked and
/// at `expected_version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentChange {
    pub expected_version: u32,
    pub at: OffsetDateTime,
}

/// Errors: `Conflict("slot_full")`, `Conflict("appointment_already_booked")` (an appointment
/// to come for the same procedure), `Conflict("appointment_time_taken")` (another appointment
/// at that time), `Conflict("appointment_folio_taken")` (draw another),
/// `Conflict("appointment_not_found")`, `Conflict("appointment_state_changed")` (cancelled or
/// moved meanwhile).
#[async_trait]
pub trait AppointmentRepo {
    /// Books a place in `claim` for the member, unless the slot is full or the member already
    /// has an appointment to come (a day on or after `today`) for the procedure.
    async fn book_appointment(
        &self,
        new: &NewAppointment,
        claim: &SlotClaim,
        today: Date,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError>;
    /// Moves the member's appointment to `to`: the new place is taken first, so a full slot
    /// changes nothing. The reminder is sent again for the new day.
    async fn reschedule_appointment(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        change: &AppointmentChange,
        to: &SlotClaim,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError>;
    /// Cancels the member's appointment and gives its place back.
    async fn cancel_appointment(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        change: &AppointmentChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError>;
    /// The member's appointment with this folio; `None` for another member's.
    async fn appointment_by_folio(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
    ) -> Result<Option<Appointment>, StoreError>;
    /// The member's appointments, latest day first.
    async fn appointments_of_member(
        &self,
        member: MemberId,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// Whose appointment a folio is: for the back office, and to audit a member asking for
    /// someone else's. Never answer a member with it.
    async fn appointment_folio_owner(
        &self,
        folio: &AppointmentFolio,
    ) -> Result<Option<MemberId>, StoreError>;
    /// How many places are taken in each slot of `office` from `from` to `to` (slots with none
    /// taken may be left out).
    async fn slot_bookings(
        &self,
        office: &OfficeCode,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Slot, u32)>, StoreError>;
    /// The booked appointments of an office on a day, by time then folio.
    async fn office_appointments(
        &self,
        office: &OfficeCode,
        day: Date,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// Booked appointments on `day` whose reminder has not gone out, by folio, at most `limit`.
    async fn appointments_to_remind(
        &self,
        day: Date,
        limit: u32,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// Marks the reminder of the member's appointment on `day` as sent and queues `notify`,
    /// only if it is still booked for that day and not reminded: `false` when another run (or
    /// a move, or a cancellation) got there first.
    async fn mark_reminded(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        day: Date,
        at: OffsetDateTime,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<bool, StoreError>;
}
