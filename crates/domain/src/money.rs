//! Money in Mexican pesos, held as whole centavos.
//!
//! Storage and arithmetic use `i64` centavos; the API shows a decimal string ("12345.67"). Rates
//! and factors are `Decimal`; a product of money and a rate is rounded half away from zero to the
//! centavo exactly once, by [`Money::from_decimal`].

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An amount of pesos in centavos. Negative amounts are debits (withdrawals, charges).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount_format")]
    Format,
    #[error("amount_too_many_decimals")]
    TooManyDecimals,
    #[error("amount_out_of_range")]
    OutOfRange,
}

impl MoneyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "amount_format",
            Self::TooManyDecimals => "amount_too_many_decimals",
            Self::OutOfRange => "amount_out_of_range",
        }
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_centavos(centavos: i64) -> Self {
        Money(centavos)
    }

    pub const fn centavos(self) -> i64 {
        self.0
    }

    /// Pesos as Mexican banks print them, on pages and documents alike: "$12,345.67",
    /// "-$80.00".
    pub fn pesos(self) -> String {
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}${grouped}.{:02}", abs % 100)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Rounds a peso amount half away from zero to the centavo: the one rounding the fund applies.
    pub fn from_decimal(pesos: Decimal) -> Result<Self, MoneyError> {
        let rounded = pesos.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let centavos = rounded * Decimal::ONE_HUNDRED;
        centavos.to_i64().map(Money).ok_or(MoneyError::OutOfRange)
    }

    /// This amount times a rate or factor, rounded once to the centavo.
    pub fn times(self, factor: Decimal) -> Result<Self, MoneyError> {
        let product = self
            .to_decimal()
            .checked_mul(factor)
            .ok_or(MoneyError::OutOfRange)?;
        Money::from_decimal(product)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Parses "12345.67", "12345.6", "12345" or "-12.50". At most two decimals; no thousands
    /// separators. Fast path without allocation: imports parse millions of these.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let bytes = text.trim().as_bytes();
        let (negative, digits) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            Some(b'+') => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        if digits.is_empty() {
            return Err(MoneyError::Format);
        }
        let mut whole: i64 = 0;
        let mut cents: i64 = 0;
        let mut decimals = 0u32;
        let mut seen_point = false;
        let mut seen_digit = false;
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    let d = i64::from(b - b'0');
                    if seen_point {
                        decimals += 1;
                        if decimals > 2 {
                            return Err(MoneyError::TooManyDecimals);
                        }
                        cents = cents * 10 + d;
                    } else {
                        whole = whole
                            .checked_mul(10)
                            .and_then(|w| w.checked_add(d))
                            .ok_or(MoneyError::OutOfRange)?;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => return Err(MoneyError::Format),
            }
        }
        if !seen_digit {
            return Err(MoneyError::Format);
        }
        if decimals == 1 {
            cents *= 10;
        }
        let total = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .ok_or(MoneyError::OutOfRange)?;
        Ok(Money(if negative { -total } else { total }))
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

/// Plain decimal form, "-1234.50": the API and CSV representation.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        // Small helper so tests read like amounts without pulling in a macro crate.
        pub fn dec(s: &str) -> rust_decimal::Decimal {
            s.parse().unwrap()
        }
    }

    #[test]
    fn parses_the_api_forms() {
        assert_eq!(Money::parse("12345.67"), Ok(Money(1_234_567)));
        assert_eq!(Money::parse("12345.6"), Ok(Money(1_234_560)));
        assert_eq!(Money::parse("12345"), Ok(Money(1_234_500)));
        assert_eq!(Money::parse("-0.05"), Ok(Money(-5)));
        assert_eq!(Money::parse(" 7.10 "), Ok(Money(710)));
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in [
            "",
            "-",
            ".",
            "1,000.00",
            "12.345",
            "1e3",
            "abc",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(Money::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        assert_eq!(Money::from_decimal(dec("0.005")), Ok(Money(1)));
        assert_eq!(Money::from_decimal(dec("-0.005")), Ok(Money(-1)));
        assert_eq!(Money::from_decimal(dec("0.0049")), Ok(Money(0)));
        assert_eq!(Money(100_000).times(dec("0.0736")), Ok(Money(7_360)));
        assert_eq!(Money(333).times(dec("0.5")), Ok(Money(167)));
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(c in -10_000_000_000_000i64..10_000_000_000_000i64) {
            let m = Money(c);
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m));
        }
    }
}
