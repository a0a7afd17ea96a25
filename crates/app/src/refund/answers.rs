//! What a refund request keeps as its answers: where the money goes, how much by bucket, and
//! the e.firma signature over exactly that (the certificate and the signature, never the key
//! or the password). The signed text is rebuilt from these answers and the folio whenever the
//! signature is checked, so a changed CLABE or amount in storage breaks it.

use domain::dates::{iso, parse_iso};
use domain::ids::{Clabe, Nss, Rfc};
use domain::refund::{Amounts, PensionKind, PensionOutcome, PensionResolution, Statement};
use domain::requests::Folio;
use efirma::{EfirmaError, Signature, SignedRequest};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// The pension that qualified, as filed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PensionFiled {
    pub outcome: PensionOutcome,
    pub kind: PensionKind,
    /// ISO date.
    pub resolved_on: String,
}

impl From<&PensionResolution> for PensionFiled {
    fn from(p: &PensionResolution) -> Self {
        PensionFiled {
            outcome: p.outcome,
            kind: p.kind,
            resolved_on: iso(p.resolved_on),
        }
    }
}

/// The e.firma over the request: what anyone needs to check it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignature {
    /// The member's certificate as uploaded, DER in lower-case hex.
    pub certificate: String,
    /// RSA PKCS#1 v1.5 with SHA-256 over the signed text, lower-case hex.
    pub signature: String,
    /// The certificate's serial number, hex.
    pub serial: String,
    /// RFC 3339, UTC.
    pub signed_at: String,
    /// SHA-256 of the signed text, lower-case hex: the request's fingerprint on the receipt.
    pub digest: String,
}

/// A refund request's answers as stored (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAnswers {
    pub nss: Nss,
    pub rfc: Rfc,
    pub clabe: Clabe,
    pub bank_name: String,
    /// The member declared the account is in their own name.
    pub holder_declared: bool,
    pub amounts: Amounts,
    pub pension: Option<PensionFiled>,
    /// The day it was signed, in Mexico City (ISO).
    pub signed_on: String,
    pub efirma: StoredSignature,
}

/// Why stored answers do not check out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// The answers are not a refund's (or were damaged).
    #[error("refund_answers_unreadable")]
    Unreadable,
    /// The signature does not match the answers and the certificate.
    #[error("signature_invalid")]
    SignatureInvalid,
}

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl RefundAnswers {
    pub fn signed_on(&self) -> Result<Date, AnswersError> {
        parse_iso(&self.signed_on).map_err(|_| AnswersError::Unreadable)
    }

    /// The text the member signed for `folio`.
    pub fn statement_text(&self, folio: &Folio) -> Result<String, AnswersError> {
        Ok(Statement {
            folio,
            nss: &self.nss,
            rfc: &self.rfc,
            clabe: &self.clabe,
            amounts: &self.amounts,
            signed_on: self.signed_on()?,
        }
        .canonical_text())
    }

    pub fn from_json(text: &str) -> Result<RefundAnswers, AnswersError> {
        serde_json::from_str(text).map_err(|_| AnswersError::Unreadable)
    }

    /// What the signature is, as the e.firma crate checks it.
    fn signed(&self) -> Result<SignedRequest, AnswersError> {
        let bad = |_| AnswersError::Unreadable;
        Ok(SignedRequest {
            certificate_der: hex::decode(&self.efirma.certificate).map_err(bad)?,
            signature: Signature::from_bytes(&hex::decode(&self.efirma.signature).map_err(bad)?),
            serial_hex: self.efirma.serial.clone(),
            signed_at: OffsetDateTime::parse(&self.efirma.signed_at, &Rfc3339)
                .map_err(|_| AnswersError::Unreadable)?,
        })
    }

    /// Checks the stored signature against the text rebuilt from these answers and `folio`,
    /// and the stored fingerprint against that text.
    pub fn verify(&self, folio: &Folio) -> Result<(), AnswersError> {
        let text = self.statement_text(folio)?;
        if sha256_hex(text.as_bytes()) != self.efirma.digest {
            return Err(AnswersError::SignatureInvalid);
        }
        self.signed()?.verify(text.as_bytes()).map_err(|e| match e {
            EfirmaError::SignatureInvalid => AnswersError::SignatureInvalid,
            _ => AnswersError::Unreadable,
        })
    }
}

impl StoredSignature {
    /// The certificate's number as SAT prints it (its serial holds the digits as ASCII), or
    /// the serial in hex when it is not that.
    pub fn certificate_number(&self) -> String {
        match hex::decode(&self.serial) {
            Ok(bytes) if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) => {
                String::from_utf8(bytes).unwrap_or_else(|_| self.serial.clone())
            }
            _ => self.serial.clone(),
        }
    }

    pub fn of(signed: &SignedRequest, text: &str) -> StoredSignature {
        StoredSignature {
            certificate: hex::encode(&signed.certificate_der),
            signature: hex::encode(signed.signature.as_bytes()),
            serial: signed.serial_hex.clone(),
            signed_at: signed.signed_at.format(&Rfc3339).unwrap_or_default(),
            digest: sha256_hex(text.as_bytes()),
        }
    }
}
