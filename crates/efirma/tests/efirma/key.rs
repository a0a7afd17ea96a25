//! Opening the .key: the protections SAT and OpenSSL write, and every way it fails.

use efirma::{Certificate, MAX_PBKDF2_ITERATIONS, PrivateKey, sign};
use pkcs8::der::{Decode, Encode};
use pkcs8::pkcs5::{self, pbes2};

use crate::support::*;

#[test]
fn a_sat_key_opens_and_signs_for_its_certificate() {
    let key = PrivateKey::decrypt(member_key(), PASSWORD).unwrap();
    let certificate = Certificate::from_der(member_cer()).unwrap();
    assert_eq!(code(sign(&key, &certificate, MESSAGE)), "ok");
}

#[test]
fn the_key_never_prints() {
    let key = PrivateKey::decrypt(member_key(), PASSWORD).unwrap();
    assert_eq!(format!("{key:?}"), "PrivateKey(..)");
    assert_eq!(format!("{key:#?}"), "PrivateKey(..)");
}

#[test]
fn a_wrong_password_is_key_password_wrong() {
    for wrong in ["", "mi clave", "Mi clave de e.firma 2025\n"] {
        assert_eq!(
            code(PrivateKey::decrypt(member_key(), wrong)),
            "key_password_wrong"
        );
    }
    let aes = keys().member.aes_key(PASSWORD);
    assert_eq!(
        code(PrivateKey::decrypt(&aes, "otra")),
        "key_password_wrong"
    );
}

#[test]
fn a_key_without_password_is_not_an_efirma_key() {
    let plain = keys().member.plain_pkcs8();
    assert_eq!(code(PrivateKey::decrypt(plain, PASSWORD)), "key_unreadable");
}

#[test]
fn pbkdf2_with_sha1_or_sha2_and_aes_or_3des_all_open() {
    let prfs = [
        pbes2::Pbkdf2Prf::HmacWithSha1,
        pbes2::Pbkdf2Prf::HmacWithSha256,
        pbes2::Pbkdf2Prf::HmacWithSha512,
    ];
    let ciphers = [
        pbes2::EncryptionScheme::Aes128Cbc { iv: [1; 16] },
        pbes2::EncryptionScheme::Aes256Cbc { iv: [2; 16] },
        pbes2::EncryptionScheme::DesEde3Cbc { iv: [3; 8] },
    ];
    for (prf, encryption) in prfs.into_iter().zip(ciphers) {
        let params = pbes2::Parameters {
            kdf: pbkdf2(1000, prf).into(),
            encryption,
        };
        let key = keys().member.encrypt(params, PASSWORD);
        assert_eq!(
            code(PrivateKey::decrypt(&key, PASSWORD)),
            "ok",
            "{prf:?} {encryption:?}"
        );
    }
}

#[test]
fn a_key_asking_for_too_many_rounds_is_not_attempted() {
    // Written with few rounds, then relabelled: decrypting would take minutes if tried.
    let key = keys().member.sat_key(PASSWORD);
    let mut info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(&key).unwrap();
    let pkcs5::EncryptionScheme::Pbes2(params) = &mut info.encryption_algorithm else {
        panic!("PBES2 expected");
    };
    params.kdf = pbkdf2(MAX_PBKDF2_ITERATIONS + 1, pbes2::Pbkdf2Prf::HmacWithSha1).into();
    let relabelled = info.to_der().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        code(PrivateKey::decrypt(&relabelled, PASSWORD)),
        "key_unsupported"
    );
    assert!(started.elapsed() < std::time::Duration::from_millis(100));
}

#[test]
fn a_key_protected_with_scrypt_is_unsupported() {
    let params =
        pbes2::Parameters::generate_scrypt_aes128cbc(scrypt_params(), &[4u8; 16], [6u8; 16])
            .unwrap();
    let key = keys().member.encrypt(params, PASSWORD);
    assert_eq!(code(PrivateKey::decrypt(&key, PASSWORD)), "key_unsupported");
}

#[test]
fn a_key_of_another_holder_does_not_sign_for_the_member() {
    let key = PrivateKey::decrypt(&keys().stranger.sat_key(PASSWORD), PASSWORD).unwrap();
    let certificate = Certificate::from_der(member_cer()).unwrap();
    assert_eq!(
        code(sign(&key, &certificate, MESSAGE)),
        "key_does_not_match_certificate"
    );
}

fn pbkdf2(iteration_count: u32, prf: pbes2::Pbkdf2Prf) -> pbes2::Pbkdf2Params {
    pbes2::Pbkdf2Params {
        salt: pbes2::Salt::new([8u8; 8]).unwrap(),
        iteration_count,
        key_length: None,
        prf,
    }
}

/// Cheap parameters: the point is that scrypt is refused before any work.
fn scrypt_params() -> pkcs5::scrypt::Params {
    pkcs5::scrypt::Params::new(4, 1, 1).unwrap()
}
