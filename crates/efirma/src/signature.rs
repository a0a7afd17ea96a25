//! Signing a message with the holder's key and checking a signature against their certificate:
//! RSA PKCS#1 v1.5 with SHA-256, as SAT's own tools sign.

use std::fmt;

use rsa::pkcs1v15::VerifyingKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};

use crate::{Certificate, EfirmaError, PrivateKey};

/// The bytes of an RSA PKCS#1 v1.5 SHA-256 signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature(Vec<u8>);

impl Signature {
    /// A signature as stored, to be checked with [`verify_signature`].
    pub fn from_bytes(bytes: &[u8]) -> Signature {
        Signature(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({} bytes)", self.0.len())
    }
}

/// Signs `message` (SHA-256, RSA PKCS#1 v1.5) once the key is known to be the certificate's,
/// and checks the signature against the certificate before returning it: a faulty signature
/// is never handed out.
pub fn sign(
    key: &PrivateKey,
    certificate: &Certificate,
    message: &[u8],
) -> Result<Signature, EfirmaError> {
    let signing = key.signing_key();
    if &rsa::PublicKey::from(signing.as_ref()) != certificate.public_key() {
        return Err(EfirmaError::KeyDoesNotMatchCertificate);
    }
    let signature = signing
        .try_sign(message)
        .map_err(|_| EfirmaError::SigningFailed)?;
    let signature = Signature(signature.to_vec());
    verify_signature(certificate, message, &signature).map_err(|_| EfirmaError::SigningFailed)?;
    Ok(signature)
}

/// Checks that `signature` was made over `message` with the key of `certificate`.
pub fn verify_signature(
    certificate: &Certificate,
    message: &[u8],
    signature: &Signature,
) -> Result<(), EfirmaError> {
    let signature = rsa::pkcs1v15::Signature::try_from(signature.as_bytes())
        .map_err(|_| EfirmaError::SignatureInvalid)?;
    VerifyingKey::<Sha256>::new(certificate.public_key().clone())
        .verify(message, &signature)
        .map_err(|_| EfirmaError::SignatureInvalid)
}
