//! A certificate and .key written by OpenSSL exactly as SAT writes them (see fixtures/README.md),
//! so the crate is not only checked against files made by the libraries it reads with.

use efirma::{Certificate, PrivateKey, TrustedIssuers, sign, sign_request, verify_signature};

use crate::support::*;

const CER: &[u8] = include_bytes!("fixtures/openssl_holder.cer");
const KEY: &[u8] = include_bytes!("fixtures/openssl_holder.key");
const PASSWORD: &str = "Clave-de-prueba-1";

#[test]
fn openssl_files_read_as_sat_files() {
    let certificate = Certificate::from_der(CER).unwrap();
    assert_eq!(certificate.rfc(), "LOPM550101BZ3");
    assert_eq!(certificate.curp(), Some("LOPM550101MDFPRR08"));
    assert_eq!(certificate.subject_name(), "MARIA LOPEZ PEREZ");
    assert_eq!(
        certificate.certificate_number().as_deref(),
        Some("30001000000600001234")
    );
    let key = PrivateKey::decrypt(KEY, PASSWORD).unwrap();
    let signature = sign(&key, &certificate, MESSAGE).unwrap();
    verify_signature(&certificate, MESSAGE, &signature).unwrap();
    assert_eq!(
        code(PrivateKey::decrypt(KEY, "12345678a")),
        "key_password_wrong"
    );
}

#[test]
fn an_openssl_self_signed_pair_signs_when_trusted_as_its_own_issuer() {
    let issuers = TrustedIssuers::from_der_list(&[CER]).unwrap();
    let now = day_after(Certificate::from_der(CER).unwrap().not_before());
    let signed = sign_request(CER, KEY, PASSWORD, &issuers, now, "lopm550101bz3", MESSAGE).unwrap();
    signed.verify(MESSAGE).unwrap();
    assert_eq!(
        code(sign_request(
            CER,
            KEY,
            PASSWORD,
            &trusted(),
            now,
            "LOPM550101BZ3",
            MESSAGE
        )),
        "certificate_untrusted_issuer"
    );
}
