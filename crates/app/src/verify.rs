//! Verifying a document anyone received: the code printed on it (or read from its QR) says
//! whether the fund issued it, what kind of document it is, when, and to whom — a masked name,
//! nothing more. With the PDF itself, its SHA-256 must also match what was issued, so a copy
//! whose bytes were altered fails.

use documents::VerificationCode;
use serde::Serialize;
use sha2::Digest;
use store::{Store, StoreError};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Issued by the fund; with a file, the file is exactly what was issued.
    Genuine(Issued),
    /// The code is real but the file given is not the document issued under it.
    Altered(Issued),
    /// No document was issued under this code (or it is not a code at all).
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issued {
    pub code: String,
    /// The document kind's stable code ("retention_notice", …).
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The holder's name with all but the first letter of each word hidden.
    pub holder: String,
}

/// Checks `typed` (any case, with or without separators) and, when given, the file's bytes.
pub async fn verify(
    store: &dyn Store,
    typed: &str,
    file: Option<&[u8]>,
) -> Result<Verdict, StoreError> {
    let Some(code) = VerificationCode::parse(typed) else {
        return Ok(Verdict::Unknown);
    };
    let Some(doc) = store.document_by_code(code.as_str()).await? else {
        return Ok(Verdict::Unknown);
    };
    let holder = store
        .member(doc.member_id)
        .await?
        .map(|m| mask_name(&m.person.full_name()))
        .unwrap_or_default();
    let issued = Issued {
        code: code.grouped(),
        kind: doc.kind,
        issued_at: doc.issued_at,
        holder,
    };
    match file {
        Some(bytes) if <[u8; 32]>::from(sha2::Sha256::digest(bytes)) != doc.sha256 => {
            Ok(Verdict::Altered(issued))
        }
        _ => Ok(Verdict::Genuine(issued)),
    }
}

/// "MARÍA GUADALUPE LÓPEZ" → "M**** G******** L****".
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            first + &"*".repeat(chars.count())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_masked_letter_by_letter() {
        assert_eq!(
            super::mask_name("MARÍA GUADALUPE LÓPEZ"),
            "M**** G******** L****"
        );
        assert_eq!(super::mask_name(""), "");
    }
}
