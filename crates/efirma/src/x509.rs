//! The few X.509 readings the e.firma needs that `x509-cert` leaves to its callers: the signed
//! bytes exactly as the issuer signed them, the issuer's signature check, text attributes in
//! whatever string type SAT chose, and an RSA key of a bounded size.

use rsa::pkcs1v15::VerifyingKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::sha2::{Digest, Sha256, Sha384, Sha512};
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Encode, Reader, SliceReader, Tag, Tagged};
use x509_cert::name::Name;

/// The subject's RFC, "RFC" or "RFC / RFC of the legal representative" (x500UniqueIdentifier).
pub(crate) const RFC_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.45");
/// The subject's CURP, "CURP" or " / CURP of the legal representative" (serialNumber).
pub(crate) const CURP_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
pub(crate) const COMMON_NAME_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
pub(crate) const NAME_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.41");
/// SAT fills the organizational unit with the branch name on seal certificates (CSD) only.
pub(crate) const ORGANIZATIONAL_UNIT_OID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.4.11");

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// Modulus sizes accepted, in bytes: SAT issues 2048-bit holder keys and signs with 4096-bit
/// authority keys; the upper bound keeps the work done on a hostile file small.
pub(crate) const HOLDER_KEY_BYTES: std::ops::RangeInclusive<usize> = 256..=512;
pub(crate) const ISSUER_KEY_BYTES: std::ops::RangeInclusive<usize> = 256..=1024;

/// The tbsCertificate exactly as encoded in the file: the bytes the issuer signed. Re-encoding
/// the parsed structure could differ from them (a time re-encoded as UTCTime, for one).
pub(crate) fn signed_bytes(certificate_der: &[u8]) -> Option<&[u8]> {
    let mut reader = SliceReader::new(certificate_der).ok()?;
    reader
        .sequence(|body| {
            let tbs = body.tlv_bytes()?;
            let rest = body.remaining_len();
            body.drain(rest)?;
            Ok::<_, x509_cert::der::Error>(tbs)
        })
        .ok()
}

/// Whether `certificate` carries a valid signature made with `issuer_key` over `signed`, in one
/// of the RSA PKCS#1 v1.5 algorithms SAT uses. SHA-1 and anything else are refused.
pub(crate) fn is_signed_by(
    certificate: &x509_cert::Certificate,
    signed: &[u8],
    issuer_key: &rsa::PublicKey,
) -> bool {
    let algorithm = certificate.signature_algorithm();
    if algorithm != certificate.tbs_certificate().signature() {
        return false;
    }
    let Some(signature) = certificate.signature().as_bytes() else {
        return false;
    };
    let Ok(signature) = rsa::pkcs1v15::Signature::try_from(signature) else {
        return false;
    };
    match algorithm.oid {
        oid if oid == SHA256_WITH_RSA => verifies::<Sha256>(issuer_key, signed, &signature),
        oid if oid == SHA384_WITH_RSA => verifies::<Sha384>(issuer_key, signed, &signature),
        oid if oid == SHA512_WITH_RSA => verifies::<Sha512>(issuer_key, signed, &signature),
        _ => false,
    }
}

fn verifies<D>(key: &rsa::PublicKey, message: &[u8], signature: &rsa::pkcs1v15::Signature) -> bool
where
    D: Digest + x509_cert::der::oid::AssociatedOid,
{
    VerifyingKey::<D>::new(key.clone())
        .verify(message, signature)
        .is_ok()
}

/// The RSA key of a certificate, if it is one and its size is within `bytes`.
pub(crate) fn rsa_key(
    certificate: &x509_cert::Certificate,
    bytes: std::ops::RangeInclusive<usize>,
) -> Option<rsa::PublicKey> {
    let spki = certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()?;
    let key = rsa::PublicKey::from_public_key_der(&spki).ok()?;
    bytes.contains(&key.size()).then_some(key)
}

/// The text of the first attribute `oid` in `name`, whatever string type it was written in.
pub(crate) fn attribute_text(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    let value = &name.iter().find(|attribute| attribute.oid == oid)?.value;
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::NumericString => String::from_utf8(bytes.to_vec()).ok(),
        // T.61 in theory; in practice UTF-8 or Latin-1.
        Tag::TeletexString => Some(
            String::from_utf8(bytes.to_vec())
                .unwrap_or_else(|_| bytes.iter().copied().map(char::from).collect()),
        ),
        Tag::BmpString if bytes.len() % 2 == 0 => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_bytes_refuses_what_is_not_a_sequence() {
        assert!(signed_bytes(&[]).is_none());
        assert!(signed_bytes(&[0x04, 0x01, 0x00]).is_none());
        assert!(signed_bytes(&[0x30, 0x05, 0x30]).is_none());
    }

    #[test]
    fn signed_bytes_is_the_first_element() {
        let der = [0x30, 0x07, 0x30, 0x02, 0x01, 0x02, 0x05, 0x01, 0xff];
        assert_eq!(signed_bytes(&der), Some(&der[2..6]));
    }
}
