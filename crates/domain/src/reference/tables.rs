//! All reference tables together: loaded from the texts of their files, and the lookups the
//! rules use.

use rust_decimal::Decimal;

use super::ReferenceError;
use super::load::{self, BANKS, INFLATION, MINIMUM_WAGE, STATES, UMA, UMI, YIELDS};
use super::table::{EffectiveTable, YearTable};
use super::values::{Banks, InflationYear, MinimumWage, State, Uma, Umi, YearRate, YieldSource};
use crate::registry::StateCode;

/// The files, by name: the app prefers `<data-dir>/<name>` over the built-in copy.
pub const FILE_NAMES: [&str; 7] = [UMA, MINIMUM_WAGE, UMI, INFLATION, YIELDS, STATES, BANKS];

/// The text of each reference file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferenceSources<'a> {
    pub uma: &'a str,
    pub minimum_wage: &'a str,
    pub umi: &'a str,
    pub inflation: &'a str,
    pub yields: &'a str,
    pub states: &'a str,
    pub banks: &'a str,
}

impl<'a> ReferenceSources<'a> {
    /// The text of the file `file_name` (one of [`FILE_NAMES`]).
    pub fn get(&self, file_name: &str) -> Option<&'a str> {
        FILE_NAMES
            .into_iter()
            .zip(self.texts())
            .find_map(|(name, text)| (name == file_name).then_some(text))
    }

    /// Replaces the text of the file `file_name`: how the app puts a fund's corrected copy in
    /// place of the built-in one.
    pub fn set(&mut self, file_name: &str, text: &'a str) -> Result<(), ReferenceError> {
        let slot = match file_name {
            UMA => &mut self.uma,
            MINIMUM_WAGE => &mut self.minimum_wage,
            UMI => &mut self.umi,
            INFLATION => &mut self.inflation,
            YIELDS => &mut self.yields,
            STATES => &mut self.states,
            BANKS => &mut self.banks,
            other => {
                return Err(ReferenceError::UnknownFile {
                    name: other.to_owned(),
                });
            }
        };
        *slot = text;
        Ok(())
    }

    /// The texts in the order of [`FILE_NAMES`].
    fn texts(&self) -> [&'a str; 7] {
        [
            self.uma,
            self.minimum_wage,
            self.umi,
            self.inflation,
            self.yields,
            self.states,
            self.banks,
        ]
    }
}

/// Every reference table, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceTables {
    pub uma: EffectiveTable<Uma>,
    pub minimum_wage: EffectiveTable<MinimumWage>,
    pub umi: EffectiveTable<Umi>,
    /// December/December inflation and December INPC, by year, with no gaps.
    pub inflation: YearTable<InflationYear>,
    /// The yield credited to the housing subaccount, by year; years may be missing.
    pub yields: YearTable<YearRate>,
    /// The 32 states in INEGI order.
    pub states: Vec<State>,
    pub banks: Banks,
}

impl ReferenceTables {
    /// Parses and validates every file; the first error found is returned.
    pub fn parse(sources: &ReferenceSources<'_>) -> Result<Self, ReferenceError> {
        Ok(ReferenceTables {
            uma: load::uma(sources.uma)?,
            minimum_wage: load::minimum_wage(sources.minimum_wage)?,
            umi: load::umi(sources.umi)?,
            inflation: load::inflation(sources.inflation)?,
            yields: load::yields(sources.yields)?,
            states: load::states(sources.states)?,
            banks: load::banks(sources.banks)?,
        })
    }

    /// The tables built into this release (the repository's `data/` directory).
    pub fn embedded() -> Result<Self, ReferenceError> {
        Self::parse(&Self::embedded_sources())
    }

