//! Why an e.firma was refused. One variant per reason, so the message can say what to fix;
//! `code()` is the stable key for translations, API responses and the audit log.

/// Everything that can go wrong with an e.firma, from reading the files to checking a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum EfirmaError {
    #[error("the file is larger than an e.firma file can be")]
    FileTooLarge,
    #[error("the .cer file is not a readable X.509 certificate")]
    CertificateUnreadable,
    #[error("the certificate subject has no RFC (attribute 2.5.4.45)")]
    CertificateWithoutRfc,
    #[error("the certificate key is not an RSA key of 2048 to 4096 bits")]
    CertificateUnsupportedKey,
    #[error("the certificate is not valid yet")]
    CertificateNotYetValid,
    #[error("the certificate has expired")]
    CertificateExpired,
    #[error("the certificate was not issued and signed by a trusted SAT authority")]
    CertificateUntrustedIssuer,
    #[error("the certificate belongs to another RFC")]
    CertificateRfcMismatch,
    #[error("the certificate's key usage does not allow signing")]
    CertificateNotForSigning,
    #[error("the certificate is a seal certificate (CSD) for invoices, not an e.firma")]
    CertificateIsCsd,
    #[error("a configured SAT authority certificate is not readable")]
    IssuerUnreadable,
    #[error("no SAT authority certificate is configured")]
    IssuersEmpty,
    #[error("the .key file is not a password-protected PKCS#8 private key")]
    KeyUnreadable,
    #[error("the .key file is protected or built in a way that is not supported")]
    KeyUnsupported,
    #[error("the password does not open the .key file")]
    KeyPasswordWrong,
    #[error("the .key file does not belong to the .cer file")]
    KeyDoesNotMatchCertificate,
    #[error("the signature does not match the message and the certificate")]
    SignatureInvalid,
    #[error("signing failed")]
    SigningFailed,
}

impl EfirmaError {
    /// Every variant, so translation files can be checked for completeness.
    pub const ALL: [EfirmaError; 18] = [
        EfirmaError::FileTooLarge,
        EfirmaError::CertificateUnreadable,
        EfirmaError::CertificateWithoutRfc,
        EfirmaError::CertificateUnsupportedKey,
        EfirmaError::CertificateNotYetValid,
        EfirmaError::CertificateExpired,
        EfirmaError::CertificateUntrustedIssuer,
        EfirmaError::CertificateRfcMismatch,
        EfirmaError::CertificateNotForSigning,
        EfirmaError::CertificateIsCsd,
        EfirmaError::IssuerUnreadable,
        EfirmaError::IssuersEmpty,
        EfirmaError::KeyUnreadable,
        EfirmaError::KeyUnsupported,
        EfirmaError::KeyPasswordWrong,
        EfirmaError::KeyDoesNotMatchCertificate,
        EfirmaError::SignatureInvalid,
        EfirmaError::SigningFailed,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            EfirmaError::FileTooLarge => "file_too_large",
            EfirmaError::CertificateUnreadable => "certificate_unreadable",
            EfirmaError::CertificateWithoutRfc => "certificate_without_rfc",
            EfirmaError::CertificateUnsupportedKey => "certificate_unsupported_key",
            EfirmaError::CertificateNotYetValid => "certificate_not_yet_valid",
            EfirmaError::CertificateExpired => "certificate_expired",
            EfirmaError::CertificateUntrustedIssuer => "certificate_untrusted_issuer",
            EfirmaError::CertificateRfcMismatch => "certificate_rfc_mismatch",
            EfirmaError::CertificateNotForSigning => "certificate_not_for_signing",
            EfirmaError::CertificateIsCsd => "certificate_is_csd",
            EfirmaError::IssuerUnreadable => "issuer_unreadable",
            EfirmaError::IssuersEmpty => "issuers_empty",
            EfirmaError::KeyUnreadable => "key_unreadable",
            EfirmaError::KeyUnsupported => "key_unsupported",
            EfirmaError::KeyPasswordWrong => "key_password_wrong",
            EfirmaError::KeyDoesNotMatchCertificate => "key_does_not_match_certificate",
            EfirmaError::SignatureInvalid => "signature_invalid",
            EfirmaError::SigningFailed => "signing_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut codes: Vec<&str> = EfirmaError::ALL.iter().map(EfirmaError::code).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), EfirmaError::ALL.len());
    }
}
