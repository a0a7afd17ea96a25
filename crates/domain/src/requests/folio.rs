//! Folios: the reference a member quotes for a request, "CAN-2026-7KQ2M9XA0".
//!
//! The kind's prefix and the year make it readable; eight characters of Crockford's base32 from a
//! CSPRNG (40 bits, no I, L, O or U) make it unguessable and need no counter shared by every
//! writer; a last check character (Luhn mod 32) catches a mistyped character or two swapped
//! neighbours before anything is looked up. Two requests drawing the same folio is possible but
//! rare; storage refuses the second and the caller draws again.

use std::fmt;

use rand::{CryptoRng, Rng};
use serde::{Deserialize, Serialize};

use super::RequestKind;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_LEN: usize = 8;
/// "CAN-2026-" + eight random characters + the check character.
const LEN: usize = 3 + 1 + 4 + 1 + RANDOM_LEN + 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FolioError {
    /// Not a folio's shape: a known prefix, a year, nine characters.
    #[error("folio_format")]
    Format,
    /// The shape is right but a character was mistyped.
    #[error("folio_check")]
    Check,
}

impl FolioError {
    pub fn code(&self) -> &'static str {
        match self {
            FolioError::Format => "folio_format",
            FolioError::Check => "folio_check",
        }
    }
}

/// A well-formed folio in canonical form.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Folio(String);

fn value(symbol: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|a| *a == symbol)
        .and_then(|p| u32::try_from(p).ok())
}

fn symbol(value: u32) -> char {
    char::from(ALPHABET[(value % 32) as usize])
}

/// Luhn mod 32 over the random characters: every single substitution and every swap of two
/// neighbours (but 0↔Z) changes it.
fn check_symbol(random: &[u8]) -> Option<char> {
    let mut sum = 0;
    let mut factor = 2;
    for &c in random.iter().rev() {
        let addend = factor * value(c)?;
        sum += addend / 32 + addend % 32;
        factor = if factor == 2 { 1 } else { 2 };
    }
    Some(symbol((32 - sum % 32) % 32))
}

/// Eight random characters and their check character: the part of a folio that makes it
/// unguessable. Appointment folios ("CIT-…") share it.
pub(crate) fn draw_random(rng: &mut (impl Rng + CryptoRng)) -> String {
    let random: Vec<u8> = (0..RANDOM_LEN)
        .map(|_| ALPHABET[rng.random_range(0..32usize)])
        .collect();
    let check = check_symbol(&random).unwrap_or('0');
    format!("{}{check}", String::from_utf8_lossy(&random))
}

/// The random part of a typed folio (upper case, no separators), in canonical form: O is read
/// as 0 and I or L as 1, and the check character must match.
pub(crate) fn read_random(typed: &[u8]) -> Result<String, FolioError> {
    let random: Vec<u8> = typed
        .iter()
        .map(|&b| match b {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            other => other,
        })
        .collect();
    if random.len() != RANDOM_LEN + 1 || !random.iter().all(|b| ALPHABET.contains(b)) {
        return Err(FolioError::Format);
    }
    let (body, check) = random.split_at(RANDOM_LEN);
    if check_symbol(body).map(|c| c as u8) != check.first().copied() {
        return Err(FolioError::Check);
    }
    Ok(String::from_utf8_lossy(&random).into_owned())
}

impl Folio {
    /// A new folio for a request of `kind` filed in `year`.
    pub fn generate(kind: RequestKind, year: i32, rng: &mut (impl Rng + CryptoRng)) -> Folio {
        Folio(format!(
            "{}-{:04}-{}",
            kind.folio_prefix(),
            year.rem_euclid(10_000),
            draw_random(rng)
        ))
    }

    /// A typed or stored folio. Case, spaces and dashes do not matter, and in the random part
    /// O is read as 0 and I or L as 1, as Crockford's base32 reads them.
    pub fn parse(typed: &str) -> Result<Folio, FolioError> {
        let compact: Vec<u8> = typed
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-'))
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if compact.len() != LEN - 2 {
            return Err(FolioError::Format);
        }
        let (prefix, rest) = compact.split_at(3);
        let (year, random) = rest.split_at(4);
        let kind = std::str::from_utf8(prefix)
            .ok()
            .and_then(RequestKind::from_folio_prefix)
            .ok_or(FolioError::Format)?;
        if !year.iter().all(u8::is_ascii_digit) {
            return Err(FolioError::Format);
        }
        let random = read_random(random)?;
        Ok(Folio(format!(
            "{}-{}-{random}",
            kind.folio_prefix(),
            String::from_utf8_lossy(year),
        )))
    }

