//! Appointments at the fund's service centres (CESI): booking, moving and cancelling one, the
//! member's list, an office's day for the back office, the reminder the day before, and the
//! receipt.
//!
//! Each change owns one transaction: the appointment, the place it takes or gives back, its audit
//! row and the member's notices are written together or not at all. A member reaches only their
//! own appointments (the member always comes from the session). A phone agent or a CESI clerk
//! books for a member through the same functions (`Acting::ForMember`): the operator and the
//! channel are recorded.

mod error;
mod notices;
mod reads;
mod receipt;
mod reminders;

use std::sync::Arc;

use domain::appointments::{
    AppointmentFolio, Office, Offices, Procedure, Slot, SlotRules, check_booking, check_change,
};
use domain::audit::AuditEntry;
use domain::dates::mexico_city_date;
use domain::registry::MemberId;
use domain::requests::Holidays;
use serde_json::json;
use store::{
    Appointment, AppointmentChange, AppointmentStatus, NewAppointment, SlotClaim, Store, StoreError,
};
use time::Date;

use crate::accounts::Caller;
use crate::clock::Clock;
use crate::i18n::{Lang, Messages};
use crate::requests::Acting;
pub use error::AppointmentError;
use error::from_store;
pub use notices::procedure_text;
use notices::{Event, Notice};
pub use reads::AppointmentView;
pub use reminders::ReminderRun;

/// Folios drawn before giving up: a clash is rare, three in a row means something is wrong.
const FOLIO_DRAWS: usize = 3;

/// What a member asks for: a procedure, at an office, at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub procedure: Procedure,
    /// The office's code.
    pub office: String,
    pub slot: Slot,
}

/// The appointment use cases and what they need.
#[derive(Clone)]
pub struct Appointments {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    offices: Arc<Offices>,
    holidays: Arc<Holidays>,
    rules: SlotRules,
    messages: Arc<Messages>,
}

