use documents::{AppointmentReceipt, RequestReceipt};
use time::macros::{date, datetime};

use crate::*;

pub fn request_receipt() -> RequestReceipt {
    RequestReceipt {
        folio: "SOL-2026-00093417".into(),
        kind_label: "Devolución de pagos en exceso".into(),
        member: member("LAURA", "CHÁVEZ", "PIÑA"),
        submitted_at: datetime!(2026-11-25 18:04:05 UTC),
        promised_on: date!(2026 - 12 - 23),
        channel_label: "Portal Vivienda".into(),
        answers: vec![
            (
                "¿Por qué pides la devolución?".into(),
                "Mi patrón siguió descontando después del aviso de suspensión".into(),
            ),
            (
                "Cuenta CLABE para el depósito".into(),
                "002180700999999990".into(),
            ),
            (
                "Bimestres con descuentos de más".into(),
                "2026-3, 2026-4".into(),
            ),
        ],
    }
}

pub fn appointment_receipt() -> AppointmentReceipt {
    AppointmentReceipt {
        folio: "CITA-2026-0071552".into(),
        member: member("JORGE", "LUNA", "VEGA"),
        office_name: "CESI Guadalajara Centro".into(),
        office_address: "Av. Federalismo Sur 217, Col. Centro, 44100 Guadalajara, Jal.".into(),
        // The office's own clock.
        starts_at: datetime!(2026-12-03 10:30),
        procedure_label: "Corrección de datos personales".into(),
        bring: vec![
            "Identificación oficial vigente".into(),
            "Acta de nacimiento".into(),
            "CURP impresa".into(),
        ],
    }
}

#[test]
fn a_request_receipt_carries_the_folio_the_promise_and_every_answer() {
    let data = request_receipt();
    let (_, read) = render_and_read(&data, "ACSE-0000-1111-2222");
    read.has("Acuse de solicitud");
    read.has("SOL-2026-00093417");
    read.has("Devolución de pagos en exceso");
    read.has_member(&data.member);
    read.has("25 de noviembre de 2026, 12:04 h");
    read.has("Portal Vivienda");
    read.has("Te responderemos a más tardar el 23 de diciembre de 2026");
    for (question, answer) in &data.answers {
        read.has(question);
        read.has(answer);
    }
}

#[test]
fn an_appointment_receipt_gives_the_office_s_local_time_and_what_to_bring() {
    let data = appointment_receipt();
    let (_, read) = render_and_read(&data, "C1TA-0000-1111-2222");
    read.has("Comprobante de cita");
    read.has("CITA-2026-0071552");
    read.has_member(&data.member);
    read.has("CESI Guadalajara Centro");
    read.has("Av. Federalismo Sur 217, Col. Centro, 44100 Guadalajara, Jal.");
    read.has("3 de diciembre de 2026, 10:30 h");
    read.has("HORA LOCAL DE LA OFICINA");
    read.has("Corrección de datos personales");
    for item in &data.bring {
        read.has(item);
    }
}
