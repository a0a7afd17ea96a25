//! What the pages, the API and the back office read: the places left in an office's slots, the
//! member's appointments, and an office's day.

use std::collections::BTreeMap;

use domain::appointments::{
    AppointmentFolio, Availability, Office, OfficeCode, availability, check_change, open_days,
    window,
};
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use serde_json::json;
use store::{Appointment, AppointmentStatus};
use time::Date;

use super::{AppointmentError, Appointments};
use crate::accounts::Caller;
use crate::requests::Acting;

/// An appointment as the member's pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentView {
    pub appointment: Appointment,
    /// The office as the data file describes it today; `None` if the fund has taken it out.
    pub office: Option<Office>,
    /// Booked, and its day has not passed.
    pub upcoming: bool,
    /// It can still be moved or cancelled online (until the day before).
    pub changeable: bool,
}

impl Appointments {
    fn view(&self, appointment: Appointment) -> AppointmentView {
        let today = self.today();
        let booked = appointment.status == AppointmentStatus::Booked;
        AppointmentView {
            office: self.offices.by_code(appointment.office.as_str()).cloned(),
            upcoming: booked && appointment.slot.day >= today,
            changeable: booked && check_change(appointment.slot, today).is_ok(),
            appointment,
        }
    }

    /// The member's appointments: those to come, soonest first, then the rest, latest first.
    pub async fn mine(&self, member: MemberId) -> Result<Vec<AppointmentView>, AppointmentError> {
        let stored = self.store.appointments_of_member(member).await?;
        let (mut upcoming, rest): (Vec<_>, Vec<_>) = stored
            .into_iter()
            .map(|a| self.view(a))
            .partition(|v| v.upcoming);
        upcoming.sort_by_key(|v| (v.appointment.slot, v.appointment.folio.clone()));
        upcoming.extend(rest);
        Ok(upcoming)
    }

    /// The member's appointment with `folio`; someone else's is not found (and audited).
    pub async fn get(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        caller: &Caller,
    ) -> Result<AppointmentView, AppointmentError> {
        let found = self.resolve(folio, Acting::Member(member), caller).await?;
        Ok(self.view(found))
    }

    /// The days of the booking window on which the office is open.
    pub fn open_days(&self, office: &Office) -> Vec<Date> {
        open_days(office, self.today(), &self.rules, &self.holidays)
    }

    /// Every slot of the office from `from` to `to` (the whole booking window by default, and
    /// never outside it) with the places left. The same slots serve every procedure.
    pub async fn free_slots(
        &self,
        office: &Office,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<Availability>, AppointmentError> {
        let today = self.today();
        let (first, last) = window(today, &self.rules);
        let (from, to) = (
            from.unwrap_or(first).max(first),
            to.unwrap_or(last).min(last),
        );
        if from > to {
            return Ok(Vec::new());
        }
        let booked: BTreeMap<_, _> = self
            .store
            .slot_bookings(&office.code, from, to)
            .await?
            .into_iter()
            .collect();
        Ok(availability(
            office,
            (from, to),
            today,
            &self.rules,
            &self.holidays,
            &booked,
        ))
    }

    /// The booked appointments of an office on a day, by time: for the back office (an
    /// operator) or a job (the system), never a member. An operator's reading is audited.
    pub async fn office_day(
        &self,
        office: &str,
        day: Date,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Vec<Appointment>, AppointmentError> {
        if !matches!(acting, Acting::Operator(_) | Acting::System) {
            return Err(AppointmentError::NotPermitted);
        }
        let code = OfficeCode::parse(office).ok_or(AppointmentError::OfficeNotFound)?;
        let list = self.store.office_appointments(&code, day).await?;
        if let Acting::Operator(_) = acting {
            let entry = AuditEntry {
                at: store::stored_instant(self.clock.now()),
                actor: acting.label(),
                action: "office_appointments_viewed".into(),
                member_id: None,
                channel: caller.channel,
                origin: caller.origin.clone(),
                details: json!({
                    "office": code.as_str(),
                    "day": domain::dates::iso(day),
                    "count": list.len(),
                })
                .to_string(),
            };
            self.store.append_audit(&[entry]).await?;
        }
        Ok(list)
    }
}
