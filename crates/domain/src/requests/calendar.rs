//! Business days, the unit service standards are promised in: Monday to Friday, except the
//! mandatory rest days of the Ley Federal del Trabajo, art. 74, and any other closing day the fund
//! adds (an election day, which the electoral laws set each time).
//!
//! Art. 74 as it stands: 1 January; the first Monday of February (for 5 February); the third
//! Monday of March (for 21 March); 1 May; 16 September; the third Monday of November (for 20
//! November); 25 December; and the day the federal executive changes hands, every six years.
//! The Mondays replaced the fixed dates from 2006 (DOF 17 Jan 2006). The change of executive was
//! 1 December until 2018; the 2014 constitutional reform moved it to 1 October from 2024, and
//! art. 74 fraction VII followed (DOF 30 Sep 2024), so 2024 and 2030 rest on 1 October.

use std::collections::BTreeSet;

use time::{Date, Duration, Month, Weekday};

/// The days, besides weekends, on which the service clock does not run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holidays {
    extra: BTreeSet<Date>,
}

/// The `nth` Monday (1-based) of a month.
fn nth_monday(year: i32, month: Month, nth: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let to_monday = (7 + 1 - first.weekday().number_from_monday()) % 7;
    first.checked_add(Duration::days(
        i64::from(to_monday) + 7 * i64::from(nth.checked_sub(1)?),
    ))
}

fn on(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day).ok()
}

impl Holidays {
    /// Only the mandatory rest days of the Ley Federal del Trabajo.
    pub fn federal() -> Holidays {
        Holidays::default()
    }

    /// The federal rest days plus `days` (election days, days the fund closes).
    pub fn with_extra(days: impl IntoIterator<Item = Date>) -> Holidays {
        Holidays {
            extra: days.into_iter().collect(),
        }
    }

    /// The mandatory rest days of art. 74 in `year`, in date order.
    pub fn statutory(year: i32) -> Vec<Date> {
        let mondays = year >= 2006;
        let mut days = vec![
            on(year, Month::January, 1),
            if mondays {
                nth_monday(year, Month::February, 1)
            } else {
                on(year, Month::February, 5)
            },
            if mondays {
                nth_monday(year, Month::March, 3)
            } else {
                on(year, Month::March, 21)
            },
            on(year, Month::May, 1),
            on(year, Month::September, 16),
            if mondays {
                nth_monday(year, Month::November, 3)
            } else {
                on(year, Month::November, 20)
            },
            on(year, Month::December, 25),
        ];
        // 1994, 2000, …, 2018, 2024, 2030: the years a president takes office.
        if year.rem_euclid(6) == 2 {
            days.push(if year >= 2024 {
                on(year, Month::October, 1)
            } else {
                on(year, Month::December, 1)
            });
        }
        let mut days: Vec<Date> = days.into_iter().flatten().collect();
        days.sort_unstable();
        days
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.extra.contains(&date) || Holidays::statutory(date.year()).contains(&date)
    }
}

/// Monday to Friday and not a holiday.
pub fn is_business_day(date: Date, holidays: &Holidays) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.is_holiday(date)
}

/// The date a request filed on `submitted_on` is promised by: the `business_days`-th business
/// day after it. The day of filing does not count, whether or not it is a business day.
pub fn promised_on(submitted_on: Date, business_days: u32, holidays: &Holidays) -> Date {
    let mut day = submitted_on;
    let mut counted = 0;
    while counted < business_days {
        let Some(next) = day.next_day() else {
            return day;
        };
        day = next;
        if is_business_day(day, holidays) {
            counted += 1;
        }
    }
    day
}