    /// The canonical form, as stored and shown: "CAN-2026-7KQ2M9XA0".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind named by the prefix.
    pub fn kind(&self) -> Option<RequestKind> {
        self.0.get(..3).and_then(RequestKind::from_folio_prefix)
    }

    pub fn year(&self) -> Option<i32> {
        self.0.get(4..8).and_then(|y| y.parse().ok())
    }
}

impl fmt::Display for Folio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Folio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Folio({})", self.0)
    }
}

impl std::str::FromStr for Folio {
    type Err = FolioError;

    fn from_str(text: &str) -> Result<Folio, FolioError> {
        Folio::parse(text)
    }
}

impl Serialize for Folio {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Folio {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Folio::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(7)
    }

    #[test]
    fn a_folio_names_its_kind_and_year_and_parses_back() {
        let mut rng = rng();
        for kind in RequestKind::ALL {
            let folio = Folio::generate(kind, 2026, &mut rng);
            assert_eq!(folio.as_str().len(), LEN, "{folio}");
            assert!(
                folio
                    .as_str()
                    .starts_with(&format!("{}-2026-", kind.folio_prefix()))
            );
            assert_eq!(folio.kind(), Some(kind));
            assert_eq!(folio.year(), Some(2026));
            assert_eq!(Folio::parse(folio.as_str()), Ok(folio.clone()));
        }
    }

    #[test]
    fn typing_slips_are_forgiven_where_they_are_unambiguous() {
        let folio = Folio::generate(RequestKind::DataCorrection, 2026, &mut rng());
        let compact = folio.as_str().replace('-', "").to_lowercase();
        assert_eq!(Folio::parse(&compact), Ok(folio.clone()));
        let spaced = folio.as_str().replace('-', " ");
        assert_eq!(Folio::parse(&format!("  {spaced} ")), Ok(folio.clone()));
        // O and I/L in the random part are read as 0 and 1.
        let zeros = Folio::parse("COR-2026-000000000").unwrap();
        assert_eq!(Folio::parse("cor-2026-OOOOOOOOo"), Ok(zeros));
        let ones = Folio::parse("COR-2026-11111111M").unwrap();
        assert_eq!(Folio::parse("cor 2026 lIlIlIlIm"), Ok(ones));
    }

    #[test]
    fn the_check_character_catches_every_single_slip_and_neighbour_swap() {
        let mut rng = rng();
        for _ in 0..200 {
            let folio = Folio::generate(RequestKind::PensionerRefund, 2026, &mut rng);
            let chars: Vec<u8> = folio.as_str().bytes().collect();
            let random = 9..LEN;
            for i in random.clone() {
                for &other in ALPHABET {
                    if other == chars[i] {
                        continue;
                    }
                    let mut typo = chars.clone();
                    typo[i] = other;
                    let typo = String::from_utf8(typo).unwrap();
                    assert_eq!(Folio::parse(&typo), Err(FolioError::Check), "{typo}");
                }
            }
            for i in random.start..LEN - 1 {
                let (a, b) = (chars[i], chars[i + 1]);
                if a == b || (a.min(b), a.max(b)) == (b'0', b'Z') {
                    continue;
                }
                let mut swapped = chars.clone();
                swapped.swap(i, i + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                assert_eq!(Folio::parse(&swapped), Err(FolioError::Check), "{swapped}");
            }
        }
    }

    #[test]
    fn what_is_not_a_folio_says_so() {
        for bad in [
            "",
            "CAN-2026",
            "XXX-2026-7KQ2M9XAP",
            "CAN-20X6-7KQ2M9XAP",
            "CAN-2026-7KQ2M9XAU",
            "CAN-2026-7KQ2M9XAPP",
            "CAN-2026-7KQ2M9XÁP",
        ] {
            assert_eq!(Folio::parse(bad), Err(FolioError::Format), "{bad}");
        }
    }

    #[test]
    fn folios_do_not_repeat() {
        let mut rng = rng();
        let folios: std::collections::HashSet<_> = (0..10_000)
            .map(|_| Folio::generate(RequestKind::Deeds, 2026, &mut rng))
            .collect();
        assert_eq!(folios.len(), 10_000);
    }
}
