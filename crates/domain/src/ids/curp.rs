//! CURP, the population registry key: name letters, birth date, sex, state, check digit (§15.2).

use time::Date;

use super::{IdError, Misfit, ascii_digit, calendar_date, fixed_upper, stored_text, two_digits};
use crate::registry::{Sex, StateCode};

/// Clave Única de Registro de Población: 18 ASCII characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Curp([u8; 18]);

text_identifier!(Curp, "an 18-character CURP");

/// RENAPO state codes in INEGI order, so a code's INEGI number is its index plus one (§14.4).
const STATES: [[u8; 2]; 32] = [
    *b"AS", *b"BC", *b"BS", *b"CC", *b"CL", *b"CM", *b"CS", *b"CH", *b"DF", *b"DG", *b"GT", *b"GR",
    *b"HG", *b"JC", *b"MC", *b"MN", *b"MS", *b"NT", *b"NL", *b"OC", *b"PL", *b"QT", *b"QR", *b"SP",
    *b"SL", *b"SR", *b"TC", *b"TS", *b"TL", *b"VZ", *b"YN", *b"ZS",
];

pub(super) const BORN_ABROAD: [u8; 2] = *b"NE";

/// Prefixes RENAPO never assigns (python-stdnum's list), sorted for binary search. The name
/// rules replace the second letter with X instead.
pub(super) const BLOCKLIST: [[u8; 4]; 81] = [
    *b"BACA", *b"BAKA", *b"BUEI", *b"BUEY", *b"CACA", *b"CACO", *b"CAGA", *b"CAGO", *b"CAKA",
    *b"CAKO", *b"COGE", *b"COGI", *b"COJA", *b"COJE", *b"COJI", *b"COJO", *b"COLA", *b"CULO",
    *b"FALO", *b"FETO", *b"GETA", *b"GUEI", *b"GUEY", *b"JETA", *b"JOTO", *b"KACA", *b"KACO",
    *b"KAGA", *b"KAGO", *b"KAKA", *b"KAKO", *b"KOGE", *b"KOGI", *b"KOJA", *b"KOJE", *b"KOJI",
    *b"KOJO", *b"KOLA", *b"KULO", *b"LILO", *b"LOCA", *b"LOCO", *b"LOKA", *b"LOKO", *b"MAME",
    *b"MAMO", *b"MEAR", *b"MEAS", *b"MEON", *b"MIAR", *b"MION", *b"MOCO", *b"MOKO", *b"MULA",
    *b"MULO", *b"NACA", *b"NACO", *b"PEDA", *b"PEDO", *b"PENE", *b"PIPI", *b"PITO", *b"POPO",
    *b"PUTA", *b"PUTO", *b"QULO", *b"RATA", *b"ROBA", *b"ROBE", *b"ROBO", *b"RUIN", *b"SENO",
    *b"TETA", *b"VACA", *b"VAGA", *b"VAGO", *b"VAKA", *b"VUEI", *b"VUEY", *b"WUEI", *b"WUEY",
];

impl Curp {
    /// Checks, in order: length, layout, birth date, sex, state, blocklisted prefix, check digit.
    /// Sex "X" (reportedly allowed for non-binary people, unverified) is rejected as `curp_sex`.
    pub fn parse(text: &str) -> Result<Curp, IdError> {
        let bytes = fixed_upper::<18>(text).map_err(|misfit| match misfit {
            Misfit::Length => IdError::CurpLength,
            Misfit::NotAscii => IdError::CurpFormat,
        })?;
        if !has_layout(&bytes) {
            return Err(IdError::CurpFormat);
        }
        if birth_date(&bytes).is_none() {
            return Err(IdError::CurpDate);
        }
        if !matches!(bytes[10], b'H' | b'M') {
            return Err(IdError::CurpSex);
        }
        if !is_state([bytes[11], bytes[12]]) {
            return Err(IdError::CurpState);
        }
        if is_blocklisted(&bytes) {
            return Err(IdError::CurpBlocklisted);
        }
        let [body @ .., check] = bytes;
        if check != check_digit(&body) {
            return Err(IdError::CurpCheckDigit);
        }
        Ok(Curp(bytes))
    }

