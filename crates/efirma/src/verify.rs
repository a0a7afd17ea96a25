//! Whether a certificate may sign for a member today: the SAT authorities the portal trusts, and
//! the checks a certificate must pass against them, the date and the member's RFC.

use std::fmt;

use time::OffsetDateTime;
use x509_cert::der::Decode;
use x509_cert::name::Name;

use crate::x509;
use crate::{Certificate, EfirmaError, MAX_FILE_BYTES};

/// The SAT certification authorities (AC) whose certificates the portal accepts, as configured.
/// They are trust anchors: only their name and key are used.
#[derive(Clone)]
pub struct TrustedIssuers {
    issuers: Vec<Issuer>,
}

#[derive(Clone)]
struct Issuer {
    subject: Name,
    key: rsa::PublicKey,
}

impl TrustedIssuers {
    /// The authorities from their DER certificates. An unreadable one, or none at all, is a
    /// configuration error.
    pub fn from_der_list(certificates: &[&[u8]]) -> Result<TrustedIssuers, EfirmaError> {
        let parsed = certificates
            .iter()
            .map(|der| {
                if der.len() > MAX_FILE_BYTES {
                    return Err(EfirmaError::FileTooLarge);
                }
                x509_cert::Certificate::from_der(der).map_err(|_| EfirmaError::IssuerUnreadable)
            })
            .collect::<Result<Vec<_>, _>>()?;
        TrustedIssuers::from_parsed(parsed)
    }

    /// The authorities from a bundle of PEM certificates ("-----BEGIN CERTIFICATE-----" blocks).
    pub fn from_pem_bundle(pem: &str) -> Result<TrustedIssuers, EfirmaError> {
        let parsed = x509_cert::Certificate::load_pem_chain(pem.as_bytes())
            .map_err(|_| EfirmaError::IssuerUnreadable)?;
        TrustedIssuers::from_parsed(parsed)
    }

    /// The authorities from certificate files as SAT publishes them: each DER (`.cer`, `.crt`)
    /// or PEM (one or more "-----BEGIN CERTIFICATE-----" blocks), in any mix.
    pub fn from_files(files: &[&[u8]]) -> Result<TrustedIssuers, EfirmaError> {
        let mut parsed = Vec::new();
        for file in files {
            if file.len() > MAX_FILE_BYTES {
                return Err(EfirmaError::FileTooLarge);
            }
            if file.trim_ascii_start().starts_with(b"-----BEGIN") {
                parsed.extend(
                    x509_cert::Certificate::load_pem_chain(file)
                        .map_err(|_| EfirmaError::IssuerUnreadable)?,
                );
            } else {
                parsed.push(
                    x509_cert::Certificate::from_der(file)
                        .map_err(|_| EfirmaError::IssuerUnreadable)?,
                );
            }
        }
        TrustedIssuers::from_parsed(parsed)
    }

    fn from_parsed(parsed: Vec<x509_cert::Certificate>) -> Result<TrustedIssuers, EfirmaError> {
        if parsed.is_empty() {
            return Err(EfirmaError::IssuersEmpty);
        }
        let issuers = parsed
            .into_iter()
            .map(|certificate| {
                let key = x509::rsa_key(&certificate, x509::ISSUER_KEY_BYTES)
                    .ok_or(EfirmaError::IssuerUnreadable)?;
                Ok(Issuer {
                    subject: certificate.tbs_certificate().subject().clone(),
                    key,
                })
            })
            .collect::<Result<Vec<_>, EfirmaError>>()?;
        Ok(TrustedIssuers { issuers })
    }

    /// Whether one of the authorities is named as the issuer and made the signature: a
    /// certificate from another authority with the same name does not pass.
    fn signed(&self, certificate: &Certificate) -> bool {
        let Some(signed) = x509::signed_bytes(certificate.der()) else {
            return false;
        };
        let issuer = certificate.parsed().tbs_certificate().issuer();
        self.issuers.iter().any(|trusted| {
            &trusted.subject == issuer
                && x509::is_signed_by(certificate.parsed(), signed, &trusted.key)
        })
    }
}

impl fmt::Debug for TrustedIssuers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.issuers.iter().map(|issuer| issuer.subject.to_string()))
            .finish()
    }
}

/// Checks, in this order, that the certificate is valid at `now`, was issued and signed by one
/// of the trusted authorities, may sign, is an e.firma rather than a seal certificate (CSD), and
/// names the member's RFC (compared trimmed and case-insensitively).
///
/// Revocation is not checked here: SAT publishes it through its own service.
pub fn verify_certificate(
    certificate: &Certificate,
    issuers: &TrustedIssuers,
    now: OffsetDateTime,
    expected_rfc: &str,
) -> Result<(), EfirmaError> {
    if now < certificate.not_before() {
        return Err(EfirmaError::CertificateNotYetValid);
    }
    if now > certificate.not_after() {
        return Err(EfirmaError::CertificateExpired);
    }
    if !issuers.signed(certificate) {
        return Err(EfirmaError::CertificateUntrustedIssuer);
    }
    if !certificate.allows_signing() {
        return Err(EfirmaError::CertificateNotForSigning);
    }
    if certificate.is_csd() {
        return Err(EfirmaError::CertificateIsCsd);
    }
    if certificate.rfc() != expected_rfc.trim().to_uppercase() {
        return Err(EfirmaError::CertificateRfcMismatch);
    }
    Ok(())
}
