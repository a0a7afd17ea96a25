//! An appointment's folio, "CIT-2026-7KQ2M9XA0": like a request's (eight random characters of
//! Crockford's base32 and a check character, see `requests::folio`) under the prefix CIT(a), so
//! it is never mistaken for a request's and reads the same over the phone.

use std::fmt;

use rand::{CryptoRng, Rng};
use serde::{Serialize, Serializer};

use crate::requests::FolioError;
use crate::requests::folio::{draw_random, read_random};

const PREFIX: &str = "CIT";

/// A well-formed appointment folio in canonical form.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppointmentFolio(String);

impl AppointmentFolio {
    pub fn generate(year: i32, rng: &mut (impl Rng + CryptoRng)) -> AppointmentFolio {
        AppointmentFolio(format!(
            "{PREFIX}-{:04}-{}",
            year.rem_euclid(10_000),
            draw_random(rng)
        ))
    }

    /// A typed or stored folio: case, spaces and dashes do not matter; O reads as 0, I and L
    /// as 1.
    pub fn parse(typed: &str) -> Result<AppointmentFolio, FolioError> {
        let compact: Vec<u8> = typed
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-'))
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if compact.len() != 3 + 4 + 9 || !compact.starts_with(PREFIX.as_bytes()) {
            return Err(FolioError::Format);
        }
        let (year, random) = compact[3..].split_at(4);
        if !year.iter().all(u8::is_ascii_digit) {
            return Err(FolioError::Format);
        }
        let random = read_random(random)?;
        Ok(AppointmentFolio(format!(
            "{PREFIX}-{}-{random}",
            String::from_utf8_lossy(year)
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AppointmentFolio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AppointmentFolio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppointmentFolio({})", self.0)
    }
}

impl Serialize for AppointmentFolio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_folio_reads_back_forgives_slips_and_catches_typos() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let folio = AppointmentFolio::generate(2026, &mut rng);
        assert!(folio.as_str().starts_with("CIT-2026-"), "{folio}");
        assert_eq!(folio.as_str().len(), 18);
        assert_eq!(AppointmentFolio::parse(folio.as_str()), Ok(folio.clone()));
        let typed = folio.as_str().replace('-', " ").to_lowercase();
        assert_eq!(AppointmentFolio::parse(&typed), Ok(folio.clone()));
        let mut typo = folio.as_str().to_owned().into_bytes();
        typo[10] = if typo[10] == b'7' { b'8' } else { b'7' };
        assert_eq!(
            AppointmentFolio::parse(&String::from_utf8(typo).unwrap()),
            Err(FolioError::Check)
        );
        // A request's folio is not an appointment's.
        assert_eq!(
            AppointmentFolio::parse("CAN-2026-000000000"),
            Err(FolioError::Format)
        );
        assert_eq!(AppointmentFolio::parse(""), Err(FolioError::Format));
    }
}
