//! Service standards: how many business days the fund promises for each kind of request, and the
//! clock that compares a request against its promise.
//!
//! The standards are data (`data/service_standards.csv`), read like the other reference tables:
//! each kind's rows are periods by `valid_from`/`valid_to` without gaps, and a request takes the
//! standard in force on the day it is submitted. A fund changes a promise by dropping a corrected
//! file of the same name in its data directory.

use serde::Serialize;
use time::Date;

use super::RequestKind;
use super::calendar::{self, Holidays};
use crate::reference::csv::{self, LastColumn, Row};
use crate::reference::{EffectiveTable, Period, ReferenceError};

/// The file's name, in `data/` and in a fund's data directory.
pub const FILE_NAME: &str = "service_standards.csv";

/// No promise is anywhere near this; it catches calendar days typed as business days of a year.
const MOST_DAYS: u32 = 250;

/// What the fund promises for one kind of request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceStandard {
    /// Business days from submission to the answer.
    pub business_days: u32,
    /// Business days the fund may add to that, saying so.
    pub extension_days: u32,
}

impl ServiceStandard {
    /// The promised date for a request submitted on `submitted_on`.
    pub fn promised_on(&self, submitted_on: Date, holidays: &Holidays) -> Date {
        calendar::promised_on(submitted_on, self.business_days, holidays)
    }

    /// The latest date, if the fund uses the extension.
    pub fn latest_on(&self, submitted_on: Date, holidays: &Holidays) -> Date {
        calendar::promised_on(
            submitted_on,
            self.business_days + self.extension_days,
            holidays,
        )
    }
}

/// Every kind's standard, by date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceStandards {
    /// In the order of [`RequestKind::ALL`].
    tables: Vec<EffectiveTable<ServiceStandard>>,
}

