//! The two shapes of a reference table: a value that changes on given dates ([`EffectiveTable`])
//! and a value per calendar year ([`YearTable`]). Both answer a lookup outside what they hold
//! with an error, never with a neighbouring value.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use super::ReferenceError;

/// One value and the days it is in force, both ends included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period<T> {
    pub from: Date,
    pub to: Date,
    pub value: T,
    /// The value is derived or from memory rather than from a published source; the data file's
    /// note says how it was obtained.
    pub estimate: bool,
}

/// Periods in date order, with no gaps and no overlaps: every day from the first date to the
/// last has exactly one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectiveTable<T> {
    name: &'static str,
    periods: Vec<Period<T>>,
}

/// Why a list of periods does not make a table. `index` counts periods from 0.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the table has no periods")]
    Empty,
    #[error("the period ends on {to}, before it starts on {from}")]
    Reversed { index: usize, from: Date, to: Date },
    #[error(
        "the period starts on {from}, before the previous period ends on {previous_to} (periods must be in date order and must not overlap)"
    )]
    Overlap {
        index: usize,
        from: Date,
        previous_to: Date,
    },
    #[error(
        "the period starts on {from}, but the previous period ends on {previous_to}: the days between have no value"
    )]
    Gap {
        index: usize,
        from: Date,
        previous_to: Date,
    },
}

impl PeriodError {
    /// The period at fault (0 for an empty table).
    pub fn index(&self) -> usize {
        match self {
            PeriodError::Empty => 0,
            PeriodError::Reversed { index, .. }
            | PeriodError::Overlap { index, .. }
            | PeriodError::Gap { index, .. } => *index,
        }
    }
}

impl<T> EffectiveTable<T> {
    /// Checks that the periods are in order, each well formed, and that each starts the day after
    /// the previous one ends. `name` identifies the table in lookup errors.
    pub fn new(name: &'static str, periods: Vec<Period<T>>) -> Result<Self, PeriodError> {
        if periods.is_empty() {
            return Err(PeriodError::Empty);
        }
        for (index, period) in periods.iter().enumerate() {
            if period.to < period.from {
                return Err(PeriodError::Reversed {
                    index,
                    from: period.from,
                    to: period.to,
                });
            }
            let Some(previous) = index.checked_sub(1).and_then(|i| periods.get(i)) else {
                continue;
            };
            let (from, previous_to) = (period.from, previous.to);
            if from <= previous_to {
                return Err(PeriodError::Overlap {
                    index,
                    from,
                    previous_to,
                });
            }
            if previous_to.next_day() != Some(from) {
                return Err(PeriodError::Gap {
                    index,
                    from,
                    previous_to,
                });
            }
        }
        Ok(EffectiveTable { name, periods })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The value in force on `date`.
    pub fn value_on(&self, date: Date) -> Result<&T, ReferenceError> {
        self.period_on(date).map(|period| &period.value)
    }

    /// The period in force on `date`, with its dates and whether it is an estimate.
    pub fn period_on(&self, date: Date) -> Result<&Period<T>, ReferenceError> {
        let index = self.periods.partition_point(|period| period.to < date);
        self.periods
            .get(index)
            .filter(|period| period.from <= date)
            .ok_or_else(|| ReferenceError::OutOfRange {
                table: self.name,
                date: date.to_string(),
                first: self.first_date().to_string(),
                last: self.last_date().to_string(),
            })
    }

    pub fn first_date(&self) -> Date {
        self.periods.first().map_or(Date::MIN, |period| period.from)
    }

    pub fn last_date(&self) -> Date {
        self.periods.last().map_or(Date::MAX, |period| period.to)
    }

    /// (first day, last day, value) of each period, in date order.
    pub fn entries(&self) -> impl Iterator<Item = (Date, Date, &T)> {
        self.periods
            .iter()
            .map(|period| (period.from, period.to, &period.value))
    }

    pub fn periods(&self) -> &[Period<T>] {
        &self.periods
    }
}

/// Values by calendar year. Years may be missing (a yield not published), so a lookup tells a
/// year outside the table from a year inside it that has no row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct YearTable<T> {
    name: &'static str,
    years: BTreeMap<i32, T>,
}

