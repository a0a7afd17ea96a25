//! Turns the text of each reference file into its typed table, checking the rules the table must
//! keep. Every error names the file and the line.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::ReferenceError;
use super::csv::{self, LastColumn, Row};
use super::table::{EffectiveTable, Period, YearTable};
use super::values::{
    Banks, DAYS_PER_MONTH, IndexValue, InflationYear, MinimumWage, State, Uma, Umi, YearRate,
};
use crate::money::Money;
use crate::registry::StateCode;

pub(super) const UMA: &str = "uma.csv";
pub(super) const MINIMUM_WAGE: &str = "minimum_wage.csv";
pub(super) const UMI: &str = "umi.csv";
pub(super) const INFLATION: &str = "inflation.csv";
pub(super) const YIELDS: &str = "yields.csv";
pub(super) const STATES: &str = "states.csv";
pub(super) const BANKS: &str = "banks.csv";

/// Rates are decimal fractions; this range catches a percentage typed as "7.36" while leaving
/// room for the inflation of the 1980s.
const LOWEST_RATE: Decimal = Decimal::from_parts(5, 0, 0, true, 1);
const HIGHEST_RATE: Decimal = Decimal::TWO;

/// How far the ratio of two December INPC values may stray from the published rate: rates are
/// published to 0.01 percentage points.
const INPC_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 4);

pub(super) fn uma(text: &str) -> Result<EffectiveTable<Uma>, ReferenceError> {
    let columns = &[
        "year",
        "valid_from",
        "valid_to",
        "daily",
        "monthly",
        "annual",
    ];
    let rows = csv::read(UMA, text, columns, LastColumn::Plain)?;
    let mut periods = Vec::with_capacity(rows.len());
    for row in &rows {
        let year = row.year("year")?;
        let (from, to) = (row.date("valid_from")?, row.date("valid_to")?);
        let uma = Uma {
            daily: positive(row, "daily")?,
            monthly: row.money("monthly")?,
            annual: row.money("annual")?,
        };
        if year != from.year() {
            return Err(row.invalid(format!("year {year} does not match valid_from {from}")));
        }
        published_product(
            row,
            "monthly",
            uma.monthly,
            "daily × 30.4",
            uma.daily,
            DAYS_PER_MONTH,
        )?;
        published_product(
            row,
            "annual",
            uma.annual,
            "monthly × 12",
            uma.monthly,
            Decimal::from(12),
        )?;
        periods.push((
            row.line(),
            Period {
                from,
                to,
                value: uma,
                estimate: false,
            },
        ));
    }
    effective_table(UMA, "uma", periods)
}

pub(super) fn minimum_wage(text: &str) -> Result<EffectiveTable<MinimumWage>, ReferenceError> {
    let columns = &[
        "valid_from",
        "valid_to",
        "general",
        "northern_border",
        "estimate",
        "note",
    ];
    let rows = csv::read(MINIMUM_WAGE, text, columns, LastColumn::FreeText)?;
    let mut periods = Vec::with_capacity(rows.len());
    for row in &rows {
        let general = positive(row, "general")?;
        let northern_border = row.optional_money("northern_border")?;
        if let Some(border) = northern_border.filter(|border| *border < general) {
            return Err(row.invalid(format!(
                "northern_border {border} is below general {general}: are the columns swapped?"
            )));
        }
        let period = Period {
            from: row.date("valid_from")?,
            to: row.date("valid_to")?,
            value: MinimumWage {
                general,
                northern_border,
            },
            estimate: row.flag("estimate")?,
        };
        periods.push((row.line(), period));
    }
    effective_table(MINIMUM_WAGE, "minimum_wage", periods)
}

pub(super) fn umi(text: &str) -> Result<EffectiveTable<Umi>, ReferenceError> {
    let columns = &["valid_from", "valid_to", "daily", "estimate", "note"];
    let rows = csv::read(UMI, text, columns, LastColumn::FreeText)?;
    let mut periods = Vec::with_capacity(rows.len());
    for row in &rows {
        let period = Period {
            from: row.date("valid_from")?,
            to: row.date("valid_to")?,
            value: Umi {
                daily: positive(row, "daily")?,
            },
            estimate: row.flag("estimate")?,
        };
        periods.push((row.line(), period));
    }
    effective_table(UMI, "umi", periods)
}