impl ServiceStandards {
    /// Reads the file's text; every kind must have a standard. Errors name the line.
    pub fn parse(text: &str) -> Result<ServiceStandards, ReferenceError> {
        let columns = &[
            "kind",
            "valid_from",
            "valid_to",
            "business_days",
            "extension_days",
            "estimate",
            "note",
        ];
        let rows = csv::read(FILE_NAME, text, columns, LastColumn::FreeText)?;
        let mut by_kind: Vec<Vec<(usize, Period<ServiceStandard>)>> =
            vec![Vec::new(); RequestKind::ALL.len()];
        for row in &rows {
            let code = row.required("kind")?;
            let index = RequestKind::ALL
                .iter()
                .position(|kind| kind.code() == code)
                .ok_or_else(|| row.parse_error(format!("`{code}` is not a kind of request")))?;
            let business_days = days(row, "business_days")?;
            if business_days == 0 {
                return Err(row.invalid("business_days must be at least 1"));
            }
            let period = Period {
                from: row.date("valid_from")?,
                to: row.date("valid_to")?,
                value: ServiceStandard {
                    business_days,
                    extension_days: days(row, "extension_days")?,
                },
                estimate: row.flag("estimate")?,
            };
            if let Some(periods) = by_kind.get_mut(index) {
                periods.push((row.line(), period));
            }
        }
        let last_line = rows.last().map_or(1, Row::line);
        let tables = RequestKind::ALL
            .into_iter()
            .zip(by_kind)
            .map(|(kind, periods)| {
                if periods.is_empty() {
                    return Err(ReferenceError::Invalid {
                        file: FILE_NAME,
                        line: last_line,
                        reason: format!("the kind {} has no standard", kind.code()),
                    });
                }
                let (lines, periods): (Vec<usize>, Vec<_>) = periods.into_iter().unzip();
                EffectiveTable::new(kind.code(), periods).map_err(|err| ReferenceError::Invalid {
                    file: FILE_NAME,
                    line: lines.get(err.index()).copied().unwrap_or(1),
                    reason: err.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ServiceStandards { tables })
    }

    /// The copy built into this release (the repository's `data/` directory).
    pub fn embedded() -> Result<ServiceStandards, ReferenceError> {
        ServiceStandards::parse(ServiceStandards::embedded_text())
    }

    pub fn embedded_text() -> &'static str {
        include_str!("../../../../data/service_standards.csv")
    }

    /// The standard for `kind` in force on `on`, with its dates and whether it is an estimate.
    pub fn standard(
        &self,
        kind: RequestKind,
        on: Date,
    ) -> Result<&Period<ServiceStandard>, ReferenceError> {
        let index = RequestKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_default();
        match self.tables.get(index) {
            Some(table) => table.period_on(on),
            None => Err(ReferenceError::Missing {
                table: "service_standards",
                key: kind.code().to_owned(),
                column: "business_days",
            }),
        }
    }
}

fn days(row: &Row<'_>, column: &str) -> Result<u32, ReferenceError> {
    let text = row.required(column)?;
    text.parse::<u32>()
        .ok()
        .filter(|days| *days <= MOST_DAYS)
        .ok_or_else(|| {
            row.parse_error(format!(
                "{column}: `{text}` is not a whole number of business days up to {MOST_DAYS}"
            ))
        })
}

/// A request's service-level clock on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceClock {
    pub submitted_on: Date,
    pub promised_on: Date,
    /// The day the clock is read on: today, or the day the request closed.
    pub as_of: Date,
    /// Business days from submission to `as_of`.
    pub business_days_elapsed: u32,
    /// Business days from `as_of` to the promised date; 0 on it and after it.
    pub business_days_left: u32,
    /// Calendar days from submission to `as_of`.
    pub calendar_days_elapsed: u32,
    /// `as_of` is after the promised date.
    pub overdue: bool,
}

impl ServiceClock {
    /// The clock of a request submitted on `submitted_on` and promised for `promised_on`, read
    /// on `as_of` (pass the closing day for a closed request: its clock stopped then).
    pub fn read(
        submitted_on: Date,
        promised_on: Date,
        as_of: Date,
        holidays: &Holidays,
    ) -> ServiceClock {
        let as_of = as_of.max(submitted_on);
        ServiceClock {
            submitted_on,
            promised_on,
            as_of,
            business_days_elapsed: calendar::days_elapsed(submitted_on, as_of, holidays),
            business_days_left: calendar::days_elapsed(as_of, promised_on, holidays),
            calendar_days_elapsed: u32::try_from((as_of - submitted_on).whole_days())
                .unwrap_or_default(),
            overdue: as_of > promised_on,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const HEADER: &str = "kind,valid_from,valid_to,business_days,extension_days,estimate,note\n";

    fn line_of(err: &ReferenceError) -> usize {
        match err {
            ReferenceError::Parse { line, .. } | ReferenceError::Invalid { line, .. } => *line,
            other => panic!("not a file error: {other}"),
        }
    }

    /// One row per kind with the given days, from 2020 on.
    fn every_kind(days: u32) -> String {
        let mut text = HEADER.to_owned();
        for kind in RequestKind::ALL {
            text.push_str(&format!(
                "{},2020-01-01,2099-12-31,{days},5,false,\n",
                kind.code()
            ));
        }
        text
    }

    #[test]
    fn the_embedded_standards_hold_the_published_figures() {
        let standards = ServiceStandards::embedded().unwrap();
        let on = date!(2026 - 11 - 25);
        let letter = standards
            .standard(RequestKind::CancellationLetter, on)
            .unwrap();
        assert_eq!(
            (
                letter.value.business_days,
                letter.value.extension_days,
                letter.estimate
            ),
            (20, 10, false)
        );
        let correction = standards.standard(RequestKind::DataCorrection, on).unwrap();
        assert_eq!(
            (correction.value.business_days, correction.estimate),
            (20, false)
        );
        let refund = standards
            .standard(RequestKind::PensionerRefund, on)
            .unwrap();
        assert_eq!(
            (
                refund.value.business_days,
                refund.value.extension_days,
                refund.estimate
            ),
            (10, 0, false)
        );
        for kind in [
            RequestKind::CreditApplication,
            RequestKind::Deeds,
            RequestKind::OverpaymentRefund,
        ] {
            assert!(
                standards.standard(kind, on).unwrap().estimate,
                "{}",
                kind.code()
            );
        }
        assert_eq!(
            standards
                .standard(RequestKind::Deeds, date!(2019 - 12 - 31))
                .unwrap_err()
                .code(),
            "reference_out_of_range"
        );
    }

    #[test]
    fn a_new_standard_applies_from_its_date() {
        let text = every_kind(20).replace(
            "deeds,2020-01-01,2099-12-31,20,5,false,\n",
            "deeds,2020-01-01,2026-06-30,20,5,false,\n# faster from July\ndeeds,2026-07-01,2099-12-31,15,5,false,a new promise\n",
        );
        let standards = ServiceStandards::parse(&text).unwrap();
        let kind = RequestKind::Deeds;
        let days = |on| standards.standard(kind, on).unwrap().value.business_days;
        assert_eq!(days(date!(2026 - 06 - 30)), 20);
        assert_eq!(days(date!(2026 - 07 - 01)), 15);
    }

    #[test]
    fn a_broken_file_names_its_line() {
        let missing: String = every_kind(20)
            .lines()
            .filter(|l| !l.starts_with("deeds"))
            .map(|l| format!("{l}\n"))
            .collect();
        let err = ServiceStandards::parse(&missing).unwrap_err();
        assert_eq!(err.code(), "reference_invalid");
        assert!(err.to_string().contains("deeds has no standard"), "{err}");

        let unknown = format!(
            "{}appointment,2020-01-01,2099-12-31,5,0,false,\n",
            every_kind(20)
        );
        assert_eq!(line_of(&ServiceStandards::parse(&unknown).unwrap_err()), 8);

        let zero = every_kind(0);
        assert_eq!(
            ServiceStandards::parse(&zero).unwrap_err().code(),
            "reference_invalid"
        );
        let calendar = every_kind(365);
        assert_eq!(line_of(&ServiceStandards::parse(&calendar).unwrap_err()), 2);

        let gap = every_kind(20).replace(
            "deeds,2020-01-01,2099-12-31,20,5,false,\n",
            "deeds,2020-01-01,2025-12-30,20,5,false,\ndeeds,2026-01-01,2099-12-31,15,5,false,\n",
        );
        let err = ServiceStandards::parse(&gap).unwrap_err();
        assert_eq!((err.code(), line_of(&err)), ("reference_invalid", 5));
    }

    #[test]
    fn the_letter_promised_for_23_december_and_at_the_latest_8_january() {
        let standard = ServiceStandard {
            business_days: 20,
            extension_days: 10,
        };
        let h = Holidays::federal();
        let filed = date!(2026 - 11 - 25);
        assert_eq!(standard.promised_on(filed, &h), date!(2026 - 12 - 23));
        assert_eq!(standard.latest_on(filed, &h), date!(2027 - 01 - 08));
    }

    #[test]
    fn the_clock_counts_up_to_the_promise_and_past_it() {
        let h = Holidays::federal();
        let (filed, promised) = (date!(2026 - 11 - 25), date!(2026 - 12 - 23));
        let day_one = ServiceClock::read(filed, promised, date!(2026 - 11 - 26), &h);
        assert_eq!(
            (
                day_one.business_days_elapsed,
                day_one.business_days_left,
                day_one.overdue
            ),
            (1, 19, false)
        );
        let weekend = ServiceClock::read(filed, promised, date!(2026 - 11 - 29), &h);
        assert_eq!(
            (weekend.business_days_elapsed, weekend.calendar_days_elapsed),
            (2, 4)
        );
        let due = ServiceClock::read(filed, promised, promised, &h);
        assert_eq!(
            (
                due.business_days_elapsed,
                due.business_days_left,
                due.overdue
            ),
            (20, 0, false)
        );
        let late = ServiceClock::read(filed, promised, date!(2026 - 12 - 28), &h);
        assert_eq!(
            (
                late.business_days_elapsed,
                late.business_days_left,
                late.overdue
            ),
            (22, 0, true)
        );
        let before = ServiceClock::read(filed, promised, date!(2026 - 11 - 01), &h);
        assert_eq!((before.as_of, before.business_days_elapsed), (filed, 0));
    }
}
