//! The holder's private key (the .key file): opened with the password, held in memory only for
//! as long as the signature takes, and wiped when dropped.

use std::fmt;

use pkcs8::pkcs5::{self, pbes2};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::Sha256;
use rsa::traits::PublicKeyParts;

use crate::x509::HOLDER_KEY_BYTES;
use crate::{EfirmaError, MAX_FILE_BYTES};

/// PBKDF2 rounds accepted. SAT writes 2048 and OpenSSL's default is the same; a file asking for
/// millions would make every attempt cost seconds of CPU.
pub const MAX_PBKDF2_ITERATIONS: u32 = 200_000;

const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// An opened RSA private key. Its memory is zeroed when it is dropped (the `rsa` crate zeroizes
/// the key, the decrypted document is zeroized too); it never prints.
pub struct PrivateKey {
    signing: SigningKey<Sha256>,
}

impl PrivateKey {
    /// Opens a PKCS#8 EncryptedPrivateKeyInfo (DER) with PBES2: PBKDF2 with HMAC-SHA1 (SAT's
    /// default) or HMAC-SHA2, and DES-EDE3-CBC (SAT's) or AES-CBC.
    pub fn decrypt(key_der: &[u8], password: &str) -> Result<PrivateKey, EfirmaError> {
        if key_der.len() > MAX_FILE_BYTES {
            return Err(EfirmaError::FileTooLarge);
        }
        let encrypted = EncryptedPrivateKeyInfoRef::try_from(key_der)
            .map_err(|_| EfirmaError::KeyUnreadable)?;
        check_protection(&encrypted.encryption_algorithm)?;
        let document = encrypted.decrypt(password).map_err(|error| match error {
            pkcs8::Error::EncryptedPrivateKey(
                pkcs5::Error::UnsupportedAlgorithm { .. }
                | pkcs5::Error::AlgorithmParametersInvalid { .. }
                | pkcs5::Error::NoPbes1CryptSupport,
            ) => EfirmaError::KeyUnsupported,
            // A bad padding, or (one time in 256) a good padding over garbage.
            _ => EfirmaError::KeyPasswordWrong,
        })?;
        // Garbage that still decodes as a private key is out of reach of a wrong password.
        let info = PrivateKeyInfoRef::try_from(document.as_bytes())
            .map_err(|_| EfirmaError::KeyPasswordWrong)?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(EfirmaError::KeyUnsupported);
        }
        let signing = SigningKey::<Sha256>::from_pkcs8_der(document.as_bytes())
            .map_err(|_| EfirmaError::KeyUnsupported)?;
        if !HOLDER_KEY_BYTES.contains(&signing.as_ref().size()) {
            return Err(EfirmaError::KeyUnsupported);
        }
        Ok(PrivateKey { signing })
    }

    pub(crate) fn signing_key(&self) -> &SigningKey<Sha256> {
        &self.signing
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

/// PBES2 with PBKDF2 and a bounded number of rounds; scrypt and PBES1 are not what SAT writes.
fn check_protection(scheme: &pkcs5::EncryptionScheme) -> Result<(), EfirmaError> {
    match scheme {
        pkcs5::EncryptionScheme::Pbes2(pbes2::Parameters {
            kdf: pbes2::Kdf::Pbkdf2(pbkdf2),
            ..
        }) if pbkdf2.iteration_count <= MAX_PBKDF2_ITERATIONS => Ok(()),
        _ => Err(EfirmaError::KeyUnsupported),
    }
}
