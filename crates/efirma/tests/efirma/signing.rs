//! Signing a request end to end, and what breaks a signature.

use efirma::{Certificate, PrivateKey, Signature, sign, sign_request, verify_signature};

use crate::support::*;

#[test]
fn a_request_signed_with_a_sat_key_verifies_and_keeps_no_secret() {
    let signed = sign_request(
        member_cer(),
        member_key(),
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    )
    .unwrap();

    assert_eq!(signed.certificate_der, member_cer());
    assert_eq!(signed.signed_at, NOW);
    assert_eq!(signed.serial_hex, hex(b"30001000000500012345"));
    assert_eq!(signed.signature.as_bytes().len(), 256);
    signed.verify(MESSAGE).unwrap();
    let certificate = Certificate::from_der(&signed.certificate_der).unwrap();
    verify_signature(&certificate, MESSAGE, &signed.signature).unwrap();

    let shown = format!("{signed:?}");
    assert!(
        !shown.contains(MEMBER_RFC) && !shown.contains(PASSWORD),
        "{shown}"
    );
}

#[test]
fn a_key_protected_with_aes_signs_too() {
    let key = keys().member.aes_key(PASSWORD);
    let signed = sign_request(
        member_cer(),
        &key,
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    )
    .unwrap();
    signed.verify(MESSAGE).unwrap();
}

#[test]
fn the_rfc_is_compared_trimmed_and_in_any_case() {
    let outcome = sign_request(
        member_cer(),
        member_key(),
        PASSWORD,
        &trusted(),
        NOW,
        "  gode561231gr8 ",
        MESSAGE,
    );
    assert_eq!(code(outcome), "ok");
}

#[test]
fn the_signature_is_pkcs1_v15_sha256_and_deterministic() {
    let certificate = Certificate::from_der(member_cer()).unwrap();
    let key = PrivateKey::decrypt(member_key(), PASSWORD).unwrap();
    let first = sign(&key, &certificate, MESSAGE).unwrap();
    let second = sign(&key, &certificate, MESSAGE).unwrap();
    assert_eq!(first, second);
}

#[test]
fn a_key_of_another_certificate_does_not_sign() {
    let strangers_key = keys().stranger.sat_key(PASSWORD);
    let outcome = sign_request(
        member_cer(),
        &strangers_key,
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    );
    assert_eq!(code(outcome), "key_does_not_match_certificate");
}

#[test]
fn a_wrong_password_is_told_apart() {
    for wrong in [
        "",
        "mi clave de e.firma 2025",
        "Mi clave de e.firma 2025 ",
        "12345678a",
    ] {
        let outcome = sign_request(
            member_cer(),
            member_key(),
            wrong,
            &trusted(),
            NOW,
            MEMBER_RFC,
            MESSAGE,
        );
        assert_eq!(code(outcome), "key_password_wrong", "password {wrong:?}");
    }
}

#[test]
fn a_tampered_signature_is_invalid() {
    let signed = sign_request(
        member_cer(),
        member_key(),
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    )
    .unwrap();
    let certificate = Certificate::from_der(member_cer()).unwrap();
    let bytes = signed.signature.as_bytes();
    for position in [0, 1, 127, 255] {
        let mut tampered = bytes.to_vec();
        tampered[position] ^= 0x01;
        let outcome = verify_signature(&certificate, MESSAGE, &Signature::from_bytes(&tampered));
        assert_eq!(code(outcome), "signature_invalid", "byte {position}");
    }
    for cut in [&[][..], &bytes[..255], &[0u8; 256][..]] {
        let outcome = verify_signature(&certificate, MESSAGE, &Signature::from_bytes(cut));
        assert_eq!(code(outcome), "signature_invalid");
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    let outcome = verify_signature(&certificate, MESSAGE, &Signature::from_bytes(&longer));
    assert_eq!(code(outcome), "signature_invalid");
}

#[test]
fn a_tampered_message_is_invalid() {
    let signed = sign_request(
        member_cer(),
        member_key(),
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    )
    .unwrap();
    let mut tampered = MESSAGE.to_vec();
    let last = tampered.len() - 1;
    tampered[last] = b'2';
    assert_eq!(code(signed.verify(&tampered)), "signature_invalid");
    assert_eq!(code(signed.verify(b"")), "signature_invalid");
}

#[test]
fn a_signature_does_not_verify_under_another_certificate() {
    let signed = sign_request(
        member_cer(),
        member_key(),
        PASSWORD,
        &trusted(),
        NOW,
        MEMBER_RFC,
        MESSAGE,
    )
    .unwrap();
    let strangers = Holder {
        rfc: Some("PEMJ800101AB1"),
        ..Holder::default()
    }
    .issue(&keys().stranger, sat());
    let certificate = Certificate::from_der(&strangers).unwrap();
    let outcome = verify_signature(&certificate, MESSAGE, &signed.signature);
    assert_eq!(code(outcome), "signature_invalid");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