/// Years must follow one another without gaps: inflation is published for every year, so a gap
/// is a mistake in the file.
pub(super) fn inflation(text: &str) -> Result<YearTable<InflationYear>, ReferenceError> {
    let columns = &[
        "year",
        "december_inflation",
        "inpc_december",
        "estimate",
        "note",
    ];
    let rows = csv::read(INFLATION, text, columns, LastColumn::FreeText)?;
    let mut years: BTreeMap<i32, InflationYear> = BTreeMap::new();
    let mut previous: Option<(i32, InflationYear)> = None;
    for row in &rows {
        let year = row.year("year")?;
        let rate = rate(row, "december_inflation")?;
        let inpc = row.optional_decimal("inpc_december")?;
        let (rate_estimate, inpc_estimate) = inflation_estimates(row)?;
        if let Some(value) = inpc.filter(|value| *value <= Decimal::ZERO) {
            return Err(row.invalid(format!("inpc_december {value} must be positive")));
        }
        let entry = InflationYear {
            december_inflation: YearRate {
                rate,
                estimate: rate_estimate,
            },
            inpc_december: inpc.map(|value| IndexValue {
                value,
                estimate: inpc_estimate,
            }),
        };
        if let Some((previous_year, previous_entry)) = previous {
            if year != previous_year + 1 {
                return Err(row.invalid(format!(
                    "years must follow one another: expected {}, found {year}",
                    previous_year + 1
                )));
            }
            inpc_matches_rate(row, previous_entry, entry)?;
        }
        years.insert(year, entry);
        previous = Some((year, entry));
    }
    Ok(YearTable::new("inflation", years))
}

/// Years must be in increasing order; a year may be missing (its yield defaults to inflation).
pub(super) fn yields(text: &str) -> Result<YearTable<YearRate>, ReferenceError> {
    let rows = csv::read(
        YIELDS,
        text,
        &["year", "rate", "estimate", "note"],
        LastColumn::FreeText,
    )?;
    let mut years = BTreeMap::new();
    let mut previous: Option<i32> = None;
    for row in &rows {
        let year = row.year("year")?;
        if let Some(previous) = previous.filter(|previous| year <= *previous) {
            return Err(row.invalid(format!(
                "years must be in increasing order: {year} comes after {previous}"
            )));
        }
        years.insert(
            year,
            YearRate {
                rate: rate(row, "rate")?,
                estimate: row.flag("estimate")?,
            },
        );
        previous = Some(year);
    }
    Ok(YearTable::new("yields", years))
}

/// All 32 states, each number, CURP code and ISO code once; returned in INEGI order.
pub(super) fn states(text: &str) -> Result<Vec<State>, ReferenceError> {
    let columns = &["inegi", "name", "curp_code", "iso"];
    let rows = csv::read(STATES, text, columns, LastColumn::Plain)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut states = Vec::with_capacity(rows.len());
    for row in &rows {
        let number = row.required("inegi")?;
        let inegi = number
            .parse::<u8>()
            .ok()
            .and_then(StateCode::new)
            .ok_or_else(|| {
                row.invalid(format!(
                    "inegi `{number}` is not a state number 01–32 (born abroad, NE, is not a state)"
                ))
            })?;
        let curp_code = row.required("curp_code")?;
        if curp_code.len() != 2 || !curp_code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(row.parse_error(format!(
                "curp_code `{curp_code}` is not two capital letters"
            )));
        }
        let iso = row.required("iso")?;
        let iso_suffix = iso.strip_prefix("MX-").unwrap_or_default();
        if !(2..=3).contains(&iso_suffix.len())
            || !iso_suffix.bytes().all(|b| b.is_ascii_uppercase())
        {
            return Err(
                row.parse_error(format!("iso `{iso}` is not an ISO 3166-2 code like MX-CMX"))
            );
        }
        for key in [
            format!("inegi {:02}", inegi.0),
            format!("curp_code {curp_code}"),
            format!("iso {iso}"),
        ] {
            if let Some(first) = seen.insert(key.clone(), row.line()) {
                return Err(row.invalid(format!("{key} appears twice (first on line {first})")));
            }
        }
        let name = row.required("name")?.to_owned();
        states.push(State {
            inegi,
            name,
            curp_code: curp_code.to_owned(),
            iso: iso.to_owned(),
        });
    }
    states.sort_by_key(|state| state.inegi);
    let last_line = rows.last().map_or(1, Row::line);
    for number in 1..=32u8 {
        if !states.iter().any(|state| state.inegi.0 == number) {
            return Err(ReferenceError::Invalid {
                file: STATES,
                line: last_line,
                reason: format!("state {number:02} is missing: the table must list all 32 states"),
            });
        }
    }
    Ok(states)
}

