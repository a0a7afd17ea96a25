//! ISO-8601 calendar dates ("2020-06-30"), the form used in files, storage and the API.

use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("date_format")]
pub struct DateError;

impl DateError {
    pub fn code(&self) -> &'static str {
        "date_format"
    }
}

/// Mexico City's offset: UTC−6 all year since daylight saving time ended there in 2022. Dates
/// shown to members and the day rules are applied on are taken in it.
pub const MEXICO_CITY: time::UtcOffset = match time::UtcOffset::from_hms(-6, 0, 0) {
    Ok(offset) => offset,
    Err(_) => time::UtcOffset::UTC,
};

/// The day an instant falls on in Mexico City.
pub fn mexico_city_date(at: time::OffsetDateTime) -> Date {
    at.to_offset(MEXICO_CITY).date()
}

/// Parses exactly `YYYY-MM-DD` into a real calendar date. Hand-written because imports parse
/// millions of dates and the general-purpose parser is several times slower.
pub fn parse_iso(text: &str) -> Result<Date, DateError> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(DateError);
    }
    let num = |range: std::ops::Range<usize>| -> Result<u32, DateError> {
        b[range].iter().try_fold(0u32, |acc, &c| {
            if c.is_ascii_digit() {
                Ok(acc * 10 + u32::from(c - b'0'))
            } else {
                Err(DateError)
            }
        })
    };
    let year = i32::try_from(num(0..4)?).map_err(|_| DateError)?;
    let month = u8::try_from(num(5..7)?).map_err(|_| DateError)?;
    let day = u8::try_from(num(8..10)?).map_err(|_| DateError)?;
    let month = Month::try_from(month).map_err(|_| DateError)?;
    Date::from_calendar_date(year, month, day).map_err(|_| DateError)
}

/// `YYYY-MM-DD`.
pub fn iso(date: Date) -> String {
    IsoDate::new(date).as_str().to_owned()
}

/// A date written as `YYYY-MM-DD` on the stack: storage writes millions of dates and a heap
/// string for each one showed up in the import profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsoDate([u8; 10]);

impl IsoDate {
    /// Years outside 0–9999 are written modulo 10,000; no date in the fund's range is.
    pub fn new(date: Date) -> IsoDate {
        let year = date.year().rem_euclid(10_000) as u32;
        let (month, day) = (u32::from(u8::from(date.month())), u32::from(date.day()));
        let digit = |n: u32| b'0' + (n % 10) as u8;
        IsoDate([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and dashes are ever written.
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
}

/// A date as the integer yyyymmdd, used as a compact period key.
pub fn yyyymmdd(date: Date) -> i32 {
    date.year() * 10_000 + i32::from(u8::from(date.month())) * 100 + i32::from(date.day())
}

/// The last day of `day`'s month.
pub fn last_day_of_month(day: Date) -> Date {
    day.replace_day(day.month().length(day.year()))
        .unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn the_last_day_of_a_month_knows_leap_years() {
        assert_eq!(
            last_day_of_month(date!(2024 - 02 - 10)),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            last_day_of_month(date!(2026 - 02 - 01)),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            last_day_of_month(date!(2026 - 10 - 31)),
            date!(2026 - 10 - 31)
        );
    }

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(parse_iso("2020-06-30"), Ok(date!(2020 - 06 - 30)));
        assert_eq!(parse_iso("2024-02-29"), Ok(date!(2024 - 02 - 29)));
        for bad in [
            "2023-02-29",
            "2020-13-01",
            "2020-6-30",
            "30/06/2020",
            "",
            "2020-06-3x",
        ] {
            assert_eq!(parse_iso(bad), Err(DateError), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn round_trips(days in 0i32..80_000) {
            let d = date!(1900 - 01 - 01) + time::Duration::days(i64::from(days));
            prop_assert_eq!(parse_iso(&iso(d)), Ok(d));
            prop_assert_eq!(yyyymmdd(d) / 10_000, d.year());
        }
    }
}
