//! NSS, the IMSS social security number: `SS AA NN CCCC D` (§15.1).

use time::Date;

use super::{IdError, Misfit, ascii_digit, digit_value, fixed_upper, stored_text, two_digits};

/// Número de Seguridad Social: 11 digits with a Luhn check digit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nss([u8; 11]);

text_identifier!(Nss, "an 11-digit NSS");

/// The code used where no birth year is on record; sources disagree whether it marks the
/// subdelegation or the birth year (§15.1, unverified), so either position skips the check.
const NO_BIRTH_YEAR: u8 = 97;

impl Nss {
    pub fn parse(text: &str) -> Result<Nss, IdError> {
        let bytes = fixed_upper::<11>(text).map_err(|misfit| match misfit {
            Misfit::Length => IdError::NssLength,
            Misfit::NotAscii => IdError::NssNotDigits,
        })?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(IdError::NssNotDigits);
        }
        let [body @ .., check] = bytes;
        if check != check_digit(&body) {
            return Err(IdError::NssCheckDigit);
        }
        Ok(Nss(bytes))
    }

    /// Builds an NSS from its ten leading digits, appending the check digit.
    pub(super) fn from_body(body: [u8; 10]) -> Nss {
        let mut bytes = [0; 11];
        bytes[..10].copy_from_slice(&body);
        bytes[10] = check_digit(&body);
        Nss(bytes)
    }

    pub fn as_str(&self) -> &str {
        stored_text(&self.0)
    }

    /// The IMSS subdelegation where the person was first registered.
    pub fn subdelegation(&self) -> u8 {
        two_digits(self.0[0], self.0[1])
    }

    pub fn registration_year_2d(&self) -> u8 {
        two_digits(self.0[2], self.0[3])
    }

    pub fn birth_year_2d(&self) -> u8 {
        two_digits(self.0[4], self.0[5])
    }

    /// The serial the subdelegation assigned.
    pub fn serial(&self) -> u16 {
        self.0[6..10]
            .iter()
            .fold(0, |serial, &b| serial * 10 + u16::from(digit_value(b)))
    }

    /// Whether the person was born no later than they were registered, reading both two-digit
    /// years as the latest year not after `today`. Advisory only: the rule is unverified (§15.1),
    /// so `parse` does not apply it.
    pub fn plausible_years(&self, today: Date) -> bool {
        if self.subdelegation() == NO_BIRTH_YEAR || self.birth_year_2d() == NO_BIRTH_YEAR {
            return true;
        }
        let latest_year =
            |two_digits: u8| today.year() - (today.year() - i32::from(two_digits)).rem_euclid(100);
        latest_year(self.birth_year_2d()) <= latest_year(self.registration_year_2d())
    }
}

/// Luhn: weights 1,2,1,2… from the left, products of two digits summed as their digits.
fn check_digit(body: &[u8; 10]) -> u8 {
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let product = u32::from(digit_value(b)) * if i % 2 == 0 { 1 } else { 2 };
            if product >= 10 { product - 9 } else { product }
        })
        .sum();
    ascii_digit(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use time::macros::date;

    use super::*;

    #[test]
    fn worked_examples_from_the_rulebook() {
        assert_eq!(Nss::parse("92919084431").unwrap().as_str(), "92919084431");
        assert_eq!(Nss::parse("12345678903").unwrap().as_str(), "12345678903");
    }

    #[test]
    fn each_reason_has_its_code() {
        let cases = [
            ("9291908443", "nss_length"),
            ("929190844310", "nss_length"),
            ("", "nss_length"),
            ("9291908443A", "nss_not_digits"),
            ("9291908443١", "nss_not_digits"),
            ("92919-84431", "nss_not_digits"),
            ("92919084432", "nss_check_digit"),
            ("29919084431", "nss_check_digit"),
        ];
        for (text, code) in cases {
            assert_eq!(Nss::parse(text).unwrap_err().code(), code, "{text}");
        }
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(
            Nss::parse(" 92919084431\n").unwrap().as_str(),
            "92919084431"
        );
    }

    #[test]
    fn fields() {
        let nss = Nss::parse("92919084431").unwrap();
        assert_eq!(nss.subdelegation(), 92);
        assert_eq!(nss.registration_year_2d(), 91);
        assert_eq!(nss.birth_year_2d(), 90);
        assert_eq!(nss.serial(), 8443);
    }

    #[test]
    fn plausible_years_reads_the_century_from_today() {
        let today = date!(2025 - 06 - 30);
        // Registered 1991, born 1990.
        assert!(Nss::parse("92919084431").unwrap().plausible_years(today));
        // Registered 2008, born 2010: registered before birth.
        assert!(!generate_nss(1, 2008, 2010).plausible_years(today));
        // Registered 2001, born 1985.
        assert!(generate_nss(1, 2001, 1985).plausible_years(today));
        // Birth code 97: no birth year on record.
        assert!(generate_nss(1, 2001, 2097).plausible_years(today));
        assert!(generate_nss(97, 2001, 2010).plausible_years(today));
    }

    fn generate_nss(subdelegation: u8, registration: i32, birth: i32) -> Nss {
        crate::ids::generate::nss(subdelegation, registration, birth, 1234)
    }

    #[test]
    fn serde_validates() {
        let ok: Result<Nss, DeError> = Nss::deserialize(StrDeserializer::new("92919084431"));
        assert_eq!(ok.unwrap().as_str(), "92919084431");
        let bad: Result<Nss, DeError> = Nss::deserialize("92919084432".into_deserializer());
        assert!(bad.is_err());
    }

    proptest! {
        #[test]
        fn generated_values_parse_and_round_trip(
            sub in any::<u8>(), reg in -3000..3000i32, birth in -3000..3000i32, serial in any::<u16>()
        ) {
            let nss = crate::ids::generate::nss(sub, reg, birth, serial);
            prop_assert_eq!(Nss::parse(&nss.to_string()), Ok(nss));
            prop_assert_eq!(nss.as_str().parse::<Nss>(), Ok(nss));
            prop_assert_eq!(nss.subdelegation(), sub % 100);
            prop_assert_eq!(nss.serial(), serial % 10_000);
        }

        #[test]
        fn any_single_digit_change_is_rejected(
            sub in any::<u8>(), serial in any::<u16>(), position in 0..11usize, shift in 1..10u8
        ) {
            let nss = crate::ids::generate::nss(sub, 1999, 1980, serial);
            let mut text = nss.as_str().as_bytes().to_vec();
            text[position] = ascii_digit(digit_value(text[position]) + shift);
            let text = String::from_utf8(text).unwrap();
            prop_assert_eq!(Nss::parse(&text), Err(IdError::NssCheckDigit));
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,20}", digits in "[0-9 ]{9,13}") {
            let _ = Nss::parse(&text);
            let _ = Nss::parse(&digits);
        }
    }
}
