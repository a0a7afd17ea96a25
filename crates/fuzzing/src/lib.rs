//! What the fuzz targets in `fuzz/` check, one function a target. The same functions replay the
//! kept corpora (`fuzz/corpus/<target>/`) in this crate's test on every run, so an input that
//! once crashed a parser stays a regression test.
//!
//! A fuzz target reports a bug by panicking, so these functions assert what must hold for any
//! input: no parser panics, and whatever a parser accepts reads back as itself.
#![allow(clippy::panic)]

use domain::dates;
use domain::ids::{Clabe, Curp, Nss, Rfc};
use domain::import_rows as rows;
use domain::money::Money;
use domain::registry::{CreditNumber, Nrp};
use domain::requests::Folio;

/// Every identifier and typed-value parser: NSS, CURP, RFC, CLABE, NRP, credit number, folios,
/// money, ISO dates and bimesters. A value a parser accepts must parse again from its own text
/// to the same value.
pub fn identifiers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_round_trip("NSS", text, Nss::parse, |v| v.as_str().to_owned());
    check_round_trip("CURP", text, Curp::parse, |v| v.as_str().to_owned());
    check_round_trip("RFC", text, Rfc::parse, |v| v.as_str().to_owned());
    check_round_trip("CLABE", text, Clabe::parse, |v| v.as_str().to_owned());
    check_round_trip("NRP", text, Nrp::parse, |v| v.as_str().to_owned());
    check_round_trip("credit number", text, CreditNumber::parse, |v| {
        v.as_str().to_owned()
    });
    check_round_trip("folio", text, Folio::parse, |v| v.as_str().to_owned());
    check_round_trip(
        "appointment folio",
        text,
        domain::appointments::AppointmentFolio::parse,
        |v| v.as_str().to_owned(),
    );
    check_round_trip("money", text, Money::parse, Money::to_string);
    check_round_trip("bimester", text, domain::bimester::Bimester::parse, |v| {
        v.to_string()
    });
    check_round_trip("date", text, dates::parse_iso, |d| {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    });
}

/// Panics when `parse` accepts `text` but does not read the value's own text back to it.
pub fn check_round_trip<T: PartialEq, E>(
    what: &str,
    text: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    show: impl Fn(&T) -> String,
) {
    if let Ok(value) = parse(text) {
        let shown = show(&value);
        match parse(&shown) {
            Ok(again) if again == value => {}
            _ => panic!(
                "the {what} parser accepted {text:?} as {shown:?}, which it does not read back"
            ),
        }
    }
}

/// The row parser of every import file (members, employers, relations, contributions,
/// credits, credit movements, discounts, pensions, holds), given CSV records as
/// `vivienda import` reads them. The first byte picks the file; the rest is its body.
pub fn import_rows(data: &[u8]) {
    type Parse = fn(&csv::StringRecord) -> bool;
    const PARSERS: [Parse; 9] = [
        |r| rows::member(r).is_ok(),
        |r| rows::employer(r).is_ok(),
        |r| rows::relation(r).is_ok(),
        |r| rows::contribution(r).is_ok(),
        |r| rows::credit(r).is_ok(),
        |r| rows::credit_movement(r).is_ok(),
        |r| rows::credit_discount(r).is_ok(),
        |r| rows::pension(r).is_ok(),
        |r| rows::hold(r).is_ok(),
    ];
    let [pick, body @ ..] = data else {
        return;
    };
    let parse = PARSERS[usize::from(*pick) % PARSERS.len()];
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let mut record = csv::StringRecord::new();
    // A malformed CSV ends the file, as it ends an import.
    while let Ok(true) = reader.read_record(&mut record) {
        let _ = parse(&record);
    }
}

/// The password the e.firma target tries on every key (its seeds are encrypted with it).
pub const KEY_PASSWORD: &str = "12345678a";

/// The e.firma files a member uploads: the certificate (`.cer`, DER), the private key (`.key`,
/// encrypted PKCS#8) and a bundle of trusted issuers (PEM). The first byte picks which.
pub fn efirma(data: &[u8]) {
    let [pick, rest @ ..] = data else {
        return;
    };
    match pick % 3 {
        0 => {
            if let Ok(certificate) = efirma::Certificate::from_der(rest) {
                // Everything a page shows of a certificate must be readable.
                let _ = (
                    certificate.rfc(),
                    certificate.curp(),
                    certificate.subject_name(),
                    certificate.serial_hex(),
                    certificate.certificate_number(),
                    certificate.not_before() <= certificate.not_after(),
                    certificate.allows_signing(),
                    certificate.is_csd(),
                );
            }
        }
        1 => {
            let _ = efirma::PrivateKey::decrypt(rest, KEY_PASSWORD);
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = efirma::TrustedIssuers::from_pem_bundle(text);
            }
        }
    }
}