impl Appointments {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        offices: Arc<Offices>,
        holidays: Holidays,
        rules: SlotRules,
        messages: Arc<Messages>,
    ) -> Appointments {
        Appointments {
            store,
            clock,
            offices,
            holidays: Arc::new(holidays),
            rules,
            messages,
        }
    }

    /// Today in Mexico City: the day windows and cut-offs are counted from.
    pub fn today(&self) -> Date {
        mexico_city_date(self.clock.now())
    }

    pub fn rules(&self) -> SlotRules {
        self.rules
    }

    pub fn offices(&self) -> &Offices {
        &self.offices
    }

    pub fn office(&self, code: &str) -> Result<&Office, AppointmentError> {
        self.offices
            .by_code(code)
            .ok_or(AppointmentError::OfficeNotFound)
    }

    fn audit(
        &self,
        caller: &Caller,
        acting: Acting,
        action: &str,
        member: MemberId,
        mut details: serde_json::Value,
    ) -> AuditEntry {
        if let (Acting::ForMember { .. }, Some(map)) = (acting, details.as_object_mut()) {
            map.insert("for_member".into(), json!(true));
        }
        AuditEntry {
            at: store::stored_instant(self.clock.now()),
            actor: acting.label(),
            action: action.to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: details.to_string(),
        }
    }

    /// The member's notices about `event`. Members have no language preference yet, so they
    /// are written in Spanish.
    async fn notices(
        &self,
        member: MemberId,
        event: Event,
        appointment: (&AppointmentFolio, Procedure, &Office, Slot),
    ) -> Result<Vec<store::NewMessage>, AppointmentError> {
        let account = self.store.account_by_member(member).await?;
        let (folio, procedure, office, slot) = appointment;
        let notice = Notice {
            event,
            folio,
            procedure,
            office,
            slot,
        };
        Ok(notices::compose(
            &self.messages,
            Lang::Es,
            account.as_ref(),
            &notice,
            self.clock.now(),
        ))
    }

    /// Books `booking` for `member`: checked against the office's slots and the booking
    /// window, then a place is taken if one is left and the member has no other appointment to
    /// come for the procedure.
    pub async fn book(
        &self,
        member: MemberId,
        booking: &Booking,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Appointment, AppointmentError> {
        if acting.member() != Some(member) {
            return Err(AppointmentError::NotPermitted);
        }
        let office = self.office(&booking.office)?;
        let today = self.today();
        check_booking(office, booking.slot, today, &self.rules, &self.holidays)?;
        if self.store.member(member).await?.is_none() {
            return Err(AppointmentError::NoMember);
        }
        let claim = SlotClaim {
            office: office.code.clone(),
            slot: booking.slot,
            capacity: office.desks,
        };
        let now = self.clock.now();
        for _ in 0..FOLIO_DRAWS {
            let folio = AppointmentFolio::generate(today.year(), &mut rand::rng());
            let notify = self
                .notices(
                    member,
                    Event::Booked,
                    (&folio, booking.procedure, office, booking.slot),
                )
                .await?;
            let details = json!({
                "folio": folio.as_str(),
                "procedure": booking.procedure.code(),
                "office": office.code.as_str(),
                "day": domain::dates::iso(booking.slot.day),
                "time": booking.slot.time_text(),
            });
            let audit = [self.audit(caller, acting, "appointment_booked", member, details)];
            let new = NewAppointment {
                member_id: member,
                folio,
                procedure: booking.procedure,
                office: office.code.clone(),
                slot: booking.slot,
                channel: caller.channel,
                created_by: acting.label(),
                created_at: now,
            };
            match self
                .store
                .book_appointment(&new, &claim, today, &audit, &notify)
                .await
            {
                Ok(booked) => return Ok(booked),
                Err(StoreError::Conflict("appointment_folio_taken")) => continue,
                Err(e) => return Err(from_store(e)),
            }
        }
        Err(AppointmentError::Store(StoreError::Conflict(
            "appointment_folio_taken",
        )))
    }

    /// The appointment `folio` names for whoever acts: the member (or an operator for them)
    /// reaches only their own, and asking for someone else's is audited and answered like a
    /// folio that does not exist; an operator or the system reaches anyone's.
    pub(crate) async fn resolve(
        &self,
        folio: &AppointmentFolio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Appointment, AppointmentError> {
        match acting.member() {
            Some(member) => {
                if let Some(found) = self.store.appointment_by_folio(member, folio).await? {
                    return Ok(found);
                }
                if let Some(owner) = self.store.appointment_folio_owner(folio).await?
                    && owner != member
                {
                    let details = json!({ "folio": folio.as_str(), "what": "appointment" });
                    let entry = self.audit(caller, acting, "access_denied", member, details);
                    self.store.append_audit(&[entry]).await?;
                }
                Err(AppointmentError::NotFound)
            }
            None => {
                let owner = self
                    .store
                    .appointment_folio_owner(folio)
                    .await?
                    .ok_or(AppointmentError::NotFound)?;
                self.store
                    .appointment_by_folio(owner, folio)
                    .await?
                    .ok_or(AppointmentError::NotFound)
            }
        }
    }

    /// An appointment that can still be changed: booked, and (for the member) before its day.
    fn changeable(&self, current: &Appointment, acting: Acting) -> Result<(), AppointmentError> {
        if current.status == AppointmentStatus::Cancelled {
            return Err(AppointmentError::Cancelled);
        }
        match acting {
            Acting::Member(_) | Acting::ForMember { .. } => {
                check_change(current.slot, self.today())?;
            }
            // The back office moves or cancels an appointment that has not begun (an office
            // that must close): never one whose day has passed.
            Acting::Operator(_) | Acting::System => {
                if current.slot.day < self.today() {
                    return Err(domain::appointments::SlotError::TooLateToChange.into());
                }
            }
        }
        Ok(())
    }

    /// Moves the appointment to another time at the same office. The new place is taken
    /// before the old one is given back, in one transaction: if the new slot is full, the
    /// appointment keeps its time.
    pub async fn reschedule(
        &self,
        folio: &AppointmentFolio,
        to: Slot,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Appointment, AppointmentError> {
        let current = self.resolve(folio, acting, caller).await?;
        self.changeable(&current, acting)?;
        let office = self.office(current.office.as_str())?;
        if to == current.slot {
            return Err(AppointmentError::SameSlot);
        }
        check_booking(office, to, self.today(), &self.rules, &self.holidays)?;
        let member = current.member_id;
        let notify = self
            .notices(
                member,
                Event::Rescheduled,
                (folio, current.procedure, office, to),
            )
            .await?;
        let details = json!({
            "folio": folio.as_str(),
            "office": office.code.as_str(),
            "from": format!("{} {}", domain::dates::iso(current.slot.day), current.slot.time_text()),
            "to": format!("{} {}", domain::dates::iso(to.day), to.time_text()),
        });
        let audit = [self.audit(caller, acting, "appointment_rescheduled", member, details)];
        let change = AppointmentChange {
            expected_version: current.version,
            at: self.clock.now(),
        };
        let claim = SlotClaim {
            office: office.code.clone(),
            slot: to,
            capacity: office.desks,
        };
        self.store
            .reschedule_appointment(member, folio, &change, &claim, &audit, &notify)
            .await
            .map_err(from_store)
    }

    /// Cancels the appointment and gives its place back.
    pub async fn cancel(
        &self,
        folio: &AppointmentFolio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Appointment, AppointmentError> {
        let current = self.resolve(folio, acting, caller).await?;
        self.changeable(&current, acting)?;
        let member = current.member_id;
        // An office the fund has since taken out of its file can still be cancelled at; the
        // notice needs its name and address, so none is sent.
        let notify = match self.office(current.office.as_str()) {
            Ok(office) => {
                self.notices(
                    member,
                    Event::Cancelled,
                    (folio, current.procedure, office, current.slot),
                )
                .await?
            }
            Err(_) => Vec::new(),
        };
        let details = json!({
            "folio": folio.as_str(),
            "office": current.office.as_str(),
            "day": domain::dates::iso(current.slot.day),
            "time": current.slot.time_text(),
        });
        let audit = [self.audit(caller, acting, "appointment_cancelled", member, details)];
        let change = AppointmentChange {
            expected_version: current.version,
            at: self.clock.now(),
        };
        self.store
            .cancel_appointment(member, folio, &change, &audit, &notify)
            .await
            .map_err(from_store)
    }
}
