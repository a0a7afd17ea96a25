//! CLABE, the 18-digit interbank account key: `BBB PPP AAAAAAAAAAA D` (§15.4).

use super::{IdError, Misfit, ascii_digit, digit_value, fixed_upper, stored_text};

/// Clave Bancaria Estandarizada: bank, plaza, account and a check digit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Clabe([u8; 18]);

text_identifier!(Clabe, "an 18-digit CLABE");

/// The SPEI participants by three-digit code; the reference tables implement it, so this module
/// holds no list that could go stale.
pub trait BankDirectory {
    fn bank_name(&self, code: &str) -> Option<&str>;
}

/// A plain `(code, name)` table, handy in tests and small tools.
impl BankDirectory for [(&str, &str)] {
    fn bank_name(&self, code: &str) -> Option<&str> {
        self.iter()
            .find(|(known, _)| *known == code)
            .map(|(_, name)| *name)
    }
}

impl<const N: usize> BankDirectory for [(&str, &str); N] {
    fn bank_name(&self, code: &str) -> Option<&str> {
        self.as_slice().bank_name(code)
    }
}

impl Clabe {
    /// Checks length, digits and check digit; not whether the bank exists (see
    /// [`Clabe::parse_with_banks`]) nor the plaza, whose public tables are incomplete.
    pub fn parse(text: &str) -> Result<Clabe, IdError> {
        let bytes = fixed_upper::<18>(text).map_err(|misfit| match misfit {
            Misfit::Length => IdError::ClabeLength,
            Misfit::NotAscii => IdError::ClabeNotDigits,
        })?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(IdError::ClabeNotDigits);
        }
        let [body @ .., check] = bytes;
        if check != check_digit(&body) {
            return Err(IdError::ClabeCheckDigit);
        }
        Ok(Clabe(bytes))
    }

    /// `parse`, and the bank code must be in `banks`.
    pub fn parse_with_banks(
        text: &str,
        banks: &(impl BankDirectory + ?Sized),
    ) -> Result<Clabe, IdError> {
        let clabe = Clabe::parse(text)?;
        match banks.bank_name(clabe.bank_code()) {
            Some(_) => Ok(clabe),
            None => Err(IdError::ClabeBankUnknown),
        }
    }

    /// Builds a CLABE from its 17 leading digits, appending the check digit.
    pub(super) fn from_body(body: [u8; 17]) -> Clabe {
        let mut bytes = [0; 18];
        bytes[..17].copy_from_slice(&body);
        bytes[17] = check_digit(&body);
        Clabe(bytes)
    }

    pub fn as_str(&self) -> &str {
        stored_text(&self.0)
    }

    /// The three-digit SPEI participant code, e.g. "012" for BBVA.
    pub fn bank_code(&self) -> &str {
        stored_text(&self.0[..3])
    }

    /// The three-digit plaza (city) code.
    pub fn plaza(&self) -> &str {
        stored_text(&self.0[3..6])
    }

    /// The eleven-digit account number within the bank.
    pub fn account(&self) -> &str {
        stored_text(&self.0[6..17])
    }
}

/// Weights 3, 7, 1 repeating. The rule reduces each product modulo 10 before adding, which
/// leaves the sum's last digit unchanged, so only the total is reduced.
fn check_digit(body: &[u8; 17]) -> u8 {
    const WEIGHTS: [u32; 17] = [3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7];
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, weight)| u32::from(digit_value(b)) * weight)
        .sum();
    ascii_digit(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use super::*;
    use crate::ids::generate;

    /// Some participants of §15.4, enough for the vectors.
    const BANKS: [(&str, &str); 4] = [
        ("002", "Banamex"),
        ("012", "BBVA México"),
        ("014", "Santander"),
        ("032", "IXE"),
    ];

    #[test]
    fn valid_vectors() {
        for text in [
            "002010077777777771",
            "032180000118359719",
            "014027000005555558",
            "014028000005555557",
            "002010777777777770",
            // A plaza missing from one public table; plazas are not checked.
            "002115016003269411",
        ] {
            assert_eq!(Clabe::parse(text).unwrap().as_str(), text);
            assert_eq!(
                Clabe::parse_with_banks(text, &BANKS).unwrap().as_str(),
                text
            );
        }
    }

    #[test]
    fn worked_example() {
        assert_eq!(check_digit(b"03218000011835971"), b'9');
    }

    #[test]
    fn each_reason_has_its_code() {
        let cases = [
            ("002010077777777779", "clabe_check_digit"),
            ("00201007777777777", "clabe_length"),
            ("002 010 07777777777 1", "clabe_length"),
            ("00201007777777777A", "clabe_not_digits"),
            ("00201007777777777١", "clabe_not_digits"),
        ];
        for (text, code) in cases {
            assert_eq!(Clabe::parse(text).unwrap_err().code(), code, "{text}");
        }
        assert!(Clabe::parse("000000000000000000").is_ok());
        let unknown = Clabe::parse_with_banks("000000000000000000", &BANKS[..]);
        assert_eq!(unknown.unwrap_err().code(), "clabe_bank_unknown");
        let bad_check = Clabe::parse_with_banks("002010077777777779", &BANKS);
        assert_eq!(bad_check.unwrap_err().code(), "clabe_check_digit");
    }

    #[test]
    fn fields() {
        let clabe = Clabe::parse(" 032180000118359719 ").unwrap();
        assert_eq!(clabe.bank_code(), "032");
        assert_eq!(clabe.plaza(), "180");
        assert_eq!(clabe.account(), "00011835971");
        assert_eq!(BANKS.bank_name(clabe.bank_code()), Some("IXE"));
    }

    #[test]
    fn serde_validates() {
        let ok: Result<Clabe, DeError> =
            Clabe::deserialize(StrDeserializer::new("002010077777777771"));
        assert_eq!(ok.unwrap().as_str(), "002010077777777771");
        let bad: Result<Clabe, DeError> =
            Clabe::deserialize(StrDeserializer::new("002010077777777779"));
        assert!(bad.is_err());
    }

    proptest! {
        #[test]
        fn generated_values_parse_and_round_trip(
            bank in 0..1000u16, plaza in any::<u16>(), account in any::<u64>()
        ) {
            let clabe = generate::clabe(&format!("{bank:03}"), plaza, account);
            prop_assert_eq!(Clabe::parse(&clabe.to_string()), Ok(clabe));
            prop_assert_eq!(clabe.bank_code(), format!("{bank:03}"));
            prop_assert_eq!(clabe.plaza(), format!("{:03}", plaza % 1000));
            prop_assert_eq!(clabe.account(), format!("{:011}", account % 100_000_000_000));
        }

        #[test]
        fn any_single_digit_change_is_rejected(
            account in any::<u64>(), position in 0..18usize, shift in 1..10u8
        ) {
            let clabe = generate::clabe("012", 180, account);
            let mut text = clabe.as_str().as_bytes().to_vec();
            text[position] = ascii_digit(digit_value(text[position]) + shift);
            let text = String::from_utf8(text).unwrap();
            prop_assert_eq!(Clabe::parse(&text), Err(IdError::ClabeCheckDigit));
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,24}", digits in "[0-9 ]{16,20}", bank in ".{0,4}") {
            let _ = Clabe::parse(&text);
            let _ = Clabe::parse(&digits);
            let _ = generate::clabe(&bank, 0, 0);
        }
    }
}
