//! The whole act of signing a request with the e.firma, from the uploaded files to what may be
//! stored: the certificate and the signature, never the key or the password.

use std::fmt;

use time::OffsetDateTime;

use crate::{
    Certificate, EfirmaError, PrivateKey, Signature, TrustedIssuers, sign, verify_certificate,
    verify_signature,
};

/// What is kept of a signed request: enough for anyone to check the signature later.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The holder's certificate, exactly as uploaded.
    pub certificate_der: Vec<u8>,
    pub signature: Signature,
    pub serial_hex: String,
    pub signed_at: OffsetDateTime,
}

impl SignedRequest {
    /// Checks the stored signature against `message` and the stored certificate.
    pub fn verify(&self, message: &[u8]) -> Result<(), EfirmaError> {
        let certificate = Certificate::from_der(&self.certificate_der)?;
        verify_signature(&certificate, message, &self.signature)
    }
}

/// The certificate holds the member's RFC and CURP: only its serial is shown.
impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("serial_hex", &self.serial_hex)
            .field("signed_at", &self.signed_at)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Reads and checks the certificate (see [`verify_certificate`]), opens the key, signs
/// `message` and checks the signature against the certificate before returning it. The key is
/// dropped, and so wiped, before the check.
pub fn sign_request(
    cer_der: &[u8],
    key_der: &[u8],
    password: &str,
    issuers: &TrustedIssuers,
    now: OffsetDateTime,
    expected_rfc: &str,
    message: &[u8],
) -> Result<SignedRequest, EfirmaError> {
    let certificate = Certificate::from_der(cer_der)?;
    verify_certificate(&certificate, issuers, now, expected_rfc)?;
    let signature = {
        let key = PrivateKey::decrypt(key_der, password)?;
        sign(&key, &certificate, message)?
    };
    verify_signature(&certificate, message, &signature)?;
    Ok(SignedRequest {
        serial_hex: certificate.serial_hex().to_owned(),
        certificate_der: certificate.der().to_vec(),
        signature,
        signed_at: now,
    })
}
