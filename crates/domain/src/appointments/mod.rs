//! Appointments at the fund's service centres (CESI): the procedures that still need a visit,
//! the offices with their hours and desks, the slots cut from those hours, and the rules for
//! booking, moving and cancelling. Appointments are not requests: they have a time and a
//! place, not a decision.
//!
//! - [`offices`]: the offices, a data file (`data/cesi_offices.csv`).
//! - [`procedures`]: what needs a visit, and what to bring.
//! - [`slots`]: slots, the booking window, the cut-off for changes, places left.
//! - [`folio`]: the appointment's reference, "CIT-2026-…".
//!
//! Two rules are kept by storage because only it sees concurrent bookings: a slot never takes
//! more appointments than the office has desks, and a member has at most one appointment to
//! come per procedure (and never two at the same time).

pub mod folio;
pub mod offices;
pub mod procedures;
pub mod slots;

pub use folio::AppointmentFolio;
pub use offices::{Office, OfficeCode, Offices, OpeningHours};
pub use procedures::Procedure;
pub use slots::{
    Availability, Slot, SlotError, SlotRules, availability, check_booking, check_change, is_open,
    open_days, slots_on, window,
};
