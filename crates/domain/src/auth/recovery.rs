//! Recovery codes: what a member keeps on paper in case the phone with the authenticator app
//! is lost. Ten codes of ten characters from Crockford's base32 (no I, L, O or U, so nothing
//! is mistaken for a digit), 50 random bits each, shown once and stored hashed; each works once.

use rand::{CryptoRng, Rng};

/// Codes issued at a time.
pub const COUNT: usize = 10;
const LENGTH: usize = 10;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// One new code, grouped for reading aloud: "7KQ2-M9XA-PR".
pub fn generate(rng: &mut (impl Rng + CryptoRng)) -> String {
    let mut out = String::with_capacity(LENGTH + 2);
    for i in 0..LENGTH {
        if i == 4 || i == 8 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[rng.random_range(0..32usize)]));
    }
    out
}

/// The canonical form of a typed code, or `None` if it cannot be one: case, spaces and
/// dashes do not matter, and O, I and L are read as 0, 1 and 1.
pub fn normalize(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(LENGTH);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == LENGTH).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_codes_read_back_as_themselves() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let codes: Vec<String> = (0..COUNT).map(|_| generate(&mut rng)).collect();
        for code in &codes {
            assert_eq!(code.len(), 12);
            assert_eq!(&code[4..5], "-");
            assert_eq!(normalize(code), Some(code.replace('-', "")));
        }
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), COUNT);
    }

    #[test]
    fn typing_slips_are_forgiven_but_not_wrong_lengths() {
        assert_eq!(normalize("7kq2 m9xa pr"), Some("7KQ2M9XAPR".into()));
        assert_eq!(normalize("OIL2-M9XA-PR"), Some("0112M9XAPR".into()));
        assert_eq!(normalize("7KQ2-M9XA-P"), None);
        assert_eq!(normalize("7KQ2-M9XA-PRU"), None, "U is not in the alphabet");
        assert_eq!(normalize("7KQ2-M9XA-PÑ"), None);
    }
}