pub(super) fn banks(text: &str) -> Result<Banks, ReferenceError> {
    let rows = csv::read(BANKS, text, &["code", "name"], LastColumn::FreeText)?;
    let mut names = BTreeMap::new();
    let mut lines: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        let code = row.required("code")?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(row.parse_error(format!("code `{code}` is not three digits")));
        }
        if let Some(first) = lines.insert(code, row.line()) {
            return Err(row.invalid(format!("code {code} appears twice (first on line {first})")));
        }
        names.insert(code.to_owned(), row.required("name")?.to_owned());
    }
    Ok(Banks::new(names))
}

/// Builds the table, reporting a period error on the line the period came from.
fn effective_table<T>(
    file: &'static str,
    name: &'static str,
    rows: Vec<(usize, Period<T>)>,
) -> Result<EffectiveTable<T>, ReferenceError> {
    let (lines, periods): (Vec<usize>, Vec<Period<T>>) = rows.into_iter().unzip();
    EffectiveTable::new(name, periods).map_err(|err| ReferenceError::Invalid {
        file,
        line: lines.get(err.index()).copied().unwrap_or(1),
        reason: err.to_string(),
    })
}

fn positive(row: &Row<'_>, column: &str) -> Result<Money, ReferenceError> {
    let amount = row.money(column)?;
    if amount <= Money::ZERO {
        return Err(row.invalid(format!("{column} {amount} must be positive")));
    }
    Ok(amount)
}

/// A published amount must be `base × factor` rounded to the centavo, give or take a centavo.
fn published_product(
    row: &Row<'_>,
    column: &str,
    published: Money,
    formula: &str,
    base: Money,
    factor: Decimal,
) -> Result<(), ReferenceError> {
    let expected = base.times(factor).map_err(|err| row.invalid(err.code()))?;
    if (published.centavos() - expected.centavos()).abs() > 1 {
        return Err(row.invalid(format!(
            "{column} {published} is not {formula} = {expected} (to the centavo)"
        )));
    }
    Ok(())
}

/// A yearly rate written as a decimal fraction.
fn rate(row: &Row<'_>, column: &str) -> Result<Decimal, ReferenceError> {
    let rate = row.decimal(column)?;
    if rate < LOWEST_RATE || rate > HIGHEST_RATE {
        return Err(row.invalid(format!(
            "{column} {rate} is not a rate written as a decimal fraction (0.0736 for 7.36%)"
        )));
    }
    Ok(rate)
}

/// The inflation file's `estimate` column: `false` or empty, `true` (the whole row), or the names
/// of the columns that are estimates, separated by `;`. Returns (rate, INPC).
fn inflation_estimates(row: &Row<'_>) -> Result<(bool, bool), ReferenceError> {
    match row.text("estimate")? {
        "" | "false" => Ok((false, false)),
        "true" => Ok((true, true)),
        names => {
            let (mut rate, mut inpc) = (false, false);
            for name in names.split(';').map(str::trim) {
                match name {
                    "december_inflation" => rate = true,
                    "inpc_december" => inpc = true,
                    other => {
                        return Err(row.parse_error(format!(
                            "estimate: `{other}` is not true, false, december_inflation or inpc_december"
                        )));
                    }
                }
            }
            Ok((rate, inpc))
        }
    }
}

