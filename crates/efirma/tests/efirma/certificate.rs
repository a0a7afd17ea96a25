//! Reading a holder's certificate, and every reason it may not sign for a member today.

use efirma::{Certificate, TrustedIssuers, verify_certificate};
use rcgen::KeyUsagePurpose;
use time::macros::datetime;

use crate::support::*;

fn verify(cer: &[u8], now: time::OffsetDateTime, rfc: &str) -> &'static str {
    let certificate = Certificate::from_der(cer).unwrap();
    code(verify_certificate(&certificate, &trusted(), now, rfc))
}

#[test]
fn reads_what_sat_writes_in_the_subject() {
    let certificate = Certificate::from_der(member_cer()).unwrap();
    assert_eq!(certificate.rfc(), MEMBER_RFC);
    assert_eq!(certificate.curp(), Some(MEMBER_CURP));
    assert_eq!(certificate.subject_name(), "EDUARDO GOMEZ DIAZ");
    assert_eq!(
        certificate.serial_hex(),
        "3330303031303030303030353030303132333435"
    );
    assert_eq!(
        certificate.certificate_number().as_deref(),
        Some("30001000000500012345")
    );
    assert_eq!(certificate.not_before(), datetime!(2023-01-10 17:30:00 UTC));
    assert_eq!(certificate.not_after(), datetime!(2027-01-10 17:30:00 UTC));
    assert_eq!(certificate.der(), member_cer());
    assert!(!certificate.is_csd());
    assert!(certificate.allows_signing());

    let shown = format!("{certificate:?}");
    assert!(
        !shown.contains(MEMBER_RFC) && !shown.contains(MEMBER_CURP),
        "{shown}"
    );
}

#[test]
fn reads_a_company_certificate_with_its_representative() {
    let cer = Holder {
        name: "ACCEM SERVICIOS EMPRESARIALES SC",
        rfc: Some("AAA010101AAA / HEGT7610034S2"),
        serial_number_attribute: Some(" / HEGT761003MDFRNN09"),
        ..Holder::default()
    }
    .issue(&keys().stranger, sat());
    let certificate = Certificate::from_der(&cer).unwrap();
    assert_eq!(certificate.rfc(), "AAA010101AAA");
    assert_eq!(certificate.curp(), Some("HEGT761003MDFRNN09"));
    assert_eq!(
        verify(&cer, NOW, "HEGT7610034S2"),
        "certificate_rfc_mismatch"
    );
}

#[test]
fn a_certificate_without_rfc_is_refused() {
    let cer = Holder {
        rfc: None,
        ..Holder::default()
    }
    .issue(&keys().stranger, sat());
    assert_eq!(code(Certificate::from_der(&cer)), "certificate_without_rfc");
}

#[test]
fn the_members_certificate_passes() {
    assert_eq!(verify(member_cer(), NOW, MEMBER_RFC), "ok");
}

#[test]
fn validity_dates_are_inclusive() {
    let holder = Holder::default();
    assert_eq!(verify(member_cer(), holder.not_before, MEMBER_RFC), "ok");
    assert_eq!(verify(member_cer(), holder.not_after, MEMBER_RFC), "ok");
}

#[test]
fn an_expired_certificate_is_refused() {
    let after = day_after(Holder::default().not_after);
    assert_eq!(
        verify(member_cer(), after, MEMBER_RFC),
        "certificate_expired"
    );
    let expired = Holder {
        not_before: datetime!(2019-01-10 0:00 UTC),
        not_after: datetime!(2023-01-10 0:00 UTC),
        ..Holder::default()
    }
    .issue(&keys().member, sat());
    assert_eq!(verify(&expired, NOW, MEMBER_RFC), "certificate_expired");
}

#[test]
fn a_certificate_not_valid_yet_is_refused() {
    let before = Holder::default().not_before - time::Duration::seconds(1);
    assert_eq!(
        verify(member_cer(), before, MEMBER_RFC),
        "certificate_not_yet_valid"
    );
}

#[test]
fn a_certificate_of_another_rfc_is_refused() {
    assert_eq!(
        verify(member_cer(), NOW, "GODE561231GR9"),
        "certificate_rfc_mismatch"
    );
    assert_eq!(verify(member_cer(), NOW, ""), "certificate_rfc_mismatch");
    assert_eq!(
        verify(member_cer(), NOW, "GODE561231GR8 / X"),
        "certificate_rfc_mismatch"
    );
}

#[test]
fn a_forged_certificate_under_the_sat_name_is_refused() {
    let forged = Holder::default().issue(&keys().member, forger());
    let certificate = Certificate::from_der(&forged).unwrap();
    // Same subject, same issuer name, same key as the member's: only the signature tells.
    assert_eq!(certificate.rfc(), MEMBER_RFC);
    assert_eq!(
        verify(&forged, NOW, MEMBER_RFC),
        "certificate_untrusted_issuer"
    );
}

