//! Validated identifiers: NSS (social security), CURP (population registry), RFC (tax) and CLABE
//! (interbank account), by the algorithms of domain.md §15.
//!
//! Each is parsed once at the edge into a small `Copy` value held in a fixed byte array, so that
//! holding one proves it passed every check and parsing never allocates (the importer validates
//! millions a second). Errors carry stable snake_case codes; `locales/*/ids.ftl` holds one message
//! per code.

use std::fmt;

use time::{Date, Month};

/// Display, Debug, FromStr and serde-as-string for an identifier with `parse` and `as_str`.
/// Deserializing goes through `parse`, so stored or posted data is validated like typed input.
macro_rules! text_identifier {
    ($type:ident, $expecting:literal) => {
        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::fmt::Debug for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($type))
                    .field(&self.as_str())
                    .finish()
            }
        }

        impl ::std::str::FromStr for $type {
            type Err = $crate::ids::IdError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl ::serde::Serialize for $type {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $type {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct TextVisitor;

                impl ::serde::de::Visitor<'_> for TextVisitor {
                    type Value = $type;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_str<E: ::serde::de::Error>(self, text: &str) -> Result<$type, E> {
                        $type::parse(text).map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(TextVisitor)
            }
        }
    };
}

mod clabe;
mod curp;
pub mod generate;
mod names;
mod nss;
mod rfc;

pub use clabe::{BankDirectory, Clabe};
pub use curp::Curp;
pub use names::name_key;
pub use nss::Nss;
pub use rfc::{Rfc, RfcKind};

/// Why a text is not a valid identifier. One variant per reason, so the message can say exactly
/// what to fix; `code()` is the stable key for translations and API responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum IdError {
    #[error("an NSS has exactly 11 digits")]
    NssLength,
    #[error("an NSS has only digits")]
    NssNotDigits,
    #[error("the NSS check digit does not match")]
    NssCheckDigit,
    #[error("a CURP has exactly 18 characters")]
    CurpLength,
    #[error("the CURP does not have the layout of 4 letters, 6 digits, 6 letters, 2 characters")]
    CurpFormat,
    #[error("the CURP birth date is not a calendar date")]
    CurpDate,
    #[error("the CURP sex (11th character) is not H or M")]
    CurpSex,
    #[error("the CURP state code (12th-13th characters) is unknown")]
    CurpState,
    #[error("the CURP check digit does not match")]
    CurpCheckDigit,
    #[error("the CURP starts with a word RENAPO never assigns")]
    CurpBlocklisted,
    #[error("an RFC has 13 characters (person) or 12 (company)")]
    RfcLength,
    #[error("the RFC does not have the layout of 3-4 letters, 6 digits, 3 characters")]
    RfcFormat,
    #[error("the RFC date is not a calendar date")]
    RfcDate,
    #[error("the RFC starts with a word the SAT never assigns")]
    RfcBlocklisted,
    #[error("a CLABE has exactly 18 digits")]
    ClabeLength,
    #[error("a CLABE has only digits")]
    ClabeNotDigits,
    #[error("the CLABE check digit does not match")]
    ClabeCheckDigit,
    #[error("the CLABE bank code is not a known SPEI participant")]
    ClabeBankUnknown,
}

impl IdError {
    /// Every variant, so translation files can be checked for completeness.
    pub const ALL: [IdError; 18] = [
        IdError::NssLength,
        IdError::NssNotDigits,
        IdError::NssCheckDigit,
        IdError::CurpLength,
        IdError::CurpFormat,
        IdError::CurpDate,
        IdError::CurpSex,
        IdError::CurpState,
        IdError::CurpCheckDigit,
        IdError::CurpBlocklisted,
        IdError::RfcLength,
        IdError::RfcFormat,
        IdError::RfcDate,
        IdError::RfcBlocklisted,
        IdError::ClabeLength,
        IdError::ClabeNotDigits,
        IdError::ClabeCheckDigit,
        IdError::ClabeBankUnknown,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            IdError::NssLength => "nss_length",
            IdError::NssNotDigits => "nss_not_digits",
            IdError::NssCheckDigit => "nss_check_digit",
            IdError::CurpLength => "curp_length",
            IdError::CurpFormat => "curp_format",
            IdError::CurpDate => "curp_date",
            IdError::CurpSex => "curp_sex",
            IdError::CurpState => "curp_state",
            IdError::CurpCheckDigit => "curp_check_digit",
            IdError::CurpBlocklisted => "curp_blocklisted",
            IdError::RfcLength => "rfc_length",
            IdError::RfcFormat => "rfc_format",
            IdError::RfcDate => "rfc_date",
            IdError::RfcBlocklisted => "rfc_blocklisted",
            IdError::ClabeLength => "clabe_length",
            IdError::ClabeNotDigits => "clabe_not_digits",
            IdError::ClabeCheckDigit => "clabe_check_digit",
            IdError::ClabeBankUnknown => "clabe_bank_unknown",
        }
    }
}