impl<T> YearTable<T> {
    pub fn new(name: &'static str, years: BTreeMap<i32, T>) -> Self {
        YearTable { name, years }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The row for `year`, if the table has one.
    pub fn get(&self, year: i32) -> Option<&T> {
        self.years.get(&year)
    }

    /// The row for `year`, or why there is none.
    pub fn value_for(&self, year: i32) -> Result<&T, ReferenceError> {
        if let Some(value) = self.years.get(&year) {
            return Ok(value);
        }
        match (self.first_year(), self.last_year()) {
            (Some(first), Some(last)) if (first..=last).contains(&year) => {
                Err(ReferenceError::Missing {
                    table: self.name,
                    key: year.to_string(),
                    column: "year",
                })
            }
            (first, last) => Err(ReferenceError::OutOfRange {
                table: self.name,
                date: year.to_string(),
                first: first.map_or_else(String::new, |y| y.to_string()),
                last: last.map_or_else(String::new, |y| y.to_string()),
            }),
        }
    }

    pub fn first_year(&self) -> Option<i32> {
        self.years.keys().next().copied()
    }

    pub fn last_year(&self) -> Option<i32> {
        self.years.keys().next_back().copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (i32, &T)> {
        self.years.iter().map(|(year, value)| (*year, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    fn period(from: Date, to: Date, value: u32) -> Period<u32> {
        Period {
            from,
            to,
            value,
            estimate: false,
        }
    }

    fn three_years() -> EffectiveTable<u32> {
        EffectiveTable::new(
            "test",
            vec![
                period(date!(2016 - 01 - 28), date!(2017 - 01 - 31), 2016),
                period(date!(2017 - 02 - 01), date!(2018 - 01 - 31), 2017),
                period(date!(2018 - 02 - 01), date!(2019 - 01 - 31), 2018),
            ],
        )
        .unwrap()
    }

    #[test]
    fn finds_the_value_at_every_boundary() {
        let table = three_years();
        assert_eq!(table.value_on(date!(2016 - 01 - 28)), Ok(&2016));
        assert_eq!(table.value_on(date!(2017 - 01 - 31)), Ok(&2016));
        assert_eq!(table.value_on(date!(2017 - 02 - 01)), Ok(&2017));
        assert_eq!(table.value_on(date!(2018 - 01 - 31)), Ok(&2017));
        assert_eq!(table.value_on(date!(2018 - 02 - 01)), Ok(&2018));
        assert_eq!(table.value_on(date!(2019 - 01 - 31)), Ok(&2018));
        assert_eq!(table.first_date(), date!(2016 - 01 - 28));
        assert_eq!(table.last_date(), date!(2019 - 01 - 31));
        assert_eq!(table.entries().count(), 3);
    }

    #[test]
    fn a_date_outside_the_table_is_an_error_that_names_the_range() {
        let table = three_years();
        let before = table.value_on(date!(2016 - 01 - 27)).unwrap_err();
        assert_eq!(
            before,
            ReferenceError::OutOfRange {
                table: "test",
                date: "2016-01-27".to_owned(),
                first: "2016-01-28".to_owned(),
                last: "2019-01-31".to_owned(),
            }
        );
        assert_eq!(before.code(), "reference_out_of_range");
        assert!(table.value_on(date!(2019 - 02 - 01)).is_err());
    }

    #[test]
    fn rejects_empty_reversed_overlapping_and_gapped_periods() {
        let d = |y, m, day| {
            Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), day).unwrap()
        };
        assert_eq!(
            EffectiveTable::<u32>::new("t", vec![]),
            Err(PeriodError::Empty)
        );
        let reversed = vec![period(d(2020, 2, 1), d(2020, 1, 1), 1)];
        assert!(matches!(
            EffectiveTable::new("t", reversed),
            Err(PeriodError::Reversed { index: 0, .. })
        ));
        let overlap = vec![
            period(d(2020, 1, 1), d(2020, 12, 31), 1),
            period(d(2020, 12, 31), d(2021, 12, 31), 2),
        ];
        assert!(matches!(
            EffectiveTable::new("t", overlap),
            Err(PeriodError::Overlap { index: 1, .. })
        ));
        let unsorted = vec![
            period(d(2021, 1, 1), d(2021, 12, 31), 1),
            period(d(2020, 1, 1), d(2020, 12, 31), 2),
        ];
        assert!(matches!(
            EffectiveTable::new("t", unsorted),
            Err(PeriodError::Overlap { index: 1, .. })
        ));
        let gap = vec![
            period(d(2020, 1, 1), d(2020, 12, 30), 1),
            period(d(2021, 1, 1), d(2021, 12, 31), 2),
        ];
        assert!(matches!(
            EffectiveTable::new("t", gap),
            Err(PeriodError::Gap { index: 1, .. })
        ));
    }

    #[test]
    fn a_year_table_tells_a_missing_year_from_one_outside_it() {
        let table = YearTable::new("yields", BTreeMap::from([(2018, 'a'), (2021, 'b')]));
        assert_eq!(table.value_for(2021), Ok(&'b'));
        assert_eq!(
            table.value_for(2019).unwrap_err().code(),
            "reference_missing"
        );
        assert_eq!(
            table.value_for(2022).unwrap_err().code(),
            "reference_out_of_range"
        );
        assert_eq!(
            table.value_for(2017).unwrap_err().code(),
            "reference_out_of_range"
        );
    }

    /// A table of consecutive periods with the given lengths in days, starting on `start`.
    fn table_of(start: Date, lengths: &[i64]) -> EffectiveTable<usize> {
        let mut periods = Vec::new();
        let mut from = start;
        for (index, length) in lengths.iter().enumerate() {
            let to = from + Duration::days(length - 1);
            periods.push(Period {
                from,
                to,
                value: index,
                estimate: false,
            });
            from = to.next_day().unwrap();
        }
        EffectiveTable::new("generated", periods).unwrap()
    }

    proptest! {
        #[test]
        fn every_date_inside_the_range_has_exactly_one_period(
            start_offset in 0i64..20_000,
            lengths in proptest::collection::vec(1i64..800, 1..30),
            pick in 0.0f64..1.0,
        ) {
            let table = table_of(date!(1970 - 01 - 01) + Duration::days(start_offset), &lengths);
            let span = (table.last_date() - table.first_date()).whole_days();
            let offset = (pick * (span + 1) as f64) as i64;
            let day = table.first_date() + Duration::days(offset.min(span));
            let matching: Vec<_> = table.entries().filter(|(from, to, _)| *from <= day && day <= *to).collect();
            prop_assert_eq!(matching.len(), 1);
            prop_assert_eq!(table.value_on(day), Ok(matching[0].2));
            prop_assert!(table.value_on(table.first_date().previous_day().unwrap()).is_err());
            prop_assert!(table.value_on(table.last_date().next_day().unwrap()).is_err());
        }
    }
}