    pub fn embedded_sources() -> ReferenceSources<'static> {
        ReferenceSources {
            uma: include_str!("../../../../data/uma.csv"),
            minimum_wage: include_str!("../../../../data/minimum_wage.csv"),
            umi: include_str!("../../../../data/umi.csv"),
            inflation: include_str!("../../../../data/inflation.csv"),
            yields: include_str!("../../../../data/yields.csv"),
            states: include_str!("../../../../data/states.csv"),
            banks: include_str!("../../../../data/banks.csv"),
        }
    }

    /// December/December inflation of `year`, as a decimal.
    pub fn inflation(&self, year: i32) -> Result<Decimal, ReferenceError> {
        Ok(self.inflation.value_for(year)?.december_inflation.rate)
    }

    /// The December INPC of `year`.
    pub fn inpc_december(&self, year: i32) -> Result<Decimal, ReferenceError> {
        self.inflation
            .value_for(year)?
            .inpc_december
            .map(|inpc| inpc.value)
            .ok_or_else(|| ReferenceError::Missing {
                table: self.inflation.name(),
                key: year.to_string(),
                column: "inpc_december",
            })
    }

    /// The housing-subaccount yield of `year`: the yield table, else that year's inflation.
    pub fn yield_rate(&self, year: i32) -> Result<(Decimal, YieldSource), ReferenceError> {
        self.yield_for(year)
            .map(|(rate, source)| (rate.rate, source))
    }

    /// As [`Self::yield_rate`], with whether the rate is an estimate. A rate taken from inflation
    /// stands in for a yield that was not published, so it is always an estimate.
    pub fn yield_for(&self, year: i32) -> Result<(YearRate, YieldSource), ReferenceError> {
        if let Some(rate) = self.yields.get(year) {
            return Ok((*rate, YieldSource::Table));
        }
        if let Some(inflation) = self.inflation.get(year) {
            let rate = YearRate {
                rate: inflation.december_inflation.rate,
                estimate: true,
            };
            return Ok((rate, YieldSource::Inflation));
        }
        let firsts = [self.yields.first_year(), self.inflation.first_year()];
        let lasts = [self.yields.last_year(), self.inflation.last_year()];
        let show = |year: Option<i32>| year.map_or_else(String::new, |y| y.to_string());
        Err(ReferenceError::OutOfRange {
            table: self.yields.name(),
            date: year.to_string(),
            first: show(firsts.into_iter().flatten().min()),
            last: show(lasts.into_iter().flatten().max()),
        })
    }

    pub fn state_by_inegi(&self, code: StateCode) -> Option<&State> {
        self.states.iter().find(|state| state.inegi == code)
    }

    /// The state whose CURP code is `code` ("DF" for Ciudad de México). "NE", born abroad, is
    /// not a state.
    pub fn state_by_curp_code(&self, code: &str) -> Option<&State> {
        let code = code.trim();
        self.states
            .iter()
            .find(|state| state.curp_code.eq_ignore_ascii_case(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::BankDirectory;
    use crate::money::Money;
    use proptest::prelude::*;
    use time::macros::date;
    use time::{Date, Duration};

    fn tables() -> ReferenceTables {
        ReferenceTables::embedded().unwrap()
    }

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// At each boundary: the last day of a period and the first day of the next give each their
    /// own value; one day outside either end is an error.
    fn check_every_boundary<T: PartialEq + std::fmt::Debug>(table: &EffectiveTable<T>) {
        let periods = table.periods();
        for (index, period) in periods.iter().enumerate() {
            assert_eq!(
                table.value_on(period.from),
                Ok(&period.value),
                "first day of {index}"
            );
            assert_eq!(
                table.value_on(period.to),
                Ok(&period.value),
                "last day of {index}"
            );
            let day_before = period.from.previous_day().unwrap();
            match index.checked_sub(1).and_then(|i| periods.get(i)) {
                Some(previous) => assert_eq!(table.value_on(day_before), Ok(&previous.value)),
                None => assert_eq!(
                    table.value_on(day_before).unwrap_err().code(),
                    "reference_out_of_range"
                ),
            }
        }
        let day_after = table.last_date().next_day().unwrap();
        assert_eq!(
            table.value_on(day_after).unwrap_err().code(),
            "reference_out_of_range"
        );
    }

    #[test]
    fn the_embedded_tables_parse() {
        let tables = tables();
        assert_eq!(tables.uma.periods().len(), 11);
        assert_eq!(tables.states.len(), 32);
        assert_eq!(tables.banks.len(), 49);
        assert_eq!(tables.inflation.first_year(), Some(1992));
        assert_eq!(tables.inflation.last_year(), Some(2025));
    }

    #[test]
    fn every_boundary_of_every_embedded_table() {
        let tables = tables();
        check_every_boundary(&tables.uma);
        check_every_boundary(&tables.minimum_wage);
        check_every_boundary(&tables.umi);
    }

    #[test]
    fn uma_2026_is_in_force_from_february_2026_to_january_2027() {
        let tables = tables();
        let uma_2026 = Uma {
            daily: money("117.31"),
            monthly: money("3566.22"),
            annual: money("42794.64"),
        };
        assert_eq!(tables.uma.value_on(date!(2026 - 02 - 01)), Ok(&uma_2026));
        assert_eq!(tables.uma.value_on(date!(2027 - 01 - 31)), Ok(&uma_2026));
        assert_eq!(
            tables.uma.value_on(date!(2026 - 01 - 31)).unwrap().daily,
            money("113.14")
        );
        assert_eq!(
            tables.uma.value_on(date!(2016 - 01 - 28)).unwrap().daily,
            money("73.04")
        );
        let err = tables.uma.value_on(date!(2016 - 01 - 27)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uma has no value for 2016-01-27: it covers 2016-01-28 to 2027-01-31"
        );
        assert!(tables.uma.value_on(date!(2027 - 02 - 01)).is_err());
    }

    #[test]
    fn minimum_wage_by_date() {
        let tables = tables();
        let wage = |day: Date| *tables.minimum_wage.value_on(day).unwrap();
        assert_eq!(
            wage(date!(2018 - 12 - 31)),
            MinimumWage {
                general: money("88.36"),
                northern_border: None
            }
        );
        assert_eq!(
            wage(date!(2019 - 01 - 01)),
            MinimumWage {
                general: money("102.68"),
                northern_border: Some(money("176.72"))
            }
        );
        assert_eq!(wage(date!(2017 - 12 - 31)).general, money("80.04"));
        assert_eq!(wage(date!(2012 - 06 - 30)).general, money("62.33"));
        assert_eq!(wage(date!(1995 - 03 - 31)).general, money("16.34"));
        assert_eq!(wage(date!(1995 - 04 - 01)).general, money("18.30"));
        assert_eq!(
            wage(date!(2026 - 12 - 31)).northern_border,
            Some(money("440.87"))
        );
        let old = tables
            .minimum_wage
            .period_on(date!(1999 - 06 - 30))
            .unwrap();
        assert!(old.estimate);
        assert!(
            !tables
                .minimum_wage
                .period_on(date!(2020 - 06 - 30))
                .unwrap()
                .estimate
        );
        assert!(tables.minimum_wage.value_on(date!(1991 - 12 - 31)).is_err());
        assert!(tables.minimum_wage.value_on(date!(2027 - 01 - 01)).is_err());
    }

    #[test]
    fn umi_by_date_and_its_monthly_value() {
        let tables = tables();
        let umi_2020 = tables.umi.period_on(date!(2020 - 06 - 30)).unwrap();
        assert_eq!(umi_2020.value.daily, money("84.55"));
        assert!(!umi_2020.estimate);
        assert!(
            tables
                .umi
                .period_on(date!(2023 - 06 - 30))
                .unwrap()
                .estimate
        );
        let umi_2026 = tables.umi.value_on(date!(2026 - 01 - 01)).unwrap();
        assert_eq!(umi_2026.monthly(), dec("3064.624"));
        assert!(tables.umi.value_on(date!(2015 - 12 - 31)).is_err());
    }

    /// The derived 2017–2019 UMI values must lead to the published 2020 value by the UMA increases.
    #[test]
    fn the_derived_umi_chain_reaches_the_published_2020_value() {
        let tables = tables();
        let umi = |year: i32| {
            tables
                .umi
                .value_on(Date::from_ordinal_date(year, 1).unwrap())
                .unwrap()
                .daily
        };
        for year in 2019..=2020 {
            let raised = umi(year - 1)
                .times(Decimal::ONE + tables.inflation(year - 1).unwrap())
                .unwrap();
            assert_eq!(raised, umi(year), "{year}");
        }
    }

    #[test]
    fn yields_come_from_the_table_or_else_from_inflation() {
        let tables = tables();
        assert_eq!(
            tables.yield_rate(2021),
            Ok((dec("0.0736"), YieldSource::Table))
        );
        assert_eq!(
            tables.yield_rate(2024),
            Ok((dec("0.0421"), YieldSource::Inflation))
        );
        assert_eq!(
            tables.yield_rate(2018),
            Ok((dec("0.0656"), YieldSource::Table))
        );
        assert_eq!(
            tables.yield_rate(1995),
            Ok((dec("0.5197"), YieldSource::Inflation))
        );
        assert!(tables.yield_for(2024).unwrap().0.estimate);
        assert!(!tables.yield_for(2022).unwrap().0.estimate);
        let err = tables.yield_rate(2026).unwrap_err();
        assert_eq!(err.code(), "reference_out_of_range");
        assert_eq!(
            err.to_string(),
            "yields has no value for 2026: it covers 1992 to 2025"
        );
    }

    #[test]
    fn inflation_and_inpc_by_year() {
        let tables = tables();
        assert_eq!(tables.inflation(2021), Ok(dec("0.0736")));
        assert_eq!(tables.inpc_december(2024), Ok(dec("137.949")));
        assert!(
            tables
                .inflation
                .value_for(2024)
                .unwrap()
                .inpc_december
                .unwrap()
                .estimate
        );
        assert!(
            !tables
                .inflation
                .value_for(2024)
                .unwrap()
                .december_inflation
                .estimate
        );
        assert_eq!(
            tables.inpc_december(2025).unwrap(),
            "143.039".parse().unwrap()
        );
        assert!(
            tables
                .inflation
                .value_for(2025)
                .unwrap()
                .inpc_december
                .unwrap()
                .estimate
        );
        assert_eq!(
            tables.inpc_december(2016).unwrap_err().code(),
            "reference_missing"
        );
        assert_eq!(
            tables.inflation(1991).unwrap_err().code(),
            "reference_out_of_range"
        );
        assert_eq!(
            tables.inflation(2026).unwrap_err().code(),
            "reference_out_of_range"
        );
    }

    #[test]
    fn states_by_inegi_number_and_curp_code() {
        let tables = tables();
        let cdmx = tables.state_by_inegi(StateCode(9)).unwrap();
        assert_eq!(
            (
                cdmx.name.as_str(),
                cdmx.curp_code.as_str(),
                cdmx.iso.as_str()
            ),
            ("Ciudad de México", "DF", "MX-CMX")
        );
        assert_eq!(tables.state_by_curp_code("df"), Some(cdmx));
        assert_eq!(tables.state_by_curp_code("ZS").unwrap().iso, "MX-ZAC");
        assert_eq!(tables.state_by_curp_code("NE"), None);
        assert_eq!(tables.state_by_inegi(StateCode(0)), None);
        assert!(
            tables
                .states
                .windows(2)
                .all(|pair| pair[0].inegi < pair[1].inegi)
        );
    }

    #[test]
    fn banks_by_clabe_code() {
        let tables = tables();
        assert_eq!(tables.banks.bank_name("002"), Some("Banamex"));
        assert_eq!(tables.banks.bank_name("646"), Some("STP"));
        assert_eq!(tables.banks.bank_name("000"), None);
    }

    #[test]
    fn a_fund_file_replaces_the_built_in_one_by_name() {
        let corrected = "year,rate,estimate,note\n2024,0.0500,false,published\n";
        let mut sources = ReferenceTables::embedded_sources();
        sources.set("yields.csv", corrected).unwrap();
        assert_eq!(sources.get("yields.csv"), Some(corrected));
        let tables = ReferenceTables::parse(&sources).unwrap();
        assert_eq!(
            tables.yield_rate(2024),
            Ok((dec("0.0500"), YieldSource::Table))
        );
        assert_eq!(
            tables.yield_rate(2021),
            Ok((dec("0.0736"), YieldSource::Inflation))
        );

        let err = sources.set("yield.csv", corrected).unwrap_err();
        assert_eq!(err.code(), "reference_unknown_file");
        for name in FILE_NAMES {
            assert!(sources.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn a_broken_fund_file_is_reported_with_its_name_and_line() {
        let mut sources = ReferenceTables::embedded_sources();
        sources.set("umi.csv", "valid_from,valid_to,daily,estimate,note\n# c\n2020-01-01,2020-12-31,84,55,false,\n").unwrap();
        let err = ReferenceTables::parse(&sources).unwrap_err();
        assert!(
            matches!(
                err,
                ReferenceError::Parse {
                    file: "umi.csv",
                    line: 3,
                    ..
                }
            ),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn every_day_inside_an_embedded_table_has_exactly_one_period(offset in 0i64..20_000) {
            let tables = tables();
            fn check<T: PartialEq + std::fmt::Debug>(table: &EffectiveTable<T>, offset: i64) -> Result<(), TestCaseError> {
                let span = (table.last_date() - table.first_date()).whole_days();
                let day = table.first_date() + Duration::days(offset % (span + 1));
                let matching: Vec<_> = table.entries().filter(|(from, to, _)| *from <= day && day <= *to).collect();
                prop_assert_eq!(matching.len(), 1);
                prop_assert_eq!(table.value_on(day), Ok(matching[0].2));
                Ok(())
            }
            check(&tables.uma, offset)?;
            check(&tables.minimum_wage, offset)?;
            check(&tables.umi, offset)?;
        }
    }
}
