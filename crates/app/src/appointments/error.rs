//! What can go wrong with an appointment, as stable codes.

use domain::appointments::SlotError;
use store::StoreError;

use crate::issue::IssueError;

#[derive(Debug, thiserror::Error)]
pub enum AppointmentError {
    #[error("{0}")]
    Store(#[from] StoreError),
    /// No appointment of this member has this folio.
    #[error("appointment_not_found")]
    NotFound,
    #[error("office_not_found")]
    OfficeNotFound,
    #[error("procedure_unknown")]
    UnknownProcedure,
    /// The day or time cannot be booked, or the appointment can no longer be changed.
    #[error("{0}")]
    Slot(#[from] SlotError),
    /// Every place of the slot is taken.
    #[error("slot_full")]
    SlotFull,
    /// The member already has an appointment to come for this procedure.
    #[error("appointment_already_booked")]
    AlreadyBooked,
    /// The member has another appointment at that time.
    #[error("appointment_time_taken")]
    TimeTaken,
    /// Moved or cancelled meanwhile: show it again before acting.
    #[error("appointment_state_changed")]
    Changed,
    #[error("appointment_cancelled")]
    Cancelled,
    /// A move to the time it already has.
    #[error("appointment_same_slot")]
    SameSlot,
    /// Booking is for the member or an operator acting for them; an office's day is for
    /// operators.
    #[error("appointment_not_permitted")]
    NotPermitted,
    #[error("member_not_found")]
    NoMember,
    #[error("{0}")]
    Issue(#[from] IssueError),
}

impl AppointmentError {
    pub fn code(&self) -> &'static str {
        match self {
            AppointmentError::Store(_) => "service_unavailable",
            AppointmentError::NotFound => "appointment_not_found",
            AppointmentError::OfficeNotFound => "office_not_found",
            AppointmentError::UnknownProcedure => "procedure_unknown",
            AppointmentError::Slot(e) => e.code(),
            AppointmentError::SlotFull => "slot_full",
            AppointmentError::AlreadyBooked => "appointment_already_booked",
            AppointmentError::TimeTaken => "appointment_time_taken",
            AppointmentError::Changed => "appointment_state_changed",
            AppointmentError::Cancelled => "appointment_cancelled",
            AppointmentError::SameSlot => "appointment_same_slot",
            AppointmentError::NotPermitted => "appointment_not_permitted",
            AppointmentError::NoMember => "member_not_found",
            AppointmentError::Issue(e) => e.code(),
        }
    }

    /// Every code a member can be shown, for the test that each has a text.
    pub const MEMBER_CODES: [&'static str; 15] = [
        "appointment_not_found",
        "office_not_found",
        "procedure_unknown",
        "appointment_in_the_past",
        "appointment_outside_window",
        "slot_not_offered",
        "appointment_too_late_to_change",
        "slot_full",
        "appointment_already_booked",
        "appointment_time_taken",
        "appointment_state_changed",
        "appointment_cancelled",
        "appointment_same_slot",
        "appointment_not_permitted",
        "member_not_found",
    ];
}

/// The store's refusals as the use cases name them.
pub(crate) fn from_store(e: StoreError) -> AppointmentError {
    match e {
        StoreError::Conflict("slot_full") => AppointmentError::SlotFull,
        StoreError::Conflict("appointment_already_booked") => AppointmentError::AlreadyBooked,
        StoreError::Conflict("appointment_time_taken") => AppointmentError::TimeTaken,
        StoreError::Conflict("appointment_state_changed") => AppointmentError::Changed,
        StoreError::Conflict("appointment_not_found") => AppointmentError::NotFound,
        other => AppointmentError::Store(other),
    }
}
