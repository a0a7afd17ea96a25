//! Verification codes: what lets anyone who receives a document check that the fund issued it.
//! Sixteen characters of Crockford's base32 (no I, L, O or U) from a CSPRNG, 80 random bits, so
//! codes can be neither guessed nor enumerated; printed in groups of four.

use std::fmt;

use rand::{CryptoRng, Rng};
use serde::{Serialize, Serializer};

const LENGTH: usize = 16;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A document's verification code in canonical form: 16 upper-case characters, no dashes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// A new random code from the thread's CSPRNG.
    pub fn generate() -> VerificationCode {
        VerificationCode::generate_with(&mut rand::rng())
    }

    pub fn generate_with(rng: &mut (impl Rng + CryptoRng)) -> VerificationCode {
        let code = (0..LENGTH)
            .map(|_| char::from(ALPHABET[rng.random_range(0..32usize)]))
            .collect();
        VerificationCode(code)
    }

    /// A typed or scanned code, or `None` if it cannot be one: case, spaces and dashes do not
    /// matter, and O, I and L are read as 0, 1 and 1.
    pub fn parse(typed: &str) -> Option<VerificationCode> {
        let mut out = String::with_capacity(LENGTH);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || out.len() == LENGTH {
                return None;
            }
            out.push(c);
        }
        (out.len() == LENGTH).then_some(VerificationCode(out))
    }

    /// The canonical form, as stored and as put in the verification URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading aloud: "7KQ2-M9XA-PR4T-0C8D".
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(LENGTH + 3);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerificationCode({})", self.grouped())
    }
}

impl Serialize for VerificationCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_codes_read_back_as_themselves() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let codes: Vec<VerificationCode> = (0..1000)
            .map(|_| VerificationCode::generate_with(&mut rng))
            .collect();
        for code in &codes {
            let grouped = code.grouped();
            assert_eq!(grouped.len(), 19);
            assert_eq!(grouped.matches('-').count(), 3);
            assert_eq!(VerificationCode::parse(&grouped).as_ref(), Some(code));
            assert_eq!(VerificationCode::parse(code.as_str()).as_ref(), Some(code));
        }
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn typing_slips_are_forgiven_but_not_wrong_codes() {
        let code = VerificationCode::parse("7kq2 m9xa pr4t 0c8d");
        assert_eq!(
            code.map(|c| c.grouped()),
            Some("7KQ2-M9XA-PR4T-0C8D".into())
        );
        let code = VerificationCode::parse("OIL2-M9XA-PR4T-0C8D");
        assert_eq!(
            code.map(|c| c.to_string()),
            Some("0112-M9XA-PR4T-0C8D".into())
        );
        assert_eq!(VerificationCode::parse("7KQ2-M9XA-PR4T-0C8"), None);
        assert_eq!(VerificationCode::parse("7KQ2-M9XA-PR4T-0C8DD"), None);
        assert_eq!(VerificationCode::parse("7KQ2-M9XA-PR4T-0C8U"), None);
        assert_eq!(VerificationCode::parse("7KQ2-M9XA-PR4T-0C8Ñ"), None);
        assert_eq!(VerificationCode::parse(""), None);
    }
}
