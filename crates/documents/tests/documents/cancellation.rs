use documents::{CancellationLetter, CancellationRoute, DocumentError, Notary};
use domain::registry::CreditNumber;
use time::macros::date;

use crate::*;

fn notary() -> Notary {
    Notary {
        name: "LIC. ARTURO BENÍTEZ SALAS".into(),
        number: "47".into(),
        address: "AV. CHAPULTEPEC 480, COL. AMERICANA, GUADALAJARA, JAL.".into(),
        postal_code: "44160".into(),
        email: "notaria47@example.mx".into(),
        phone: "33 3615 4747".into(),
    }
}

pub fn letter(route: CancellationRoute) -> CancellationLetter {
    CancellationLetter {
        folio: "CCH-2026-0004821".into(),
        member: member("JUAN CARLOS", "MEDINA", "RÍOS"),
        credit_number: CreditNumber::parse("1406070809").unwrap(),
        paid_off_on: date!(2026 - 10 - 14),
        route,
        property_address: "CALLE PINO 12, FRACC. VILLAS DEL SOL, 45080 ZAPOPAN, JAL.".into(),
        valid_until: date!(2027 - 05 - 24),
    }
}

pub fn public_deed() -> CancellationRoute {
    CancellationRoute::NotaryPublicDeed {
        notary: notary(),
        deed_number: "18.432".into(),
        originating_notary_name: "LIC. MARTA IBARRA CRUZ".into(),
        originating_notary_number: "112".into(),
        originated_on: date!(2004 - 08 - 19),
        credit_line: "II".into(),
    }
}

/// Checks what every letter prints, and returns what was read.
fn read_letter(letter: &CancellationLetter, code: &str) -> Read {
    let (_, read) = render_and_read(letter, code);
    read.has("Carta de instrucción de cancelación de hipoteca");
    read.has("CCH-2026-0004821");
    read.has_member(&letter.member);
    read.has("1406070809");
    read.has("quedó totalmente liquidado el 14 de octubre de 2026");
    read.has("instruye la cancelación de la hipoteca");
    read.has("liberación del gravamen");
    read.has("CALLE PINO 12, FRACC. VILLAS DEL SOL, 45080 ZAPOPAN, JAL.");
    read.has(
        "Esta carta es válida hasta el 24 de mayo de 2027 (180 días naturales desde su emisión)",
    );
    read
}

#[test]
fn a_letter_to_a_notary_for_a_public_deed() {
    let read = read_letter(&letter(public_deed()), "CANC-0000-1111-2222");
    read.has("LIC. ARTURO BENÍTEZ SALAS");
    read.has("Titular de la Notaría Pública número 47");
    read.has("AV. CHAPULTEPEC 480, COL. AMERICANA, GUADALAJARA, JAL., C.P. 44160");
    read.has("notaria47@example.mx");
    read.has("33 3615 4747");
    read.has("ESCRITURA PÚBLICA NÚMERO");
    read.has("18.432");
    read.has("LIC. MARTA IBARRA CRUZ, notaría número 112");
    read.has("19 de agosto de 2004");
    read.has("LÍNEA DE CRÉDITO");
    read.has(" II ");
}

#[test]
fn a_letter_to_a_notary_for_a_private_instrument() {
    let route = CancellationRoute::NotaryPrivateInstrument {
        notary: notary(),
        instrument_number: "IP-2009-77120".into(),
        originated_on: date!(2009 - 02 - 27),
        credit_line: "IV".into(),
    };
    let read = read_letter(&letter(route), "CANC-0000-1111-3333");
    read.has("LIC. ARTURO BENÍTEZ SALAS");
    read.has("INSTRUMENTO PRIVADO NÚMERO");
    read.has("IP-2009-77120");
    read.has("27 de febrero de 2009");
    read.has(" IV ");
    read.lacks("ESCRITURA PÚBLICA");
    read.lacks("NOTARIO QUE LA OTORGÓ");
}

#[test]
fn a_letter_to_the_public_property_registry() {
    let route = CancellationRoute::PublicRegistry {
        folio_real: "FR-1458872".into(),
        recorded_on: date!(2004 - 11 - 03),
        state: "Jalisco".into(),
        deed_number: "18.432".into(),
        originating_notary_name: "LIC. MARTA IBARRA CRUZ".into(),
        originating_notary_number: "112".into(),
        originated_on: date!(2004 - 08 - 19),
        credit_line: "II".into(),
    };
    let read = read_letter(&letter(route), "CANC-0000-1111-4444");
    read.has("Registrador del Registro Público de la Propiedad");
    read.has("Jalisco");
    read.has("FR-1458872");
    read.has("3 de noviembre de 2004");
    read.has("18.432");
    read.has("LIC. MARTA IBARRA CRUZ, notaría número 112");
    read.has("19 de agosto de 2004");
    read.has(" II ");
    read.lacks("Titular de la Notaría");
}

#[test]
fn a_letter_that_expires_before_the_payoff_is_refused() {
    let mut data = letter(public_deed());
    data.valid_until = data.paid_off_on;
    let refused = renderer().render(&data, &verification("0000-0000-0000-0000"));
    assert!(matches!(refused, Err(DocumentError::Input(ref c)) if c == "cancellation_validity"));
}