    /// Builds a CURP from its 17 leading characters, appending the check digit.
    pub(super) fn from_body(body: [u8; 17]) -> Curp {
        let mut bytes = [0; 18];
        bytes[..17].copy_from_slice(&body);
        bytes[17] = check_digit(&body);
        Curp(bytes)
    }

    pub fn as_str(&self) -> &str {
        stored_text(&self.0)
    }

    /// The birth date; the 17th character gives the century (digit: 1900s, letter: 2000s).
    pub fn birth_date(&self) -> Date {
        // `parse` has checked the date, so the fallback is unreachable.
        birth_date(&self.0).unwrap_or(Date::MIN)
    }

    pub fn sex(&self) -> Sex {
        if self.0[10] == b'M' {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// The two-letter RENAPO code of the birth state: "DF" for Mexico City, "NE" for abroad.
    pub fn state_code(&self) -> &str {
        stored_text(&self.0[11..13])
    }

    /// The birth state by INEGI number; None for people born abroad.
    pub fn inegi_state(&self) -> Option<StateCode> {
        let code = [self.0[11], self.0[12]];
        let index = STATES.iter().position(|state| *state == code)?;
        StateCode::new(u8::try_from(index + 1).ok()?)
    }
}

/// `[A-Z]{4}[0-9]{6}.[A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z][0-9]`; sex and state are checked
/// apart so their errors can name them.
fn has_layout(bytes: &[u8; 18]) -> bool {
    bytes[..4].iter().all(u8::is_ascii_uppercase)
        && bytes[4..10].iter().all(u8::is_ascii_digit)
        && bytes[13..16].iter().all(|&b| is_consonant(b))
        && (bytes[16].is_ascii_uppercase() || bytes[16].is_ascii_digit())
        && bytes[17].is_ascii_digit()
}

pub(super) fn is_consonant(byte: u8) -> bool {
    byte.is_ascii_uppercase() && !matches!(byte, b'A' | b'E' | b'I' | b'O' | b'U')
}

fn birth_date(bytes: &[u8; 18]) -> Option<Date> {
    let century = if bytes[16].is_ascii_digit() {
        1900
    } else {
        2000
    };
    let year = century + i32::from(two_digits(bytes[4], bytes[5]));
    calendar_date(
        year,
        two_digits(bytes[6], bytes[7]),
        two_digits(bytes[8], bytes[9]),
    )
}

pub(super) fn is_state(code: [u8; 2]) -> bool {
    code == BORN_ABROAD || STATES.contains(&code)
}

pub(super) fn is_blocklisted(bytes: &[u8]) -> bool {
    <[u8; 4]>::try_from(bytes.get(..4).unwrap_or_default()).is_ok_and(|prefix| {
        // As integers, one comparison per step instead of a byte-slice comparison.
        let key = u32::from_be_bytes(prefix);
        BLOCKLIST
            .binary_search_by_key(&key, |word| u32::from_be_bytes(*word))
            .is_ok()
    })
}

/// Weights 18 down to 2 over the character values; see [`VALUES`].
fn check_digit(body: &[u8; 17]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip((2..=18).rev())
        .map(|(&b, weight)| u32::from(VALUES[usize::from(b)]) * weight)
        .sum();
    ascii_digit(((10 - sum % 10) % 10) as u8)
}

/// Check-digit values by byte, from "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ": Ñ never occurs in a
/// CURP but still pushes O–Z one higher. A table, because branching per character was the
/// slowest part of parsing.
const VALUES: [u8; 256] = {
    let mut values = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        values[byte] = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'N' => b - b'A' + 10,
            b'O'..=b'Z' => b - b'A' + 11,
            _ => 0,
        };
        byte += 1;
    }
    values
};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use time::macros::date;

    use super::*;

    const VALID: [&str; 6] = [
        "HEGG560427MVZRRL04",
        "BEML920313HMCLNS09",
        "PEGL890909MJCRMS08",
        "BOXW310820HNERXN09",
        "AAAA000101HDFCCC09",
        "TOMA880125HMNRRN02",
    ];

    #[test]
    fn valid_vectors() {
        for text in VALID {
            assert_eq!(Curp::parse(text).unwrap().as_str(), text);
        }
        let lower = Curp::parse("  hegg560427mvzrrl04 ").unwrap();
        assert_eq!(lower.as_str(), "HEGG560427MVZRRL04");
    }

    #[test]
    fn invalid_vectors_name_their_reason() {
        let cases = [
            ("PEGL890909MJCRMS09", "curp_check_digit"),
            ("BOXW310820HNERXN08", "curp_check_digit"),
            ("PEGL891313MJCRMS06", "curp_date"),
            ("PEGL890909QJCRMS08", "curp_sex"),
            ("PEGL890909XJCRMS08", "curp_sex"),
            ("PEGL890909MQQRMS02", "curp_state"),
            ("BACA890909MJCRMS05", "curp_blocklisted"),
            ("1230", "curp_length"),
            ("PEGL890909MJCRMS0", "curp_length"),
            ("123ZZZZZZZZZZZZZ90", "curp_format"),
            ("PEGL890909MJCRAS08", "curp_format"),
            ("PEGL890909MJCRMS0A", "curp_format"),
            ("PEÑL890909MJCRMS08", "curp_format"),
            // 29 February exists in 2000 (letter) but not in 1900 (digit).
            ("PEGL000229MJCRMS08", "curp_date"),
        ];
        for (text, code) in cases {
            assert_eq!(Curp::parse(text).unwrap_err().code(), code, "{text}");
        }
    }

    #[test]
    fn fields() {
        let curp = Curp::parse("HEGG560427MVZRRL04").unwrap();
        assert_eq!(curp.birth_date(), date!(1956 - 04 - 27));
        assert_eq!(curp.sex(), Sex::Female);
        assert_eq!(curp.state_code(), "VZ");
        assert_eq!(curp.inegi_state(), Some(StateCode(30)));

        let abroad = Curp::parse("BOXW310820HNERXN09").unwrap();
        assert_eq!(abroad.birth_date(), date!(1931 - 08 - 20));
        assert_eq!(abroad.sex(), Sex::Male);
        assert_eq!(abroad.state_code(), "NE");
        assert_eq!(abroad.inegi_state(), None);

        let cdmx = Curp::parse("AAAA000101HDFCCC09").unwrap();
        assert_eq!(cdmx.birth_date(), date!(1900 - 01 - 01));
        assert_eq!(cdmx.inegi_state(), Some(StateCode(9)));
    }

    #[test]
    fn a_letter_in_position_17_means_born_from_2000() {
        let curp = Curp::from_body(*b"PEGL000229MJCRMSA");
        assert_eq!(Curp::parse(curp.as_str()), Ok(curp));
        assert_eq!(curp.birth_date(), date!(2000 - 02 - 29));
    }

    #[test]
    fn states_follow_inegi_order() {
        assert_eq!(STATES[13], *b"JC"); // 14 Jalisco
        assert_eq!(STATES[18], *b"NL"); // 19 Nuevo León
        assert_eq!(STATES[31], *b"ZS"); // 32 Zacatecas
    }

    #[test]
    fn blocklist_is_sorted_for_binary_search() {
        assert!(BLOCKLIST.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn serde_validates() {
        let ok: Result<Curp, DeError> = Curp::deserialize(StrDeserializer::new(VALID[0]));
        assert_eq!(ok.unwrap().as_str(), VALID[0]);
        let bad: Result<Curp, DeError> = Curp::deserialize(StrDeserializer::new("BACA"));
        assert!(bad.is_err());
    }

    proptest! {
        #[test]
        fn round_trip(index in 0..VALID.len()) {
            let curp = Curp::parse(VALID[index]).unwrap();
            prop_assert_eq!(Curp::parse(&curp.to_string()), Ok(curp));
        }

        #[test]
        fn arbitrary_text_never_panics(
            text in ".{0,24}", shaped in "[A-Z]{4}[0-9]{6}[A-Z0-9Ñ]{6,8}"
        ) {
            let _ = Curp::parse(&text);
            let _ = Curp::parse(&shaped);
        }
    }
}