/// Business days from `from` (not counted) to `to` (counted); 0 when `to` is not after `from`.
/// `days_elapsed(d, promised_on(d, n, h), h) == n`.
pub fn days_elapsed(from: Date, to: Date, holidays: &Holidays) -> u32 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        let Some(next) = day.next_day() else {
            break;
        };
        day = next;
        if is_business_day(day, holidays) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn the_2026_rest_days_worked_out_by_hand() {
        // 1 Feb 2026 and 1 Mar and 1 Nov 2026 are Sundays, so the Mondays are the 2nd, the 16th
        // and the 16th. 2026 is not a year of a change of president.
        assert_eq!(
            Holidays::statutory(2026),
            [
                date!(2026 - 01 - 01),
                date!(2026 - 02 - 02),
                date!(2026 - 03 - 16),
                date!(2026 - 05 - 01),
                date!(2026 - 09 - 16),
                date!(2026 - 11 - 16),
                date!(2026 - 12 - 25),
            ]
        );
        assert_eq!(
            Holidays::statutory(2025)[1..4],
            [
                date!(2025 - 02 - 03),
                date!(2025 - 03 - 17),
                date!(2025 - 05 - 01)
            ]
        );
    }

    #[test]
    fn the_change_of_president_moved_from_december_to_october_in_2024() {
        assert!(Holidays::statutory(2024).contains(&date!(2024 - 10 - 01)));
        assert!(!Holidays::statutory(2024).contains(&date!(2024 - 12 - 01)));
        assert!(Holidays::statutory(2030).contains(&date!(2030 - 10 - 01)));
        assert!(Holidays::statutory(2018).contains(&date!(2018 - 12 - 01)));
        assert!(Holidays::statutory(2006).contains(&date!(2006 - 12 - 01)));
        for year in [2019, 2023, 2025, 2026, 2029] {
            assert_eq!(Holidays::statutory(year).len(), 7, "{year}");
        }
    }

    #[test]
    fn before_2006_the_rest_days_fell_on_their_dates() {
        let days = Holidays::statutory(2003);
        assert!(days.contains(&date!(2003 - 02 - 05)));
        assert!(days.contains(&date!(2003 - 03 - 21)));
        assert!(days.contains(&date!(2003 - 11 - 20)));
        // Thursday 20 March 2003 plus one business day: Friday the 21st was Juárez's birthday.
        assert_eq!(
            promised_on(date!(2003 - 03 - 20), 1, &Holidays::federal()),
            date!(2003 - 03 - 24)
        );
    }

    #[test]
    fn twenty_business_days_from_wednesday_25_november_2026() {
        let h = Holidays::federal();
        // Nov 26, 27, 30 (3); Dec 1–4 (7); 7–11 (12); 14–18 (17); 21, 22, 23 (20).
        assert_eq!(
            promised_on(date!(2026 - 11 - 25), 20, &h),
            date!(2026 - 12 - 23)
        );
        // Ten more: Dec 24 (21), not the 25th; 28–31 (25), not 1 Jan; Jan 4–8 (30).
        assert_eq!(
            promised_on(date!(2026 - 11 - 25), 30, &h),
            date!(2027 - 01 - 08)
        );
        assert_eq!(
            days_elapsed(date!(2026 - 11 - 25), date!(2026 - 12 - 23), &h),
            20
        );
        assert_eq!(
            days_elapsed(date!(2026 - 11 - 25), date!(2026 - 11 - 29), &h),
            2
        );
        assert_eq!(
            days_elapsed(date!(2026 - 11 - 25), date!(2026 - 11 - 25), &h),
            0
        );
        assert_eq!(
            days_elapsed(date!(2026 - 11 - 25), date!(2026 - 11 - 01), &h),
            0
        );
    }

    #[test]
    fn ten_business_days_around_16_september_and_1_october_2024() {
        let h = Holidays::federal();
        // Friday 13 Sep: Mon 16 is a holiday; 17–20 (4), 23–27 (9), Mon 30 (10).
        assert_eq!(
            promised_on(date!(2024 - 09 - 13), 10, &h),
            date!(2024 - 09 - 30)
        );
        // Friday 20 Sep: 23–27 (5), 30 (6), not Tue 1 Oct; 2–4 (9), Mon 7 (10).
        assert_eq!(
            promised_on(date!(2024 - 09 - 20), 10, &h),
            date!(2024 - 10 - 07)
        );
    }

    #[test]
    fn a_filing_on_a_weekend_or_holiday_counts_from_the_next_business_day() {
        let h = Holidays::federal();
        // Saturday 28 Nov 2026: Mon 30 is the first day.
        assert_eq!(
            promised_on(date!(2026 - 11 - 28), 1, &h),
            date!(2026 - 11 - 30)
        );
        // On 25 Dec 2026 (Friday, a holiday): Mon 28 is the first day.
        assert_eq!(
            promised_on(date!(2026 - 12 - 25), 1, &h),
            date!(2026 - 12 - 28)
        );
        assert_eq!(
            promised_on(date!(2026 - 12 - 25), 0, &h),
            date!(2026 - 12 - 25)
        );
    }

    #[test]
    fn a_day_the_fund_adds_stops_the_clock_too() {
        // 7 June 2026 is a Sunday; suppose the fund closes on Monday 8 June.
        let h = Holidays::with_extra([date!(2026 - 06 - 08)]);
        assert!(!is_business_day(date!(2026 - 06 - 08), &h));
        assert!(is_business_day(date!(2026 - 06 - 08), &Holidays::federal()));
        assert_eq!(
            promised_on(date!(2026 - 06 - 05), 1, &h),
            date!(2026 - 06 - 09)
        );
    }

    proptest! {
        #[test]
        fn elapsed_days_undo_promised_days(start in 0i64..20_000, n in 0u32..300) {
            let h = Holidays::federal();
            let from = date!(2000 - 01 - 01) + Duration::days(start);
            let promised = promised_on(from, n, &h);
            prop_assert_eq!(days_elapsed(from, promised, &h), n);
            prop_assert!(n == 0 || is_business_day(promised, &h));
            // Never fewer calendar days than business days, never more than twice as many
            // plus a long weekend.
            let calendar = (promised - from).whole_days();
            prop_assert!(calendar >= i64::from(n));
            prop_assert!(calendar <= 2 * i64::from(n) + 4);
        }
    }
}
