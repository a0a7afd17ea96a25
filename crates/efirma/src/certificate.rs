//! The holder's certificate (the .cer file): who it names and the key it carries. Reading it
//! says nothing about whether it is to be trusted; that is `verify_certificate`'s business.

use std::fmt;

use time::OffsetDateTime;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};

use crate::x509;
use crate::{EfirmaError, MAX_FILE_BYTES};

/// A parsed SAT certificate with an RFC in its subject and an RSA key.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: x509_cert::Certificate,
    public_key: rsa::PublicKey,
    rfc: String,
    curp: Option<String>,
    subject_name: String,
    serial_hex: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    allows_signing: bool,
    is_csd: bool,
}

impl Certificate {
    /// Reads a DER certificate as SAT issues it. Any malformed input is an error, never a panic.
    pub fn from_der(der: &[u8]) -> Result<Certificate, EfirmaError> {
        if der.len() > MAX_FILE_BYTES {
            return Err(EfirmaError::FileTooLarge);
        }
        let parsed = x509_cert::Certificate::from_der(der)
            .map_err(|_| EfirmaError::CertificateUnreadable)?;
        let tbs = parsed.tbs_certificate();
        let subject = tbs.subject();

        let rfc = x509::attribute_text(subject, x509::RFC_OID)
            .and_then(|text| first_part(&text))
            .ok_or(EfirmaError::CertificateWithoutRfc)?;
        let curp = x509::attribute_text(subject, x509::CURP_OID).and_then(|text| {
            text.split('/')
                .map(str::trim)
                .find(|part| part.chars().count() == 18)
                .map(str::to_uppercase)
        });
        let subject_name = x509::attribute_text(subject, x509::COMMON_NAME_OID)
            .or_else(|| x509::attribute_text(subject, x509::NAME_OID))
            .map(|name| name.trim().to_owned())
            .unwrap_or_default();
        let is_csd = x509::attribute_text(subject, x509::ORGANIZATIONAL_UNIT_OID)
            .is_some_and(|branch| !branch.trim().is_empty());

        let public_key = x509::rsa_key(&parsed, x509::HOLDER_KEY_BYTES)
            .ok_or(EfirmaError::CertificateUnsupportedKey)?;
        let validity = tbs.validity();
        let not_before = to_offset_date_time(validity.not_before)?;
        let not_after = to_offset_date_time(validity.not_after)?;
        // Absent key usage means any usage (RFC 5280 §4.2.1.3).
        let usage_allows_signing = match tbs.get_extension::<KeyUsage>() {
            Ok(None) => true,
            Ok(Some((_, usage))) => usage.digital_signature() || usage.non_repudiation(),
            Err(_) => return Err(EfirmaError::CertificateUnreadable),
        };
        let is_authority = match tbs.get_extension::<BasicConstraints>() {
            Ok(constraints) => constraints.is_some_and(|(_, constraints)| constraints.ca),
            Err(_) => return Err(EfirmaError::CertificateUnreadable),
        };

        Ok(Certificate {
            serial_hex: serial_hex(tbs.serial_number().as_bytes()),
            der: der.to_vec(),
            parsed,
            public_key,
            rfc,
            curp,
            subject_name,
            not_before,
            not_after,
            allows_signing: usage_allows_signing && !is_authority,
            is_csd,
        })
    }

    /// The holder's RFC, upper case: the first part of "RFC / RFC of the legal representative".
    pub fn rfc(&self) -> &str {
        &self.rfc
    }

    /// The holder's CURP, upper case, when the certificate carries one. On a company's
    /// certificate this is the legal representative's CURP.
    pub fn curp(&self) -> Option<&str> {
        self.curp.as_deref()
    }

    /// The holder's name as written in the certificate (common name), or "" if it has none.
    pub fn subject_name(&self) -> &str {
        &self.subject_name
    }

    /// The serial number in lower-case hexadecimal, without sign padding.
    pub fn serial_hex(&self) -> &str {
        &self.serial_hex
    }

    /// The 20-digit certificate number SAT shows ("No. de certificado"): SAT writes it as the
    /// ASCII digits of the serial number. `None` when the serial is not written that way.
    pub fn certificate_number(&self) -> Option<String> {
        let bytes = self.parsed.tbs_certificate().serial_number().as_bytes();
        bytes
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| bytes.iter().copied().map(char::from).collect())
    }

    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// The certificate exactly as read, to be stored beside the signature.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Whether this is a seal certificate (CSD), which SAT issues for invoices only: its
    /// subject names a branch in the organizational unit, which an e.firma never does.
    pub fn is_csd(&self) -> bool {
        self.is_csd
    }

    /// Whether this is a holder's certificate whose key usage, when present, allows digital
    /// signature or non-repudiation. An authority's certificate never signs requests.
    pub fn allows_signing(&self) -> bool {
        self.allows_signing
    }

    pub(crate) fn parsed(&self) -> &x509_cert::Certificate {
        &self.parsed
    }

    pub(crate) fn public_key(&self) -> &rsa::PublicKey {
        &self.public_key
    }
}

/// The RFC, CURP and name are personal data: they stay out of logs.
impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial_hex", &self.serial_hex)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// "A" of "A / B", upper case; never B, which on a company's certificate is its legal
/// representative.
fn first_part(text: &str) -> Option<String> {
    let first = text.split('/').next()?.trim();
    (!first.is_empty()).then(|| first.to_uppercase())
}

fn serial_hex(bytes: &[u8]) -> String {
    let significant = match bytes.iter().position(|b| *b != 0) {
        Some(first) => bytes.get(first..).unwrap_or_default(),
        None => bytes
            .get(bytes.len().saturating_sub(1)..)
            .unwrap_or_default(),
    };
    significant.iter().map(|b| format!("{b:02x}")).collect()
}

fn to_offset_date_time(time: x509_cert::time::Time) -> Result<OffsetDateTime, EfirmaError> {
    let seconds = i64::try_from(time.to_unix_duration().as_secs())
        .map_err(|_| EfirmaError::CertificateUnreadable)?;
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| EfirmaError::CertificateUnreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_is_the_first_part() {
        assert_eq!(
            first_part("aaa010101aaa / HEGT7610034S2").as_deref(),
            Some("AAA010101AAA")
        );
        assert_eq!(
            first_part("peña800101ab1 ").as_deref(),
            Some("PEÑA800101AB1")
        );
        assert_eq!(
            first_part("GODE561231GR8").as_deref(),
            Some("GODE561231GR8")
        );
        assert_eq!(first_part(" / HEGT7610034S2"), None);
        assert_eq!(first_part(""), None);
    }

    #[test]
    fn serial_hex_drops_sign_padding_only() {
        assert_eq!(serial_hex(&[0x00, 0x80, 0x01]), "8001");
        assert_eq!(serial_hex(&[0x33, 0x30]), "3330");
        assert_eq!(serial_hex(&[0x00]), "00");
    }
}