/// Something worth telling the member that does not make the identifier invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdWarning {
    /// The RFC homoclave fails the SAT check digit, as about 1.5% of real RFCs do (§15.3).
    RfcCheckDigit,
}

impl IdWarning {
    pub const ALL: [IdWarning; 1] = [IdWarning::RfcCheckDigit];

    pub fn code(&self) -> &'static str {
        match self {
            IdWarning::RfcCheckDigit => "rfc_check_digit_warning",
        }
    }
}

impl fmt::Display for IdWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why trimmed input does not fit a fixed-width identifier.
enum Misfit {
    /// Wrong number of characters.
    Length,
    /// The right number of characters, but some are not ASCII.
    NotAscii,
}

/// Trims surrounding whitespace and uppercases into a fixed array, counting characters (not
/// bytes) so that "ó" in an 18-character CURP is reported as a bad character, not a bad length.
fn fixed_upper<const N: usize>(text: &str) -> Result<[u8; N], Misfit> {
    let text = text.trim();
    match <[u8; N]>::try_from(text.as_bytes()) {
        Ok(mut bytes) if bytes.is_ascii() => {
            bytes.make_ascii_uppercase();
            Ok(bytes)
        }
        _ if text.chars().count() == N => Err(Misfit::NotAscii),
        _ => Err(Misfit::Length),
    }
}

/// The stored bytes as text. Constructors store only validated ASCII or UTF-8, so the fallback is
/// unreachable; it exists because the workspace forbids both `unsafe` and `unwrap`.
fn stored_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

fn digit_value(byte: u8) -> u8 {
    byte.wrapping_sub(b'0')
}

/// Two ASCII digits as a number; callers have checked they are digits.
fn two_digits(tens: u8, ones: u8) -> u8 {
    digit_value(tens) * 10 + digit_value(ones)
}

fn calendar_date(year: i32, month: u8, day: u8) -> Option<Date> {
    let month = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// The ASCII digit for 0–9.
fn ascii_digit(value: u8) -> u8 {
    b'0' + value % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(file: &str) -> Vec<&str> {
        file.lines()
            .filter(|line| !line.starts_with('#') && line.contains(" = "))
            .filter_map(|line| line.split(" = ").next())
            .collect()
    }

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        for file in [
            include_str!("../../../../locales/es-MX/ids.ftl"),
            include_str!("../../../../locales/en/ids.ftl"),
        ] {
            let ids = messages(file);
            let codes: Vec<&str> = IdError::ALL
                .iter()
                .map(IdError::code)
                .chain(IdWarning::ALL.iter().map(IdWarning::code))
                .collect();
            for code in &codes {
                assert!(ids.contains(code), "missing message {code}");
            }
            assert_eq!(ids.len(), codes.len(), "messages without a code: {ids:?}");
        }
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut codes: Vec<&str> = IdError::ALL.iter().map(IdError::code).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), IdError::ALL.len());
    }

    #[test]
    fn fixed_upper_counts_characters() {
        assert!(matches!(fixed_upper::<3>(" abc\t"), Ok(b) if &b == b"ABC"));
        assert!(matches!(fixed_upper::<3>("abó"), Err(Misfit::NotAscii)));
        assert!(matches!(fixed_upper::<3>("ab"), Err(Misfit::Length)));
        assert!(matches!(fixed_upper::<3>("abcd"), Err(Misfit::Length)));
    }
}
