//! Whatever arrives as a .cer or .key, truncated, flipped, random or huge, is an error and
//! never a panic, and never a certificate that passes.

use efirma::{
    Certificate, MAX_FILE_BYTES, PrivateKey, TrustedIssuers, sign_request, verify_certificate,
};

use crate::support::*;

#[test]
fn every_truncated_certificate_is_refused() {
    let cer = member_cer();
    for len in 0..cer.len() {
        assert_eq!(
            code(Certificate::from_der(&cer[..len])),
            "certificate_unreadable",
            "first {len} bytes"
        );
    }
}

#[test]
fn every_truncated_key_is_refused() {
    let key = member_key();
    for len in 0..key.len() {
        assert_eq!(
            code(PrivateKey::decrypt(&key[..len], PASSWORD)),
            "key_unreadable",
            "first {len} bytes"
        );
    }
}

#[test]
fn random_bytes_are_refused() {
    for (seed, len) in [(1, 0), (2, 1), (3, 64), (4, 1500), (5, 4096)] {
        let bytes = noise(len, seed);
        assert_eq!(
            code(Certificate::from_der(&bytes)),
            "certificate_unreadable"
        );
        assert_eq!(
            code(PrivateKey::decrypt(&bytes, PASSWORD)),
            "key_unreadable"
        );
    }
    // Random bytes behind a plausible header.
    let mut cer_like = vec![0x30, 0x82, 0x05, 0xdc];
    cer_like.extend(noise(1500, 6));
    assert_eq!(
        code(Certificate::from_der(&cer_like)),
        "certificate_unreadable"
    );
    let mut key_like = vec![0x30, 0x82, 0x05, 0xdc];
    key_like.extend(noise(1500, 7));
    assert_eq!(
        code(PrivateKey::decrypt(&key_like, PASSWORD)),
        "key_unreadable"
    );
}

#[test]
fn a_flipped_byte_anywhere_never_passes() {
    let issuers = trusted();
    let cer = member_cer();
    for position in 0..cer.len() {
        let mut flipped = cer.to_vec();
        flipped[position] ^= 0x5a;
        let outcome = Certificate::from_der(&flipped)
            .and_then(|certificate| verify_certificate(&certificate, &issuers, NOW, MEMBER_RFC));
        assert_ne!(code(outcome), "ok", "byte {position}");
    }
}

/// A flip inside the CRT values the `rsa` crate recomputes still opens the same key; anything
/// else fails. Either way no wrong signature comes out.
#[test]
fn a_flipped_byte_in_the_key_never_yields_a_wrong_signature() {
    let key = member_key();
    let mut refused = 0;
    for position in (0..key.len()).step_by(5) {
        let mut flipped = key.to_vec();
        flipped[position] ^= 0x5a;
        match sign_request(
            member_cer(),
            &flipped,
            PASSWORD,
            &trusted(),
            NOW,
            MEMBER_RFC,
            MESSAGE,
        ) {
            Ok(signed) => signed.verify(MESSAGE).unwrap(),
            Err(_) => refused += 1,
        }
    }
    assert!(refused > key.len() / 5 / 2, "only {refused} refused");
}

#[test]
fn files_over_the_limit_are_refused_before_reading() {
    let huge = vec![0x30; MAX_FILE_BYTES + 1];
    assert_eq!(code(Certificate::from_der(&huge)), "file_too_large");
    assert_eq!(code(PrivateKey::decrypt(&huge, PASSWORD)), "file_too_large");
    assert_eq!(
        code(TrustedIssuers::from_der_list(&[&huge])),
        "file_too_large"
    );
    let outcome = sign_request(
        &huge,
        member_key(),
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    );
    assert_eq!(code(outcome), "file_too_large");
    let outcome = sign_request(
        member_cer(),
        &huge,
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    );
    assert_eq!(code(outcome), "file_too_large");
}

#[test]
fn swapped_files_are_refused() {
    let outcome = sign_request(
        member_key(),
        member_cer(),
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    );
    assert_eq!(code(outcome), "certificate_unreadable");
    assert_eq!(
        code(PrivateKey::decrypt(member_cer(), PASSWORD)),
        "key_unreadable"
    );
}
