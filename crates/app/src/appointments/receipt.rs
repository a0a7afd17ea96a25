//! The appointment receipt ("Comprobante de cita"), issued through [`crate::issue`] so it
//! carries a verification code and a QR code and is recorded.

use std::sync::Arc;

use documents::{AppointmentReceipt, Rendered, Renderer};
use domain::appointments::AppointmentFolio;
use domain::registry::MemberId;
use store::AppointmentStatus;
use time::PrimitiveDateTime;

use super::{AppointmentError, Appointments, procedure_text};
use crate::accounts::Caller;
use crate::i18n::Lang;
use crate::issue::issue;

impl Appointments {
    /// The receipt of the member's booked appointment, in Spanish.
    pub async fn receipt(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        folio: &AppointmentFolio,
        caller: &Caller,
    ) -> Result<Rendered, AppointmentError> {
        let view = self.get(member, folio, caller).await?;
        if view.appointment.status == AppointmentStatus::Cancelled {
            return Err(AppointmentError::Cancelled);
        }
        let office = view.office.ok_or(AppointmentError::OfficeNotFound)?;
        let person = self
            .store
            .member(member)
            .await?
            .ok_or(AppointmentError::NoMember)?;
        let procedure = view.appointment.procedure;
        let data = AppointmentReceipt {
            folio: folio.as_str().to_owned(),
            member: person,
            office_name: office.name,
            office_address: office.address,
            starts_at: PrimitiveDateTime::new(
                view.appointment.slot.day,
                view.appointment.slot.time(),
            ),
            procedure_label: procedure_text(&self.messages, Lang::Es, procedure),
            bring: procedure
                .bring()
                .iter()
                .map(|d| {
                    self.messages
                        .text(Lang::Es, &format!("appointment-bring-{d}"))
                })
                .collect(),
        };
        let rendered = issue(
            self.store.as_ref(),
            renderer,
            member,
            Arc::new(data),
            self.clock.now(),
            caller,
        )
        .await?;
        Ok(rendered)
    }
}