#[test]
fn a_certificate_of_another_authority_is_refused() {
    let other = Holder::default().issue(&keys().member, other_authority());
    assert_eq!(
        verify(&other, NOW, MEMBER_RFC),
        "certificate_untrusted_issuer"
    );
    // The authority's own certificate carries SAT's RFC, and is trusted, but signs nothing.
    assert_eq!(
        verify(&sat().der, NOW, "SAT970701NN3"),
        "certificate_not_for_signing"
    );
}

#[test]
fn any_of_several_trusted_authorities_may_have_issued_it() {
    let both = TrustedIssuers::from_der_list(&[&other_authority().der, &sat().der]).unwrap();
    let certificate = Certificate::from_der(member_cer()).unwrap();
    assert_eq!(
        code(verify_certificate(&certificate, &both, NOW, MEMBER_RFC)),
        "ok"
    );
    let only_other = TrustedIssuers::from_der_list(&[&other_authority().der]).unwrap();
    assert_eq!(
        code(verify_certificate(
            &certificate,
            &only_other,
            NOW,
            MEMBER_RFC
        )),
        "certificate_untrusted_issuer"
    );
}

#[test]
fn trusted_authorities_load_from_a_pem_bundle() {
    let bundle = format!("{}\n{}", other_authority().pem, sat().pem);
    let issuers = TrustedIssuers::from_pem_bundle(&bundle).unwrap();
    let certificate = Certificate::from_der(member_cer()).unwrap();
    assert_eq!(
        code(verify_certificate(&certificate, &issuers, NOW, MEMBER_RFC)),
        "ok"
    );
    assert_eq!(code(TrustedIssuers::from_pem_bundle("")), "issuers_empty");
    assert_eq!(
        code(TrustedIssuers::from_pem_bundle(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )),
        "issuer_unreadable"
    );
    assert_eq!(code(TrustedIssuers::from_der_list(&[])), "issuers_empty");
    assert_eq!(
        code(TrustedIssuers::from_der_list(&[b"not a certificate"])),
        "issuer_unreadable"
    );
}

#[test]
fn trusted_authorities_load_from_der_and_pem_files_mixed() {
    let pem = other_authority().pem.clone();
    let issuers = TrustedIssuers::from_files(&[pem.as_bytes(), &sat().der]).unwrap();
    let certificate = Certificate::from_der(member_cer()).unwrap();
    assert_eq!(
        code(verify_certificate(&certificate, &issuers, NOW, MEMBER_RFC)),
        "ok"
    );
    let only_other = TrustedIssuers::from_files(&[pem.as_bytes()]).unwrap();
    assert_eq!(
        code(verify_certificate(
            &certificate,
            &only_other,
            NOW,
            MEMBER_RFC
        )),
        "certificate_untrusted_issuer"
    );
    assert_eq!(code(TrustedIssuers::from_files(&[])), "issuers_empty");
    assert_eq!(
        code(TrustedIssuers::from_files(&[
            &sat().der,
            b"not a certificate"
        ])),
        "issuer_unreadable"
    );
    let huge = vec![b'0'; efirma::MAX_FILE_BYTES + 1];
    assert_eq!(code(TrustedIssuers::from_files(&[&huge])), "file_too_large");
}

#[test]
fn a_seal_certificate_is_not_an_efirma() {
    let csd = Holder {
        branch: Some("SUCURSAL CENTRO"),
        key_usages: vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ],
        ..Holder::default()
    }
    .issue(&keys().member, sat());
    assert!(Certificate::from_der(&csd).unwrap().is_csd());
    assert_eq!(verify(&csd, NOW, MEMBER_RFC), "certificate_is_csd");
}

#[test]
fn a_certificate_for_encryption_only_does_not_sign() {
    let encryption_only = Holder {
        key_usages: vec![
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::DataEncipherment,
        ],
        ..Holder::default()
    }
    .issue(&keys().member, sat());
    assert_eq!(
        verify(&encryption_only, NOW, MEMBER_RFC),
        "certificate_not_for_signing"
    );
    let non_repudiation_only = Holder {
        key_usages: vec![KeyUsagePurpose::ContentCommitment],
        ..Holder::default()
    }
    .issue(&keys().member, sat());
    assert_eq!(verify(&non_repudiation_only, NOW, MEMBER_RFC), "ok");
    let no_key_usage = Holder {
        key_usages: vec![],
        ..Holder::default()
    }
    .issue(&keys().member, sat());
    assert_eq!(verify(&no_key_usage, NOW, MEMBER_RFC), "ok");
}