/// When two consecutive Decembers both have an INPC, their ratio is the year's inflation.
fn inpc_matches_rate(
    row: &Row<'_>,
    previous: InflationYear,
    current: InflationYear,
) -> Result<(), ReferenceError> {
    let (Some(before), Some(after)) = (previous.inpc_december, current.inpc_december) else {
        return Ok(());
    };
    let implied = after.value / before.value - Decimal::ONE;
    let rate = current.december_inflation.rate;
    if (implied - rate).abs() > INPC_TOLERANCE {
        return Err(row.invalid(format!(
            "inpc_december {} over the previous {} is a change of {}, not december_inflation {rate}",
            after.value,
            before.value,
            implied.round_dp(4)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UMA_HEADER: &str = "year,valid_from,valid_to,daily,monthly,annual\n";

    fn line_of(err: &ReferenceError) -> usize {
        match err {
            ReferenceError::Parse { line, .. } | ReferenceError::Invalid { line, .. } => *line,
            other => panic!("not a file error: {other}"),
        }
    }

    #[test]
    fn a_malformed_line_gives_its_line_number() {
        let text = format!(
            "# UMA\n{UMA_HEADER}2025,2025-02-01,2026-01-31,113.14,3439.46,41273.52\n\n2026,2026-02-01,2027-01-31,117.31,3,566.22,42794.64\n"
        );
        let err = uma(&text).unwrap_err();
        assert_eq!(err.code(), "reference_parse");
        assert_eq!(line_of(&err), 5);
        assert!(err.to_string().starts_with("uma.csv line 5: "), "{err}");

        let text = format!("{UMA_HEADER}2026,2026-02-31,2027-01-31,117.31,3566.22,42794.64\n");
        assert_eq!(line_of(&uma(&text).unwrap_err()), 2);
    }

    #[test]
    fn uma_monthly_and_annual_must_follow_from_daily() {
        let good = format!("{UMA_HEADER}2026,2026-02-01,2027-01-31,117.31,3566.22,42794.64\n");
        assert!(uma(&good).is_ok());
        let monthly = format!("{UMA_HEADER}2026,2026-02-01,2027-01-31,117.31,3566.52,42798.24\n");
        let err = uma(&monthly).unwrap_err();
        assert_eq!(err.code(), "reference_invalid");
        assert_eq!(
            err.to_string(),
            "uma.csv line 2: monthly 3566.52 is not daily × 30.4 = 3566.22 (to the centavo)"
        );
        let annual = format!("{UMA_HEADER}2026,2026-02-01,2027-01-31,117.31,3566.22,42749.64\n");
        assert_eq!(line_of(&uma(&annual).unwrap_err()), 2);
        let year = format!("{UMA_HEADER}2025,2026-02-01,2027-01-31,117.31,3566.22,42794.64\n");
        assert_eq!(uma(&year).unwrap_err().code(), "reference_invalid");
    }

    #[test]
    fn overlapping_or_gapped_periods_name_the_line_of_the_later_period() {
        let header = "valid_from,valid_to,daily,estimate,note\n";
        let overlap = format!(
            "{header}2020-01-01,2020-12-31,84.55,false,\n# c\n2020-12-01,2021-12-31,87.21,false,\n"
        );
        let err = umi(&overlap).unwrap_err();
        assert_eq!((err.code(), line_of(&err)), ("reference_invalid", 4));
        let gap = format!(
            "{header}2020-01-01,2020-12-30,84.55,false,\n2021-01-01,2021-12-31,87.21,false,\n"
        );
        assert_eq!(line_of(&umi(&gap).unwrap_err()), 3);
        let reversed = format!("{header}2020-12-31,2020-01-01,84.55,false,\n");
        assert_eq!(line_of(&umi(&reversed).unwrap_err()), 2);
    }

    #[test]
    fn minimum_wage_rows_are_checked() {
        let header = "valid_from,valid_to,general,northern_border,estimate,note\n";
        let ok =
            format!("{header}2019-01-01,2019-12-31,102.68,176.72,false,a note, with a comma\n");
        let table = minimum_wage(&ok).unwrap();
        assert_eq!(
            table.periods()[0].value.northern_border,
            Some(Money::from_centavos(17_672))
        );
        let swapped = format!("{header}2019-01-01,2019-12-31,176.72,102.68,false,\n");
        assert_eq!(
            minimum_wage(&swapped).unwrap_err().code(),
            "reference_invalid"
        );
        let zero = format!("{header}2019-01-01,2019-12-31,0,,false,\n");
        assert_eq!(minimum_wage(&zero).unwrap_err().code(), "reference_invalid");
        let flag = format!("{header}2019-01-01,2019-12-31,102.68,,yes,\n");
        assert_eq!(minimum_wage(&flag).unwrap_err().code(), "reference_parse");
    }

    #[test]
    fn inflation_rows_are_checked() {
        let header = "year,december_inflation,inpc_december,estimate,note\n";
        let ok = format!(
            "{header}2023,0.0466,132.373,inpc_december,x\n2024,0.0421,137.949,inpc_december,y\n2025,0.0369,,false,\n"
        );
        let table = inflation(&ok).unwrap();
        let year = table.value_for(2023).unwrap();
        assert!(!year.december_inflation.estimate);
        assert!(year.inpc_december.unwrap().estimate);

        let percent = format!("{header}2024,4.21,,false,\n");
        assert_eq!(inflation(&percent).unwrap_err().code(), "reference_invalid");
        let gap = format!("{header}2023,0.0466,,false,\n2025,0.0369,,false,\n");
        assert_eq!(line_of(&inflation(&gap).unwrap_err()), 3);
        let ratio = format!("{header}2023,0.0466,132.373,false,\n2024,0.0421,137.499,false,\n");
        let err = inflation(&ratio).unwrap_err();
        assert_eq!((err.code(), line_of(&err)), ("reference_invalid", 3));
        let estimate = format!("{header}2023,0.0466,,inpc,\n");
        assert_eq!(inflation(&estimate).unwrap_err().code(), "reference_parse");
    }

    #[test]
    fn yield_years_must_increase() {
        let header = "year,rate,estimate,note\n";
        assert!(
            yields(&format!(
                "{header}2018,0.0656,true,a\n2021,0.0736,false,b\n"
            ))
            .is_ok()
        );
        let repeated = format!("{header}2021,0.0736,false,\n2021,0.0782,false,\n");
        assert_eq!(line_of(&yields(&repeated).unwrap_err()), 3);
    }

    fn all_states() -> String {
        let mut text = String::from("inegi,name,curp_code,iso\n");
        for number in 1..=32u8 {
            let a = char::from(b'A' + number / 26);
            let b = char::from(b'A' + number % 26);
            text.push_str(&format!("{number:02},State {number},{a}{b},MX-{a}{b}X\n"));
        }
        text
    }

    #[test]
    fn states_must_be_the_32_each_once() {
        assert_eq!(states(&all_states()).unwrap().len(), 32);
        let duplicate = all_states().replace("02,State 2,", "01,State 2,");
        let err = states(&duplicate).unwrap_err();
        assert_eq!(
            err.to_string(),
            "states.csv line 3: inegi 01 appears twice (first on line 2)"
        );
        let missing: String = all_states()
            .lines()
            .filter(|line| !line.starts_with("07,"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(states(&missing).unwrap_err().code(), "reference_invalid");
        let abroad = format!("{}00,Born abroad,NE,MX-NEX\n", all_states());
        assert_eq!(line_of(&states(&abroad).unwrap_err()), 34);
        let bad_iso = all_states().replace("MX-AKX", "MEX");
        assert_eq!(states(&bad_iso).unwrap_err().code(), "reference_parse");
    }

    #[test]
    fn bank_codes_are_three_digits_each_once() {
        let ok = banks("code,name\n002,Banamex\n646,STP, Sistema de Transferencias\n").unwrap();
        assert_eq!(ok.name("646"), Some("STP, Sistema de Transferencias"));
        assert_eq!(
            banks("code,name\n02,Banamex\n").unwrap_err().code(),
            "reference_parse"
        );
        let duplicate = banks("code,name\n002,Banamex\n002,Citi\n").unwrap_err();
        assert_eq!(line_of(&duplicate), 3);
    }
}
