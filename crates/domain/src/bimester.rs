//! Bimesters: the two-month periods (Jan–Feb … Nov–Dec) in which employers pay contributions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A bimester of a year, 1 (Jan–Feb) to 6 (Nov–Dec). Written "2020-3".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bimester {
    year: i32,
    number: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BimesterError {
    #[error("bimester_format")]
    Format,
    #[error("bimester_number")]
    Number,
}

impl BimesterError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "bimester_format",
            Self::Number => "bimester_number",
        }
    }
}

impl Bimester {
    pub fn new(year: i32, number: u8) -> Result<Self, BimesterError> {
        if !(1..=6).contains(&number) {
            return Err(BimesterError::Number);
        }
        if !(1900..=2200).contains(&year) {
            return Err(BimesterError::Format);
        }
        Ok(Bimester { year, number })
    }

    pub fn containing(date: Date) -> Self {
        let number = (u8::from(date.month()) - 1) / 2 + 1;
        Bimester {
            year: date.year(),
            number,
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u8 {
        self.number
    }

    pub fn first_day(self) -> Date {
        let month = Month::January.nth_next((self.number - 1) * 2);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        self.next().first_day().previous_day().unwrap_or(Date::MIN)
    }

    /// Days in the bimester: 59, 60, 61 or 62.
    pub fn days(self) -> u32 {
        (self.last_day() - self.first_day()).whole_days() as u32 + 1
    }

    pub fn next(self) -> Self {
        if self.number == 6 {
            Bimester {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Bimester {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    pub fn previous(self) -> Self {
        if self.number == 1 {
            Bimester {
                year: self.year - 1,
                number: 6,
            }
        } else {
            Bimester {
                year: self.year,
                number: self.number - 1,
            }
        }
    }

    /// A compact integer key, `year * 10 + number` (20203), used in storage keys.
    pub fn key(self) -> i32 {
        self.year * 10 + i32::from(self.number)
    }

    pub fn from_key(key: i32) -> Result<Self, BimesterError> {
        let number = u8::try_from(key.rem_euclid(10)).map_err(|_| BimesterError::Number)?;
        Bimester::new(key.div_euclid(10), number)
    }

    /// Parses "2020-3" (also "2020-03" and "2020/3").
    pub fn parse(text: &str) -> Result<Self, BimesterError> {
        let text = text.trim();
        let (year, number) = text.split_once(['-', '/']).ok_or(BimesterError::Format)?;
        let year: i32 = year.parse().map_err(|_| BimesterError::Format)?;
        let number: u8 = number.parse().map_err(|_| BimesterError::Format)?;
        Bimester::new(year, number)
    }
}

impl FromStr for Bimester {
    type Err = BimesterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bimester::parse(s)
    }
}

impl fmt::Display for Bimester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.year, self.number)
    }
}

impl Serialize for Bimester {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bimester {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Bimester::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn bimesters_cover_the_year() {
        let b = Bimester::containing(date!(2020 - 04 - 30));
        assert_eq!(b.to_string(), "2020-2");
        assert_eq!(b.first_day(), date!(2020 - 03 - 01));
        assert_eq!(b.last_day(), date!(2020 - 04 - 30));
        assert_eq!(Bimester::parse("2020-1").unwrap().days(), 60);
        assert_eq!(Bimester::parse("2021-1").unwrap().days(), 59);
        assert_eq!(Bimester::parse("2021-4").unwrap().days(), 62);
        assert_eq!(
            Bimester::parse("2021-6").unwrap().next().to_string(),
            "2022-1"
        );
    }

    #[test]
    fn rejects_bad_bimesters() {
        assert_eq!(Bimester::parse("2020-7"), Err(BimesterError::Number));
        assert_eq!(Bimester::parse("2020-0"), Err(BimesterError::Number));
        assert_eq!(Bimester::parse("2020"), Err(BimesterError::Format));
        assert_eq!(Bimester::parse("abcd-1"), Err(BimesterError::Format));
    }

    proptest! {
        #[test]
        fn key_round_trips_and_days_add_up(year in 1972i32..2100, n in 1u8..=6) {
            let b = Bimester::new(year, n).unwrap();
            prop_assert_eq!(Bimester::from_key(b.key()), Ok(b));
            prop_assert_eq!(b.next().previous(), b);
            prop_assert_eq!(b.last_day().next_day().unwrap(), b.next().first_day());
            prop_assert!((59..=62).contains(&b.days()));
        }
    }
}
