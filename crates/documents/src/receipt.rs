//! Receipts the member keeps: the "Acuse de solicitud" of a request made in the portal, with the
//! answers given and the date a reply is promised by, and the "Comprobante de cita" of an
//! appointment at a service centre.

use domain::registry::Member;
use serde::Serialize;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use crate::member::MemberInput;
use crate::{Document, DocumentKind, format};

/// The receipt of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestReceipt {
    pub folio: String,
    /// What was requested, as the portal names it ("Devolución de pagos en exceso").
    pub kind_label: String,
    pub member: Member,
    pub submitted_at: OffsetDateTime,
    /// The day the fund promises a reply by.
    pub promised_on: Date,
    /// Where it was made ("Portal Vivienda", "Centro de servicio").
    pub channel_label: String,
    /// Each question asked and the answer given, in order.
    pub answers: Vec<(String, String)>,
}

/// The receipt of an appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentReceipt {
    pub folio: String,
    pub member: Member,
    pub office_name: String,
    pub office_address: String,
    /// On the office's own clock, as the member will find it there.
    pub starts_at: PrimitiveDateTime,
    /// The procedure the appointment is for.
    pub procedure_label: String,
    /// What to bring, one item each.
    pub bring: Vec<String>,
}

#[derive(Serialize)]
struct RequestInput<'a> {
    folio: &'a str,
    kind: &'a str,
    member: MemberInput<'a>,
    submitted_at: String,
    promised_on: String,
    channel: &'a str,
    answers: &'a [(String, String)],
}

#[derive(Serialize)]
struct AppointmentInput<'a> {
    folio: &'a str,
    member: MemberInput<'a>,
    office_name: &'a str,
    office_address: &'a str,
    starts_at: String,
    procedure: &'a str,
    bring: &'a [String],
}

impl Document for RequestReceipt {
    fn kind(&self) -> DocumentKind {
        DocumentKind::RequestReceipt
    }

    fn template_input(&self) -> impl Serialize {
        RequestInput {
            folio: &self.folio,
            kind: &self.kind_label,
            member: MemberInput::new(&self.member),
            submitted_at: format::long_date_time(self.submitted_at),
            promised_on: format::long_date(self.promised_on),
            channel: &self.channel_label,
            answers: &self.answers,
        }
    }
}

impl Document for AppointmentReceipt {
    fn kind(&self) -> DocumentKind {
        DocumentKind::AppointmentReceipt
    }

    fn template_input(&self) -> impl Serialize {
        AppointmentInput {
            folio: &self.folio,
            member: MemberInput::new(&self.member),
            office_name: &self.office_name,
            office_address: &self.office_address,
            starts_at: format::local_date_time(self.starts_at),
            procedure: &self.procedure_label,
            bring: &self.bring,
        }
    }
}
