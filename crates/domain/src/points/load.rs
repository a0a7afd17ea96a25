//! Turns the text of each points and credit file into its table, checking the rules the table
//! must keep. Every error names the file and the line; a corrupt table is an error, never a
//! panic or a silently different score.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;

use super::tables::{
    BandVersion, Edge, FactorRule, GridVersion, Param, RateBand, SchemeFactors, SchemeRule,
};
use super::{Factor, Scheme, Unit};
use crate::reference::csv::{self, LastColumn, Row};
use crate::reference::{EffectiveTable, Period, ReferenceError};

pub(super) const SCHEMES: &str = "points_schemes.csv";
pub(super) const BANDS: &str = "points_bands.csv";
pub(super) const AGE_SALARY: &str = "points_age_salary.csv";
pub(super) const RATES: &str = "credit_rates.csv";
pub(super) const PARAMETERS: &str = "credit_parameters.csv";

/// No factor band or minimum is anywhere near this; it catches a misplaced column.
const MOST_POINTS: u32 = 10_000;

pub(super) fn schemes(text: &str) -> Result<EffectiveTable<SchemeRule>, ReferenceError> {
    let columns = &[
        "valid_from",
        "valid_to",
        "scheme",
        "minimum",
        "min_continuous_bimesters",
        "arrears_refuse",
        "estimate",
        "note",
    ];
    let rows = csv::read(SCHEMES, text, columns, LastColumn::FreeText)?;
    let mut periods = Vec::with_capacity(rows.len());
    for row in &rows {
        let rule = SchemeRule {
            scheme: scheme(row)?,
            minimum: whole(row, "minimum")?,
            min_continuous_bimesters: whole(row, "min_continuous_bimesters")?,
            arrears_refuse: row.flag("arrears_refuse")?,
        };
        if rule.minimum == 0 {
            return Err(row.invalid("minimum must be positive"));
        }
        let period = Period {
            from: row.date("valid_from")?,
            to: row.date("valid_to")?,
            value: rule,
            estimate: row.flag("estimate")?,
        };
        periods.push((row.line(), period));
    }
    effective_table(SCHEMES, "points_schemes", periods)
}

/// The one-way bands of every scheme, grouped by scheme, factor and `valid_from`.
pub(super) fn bands(text: &str) -> Result<[SchemeFactors; 3], ReferenceError> {
    let columns = &[
        "scheme",
        "factor",
        "valid_from",
        "unit",
        "from",
        "points",
        "estimate",
        "note",
    ];
    let rows = csv::read(BANDS, text, columns, LastColumn::FreeText)?;
    // (scheme, factor) → (unit, first line, valid_from → edges with their lines)
    type Versions = BTreeMap<Date, Vec<(usize, Edge)>>;
    let mut groups: BTreeMap<(usize, Factor), (Unit, usize, Versions)> = BTreeMap::new();
    for row in &rows {
        let scheme = scheme(row)?;
        let factor_code = row.required("factor")?;
        let factor = Factor::from_code(factor_code)
            .filter(|factor| *factor != Factor::AgeSalary)
            .ok_or_else(|| {
                row.parse_error(format!(
                    "factor `{factor_code}` is not one of age, salary, savings, continuity, worker_type, employer_behaviour, stability, context, credit_bureau, woman_bonus (age_salary has its own file)"
                ))
            })?;
        let unit_code = row.required("unit")?;
        let unit = Unit::from_code(unit_code)
            .ok_or_else(|| row.parse_error(format!("unit `{unit_code}` is not a known unit")))?;
        if !measures(factor, unit) {
            return Err(row.invalid(format!(
                "{} is not measured in {}",
                factor.code(),
                unit.code()
            )));
        }
        let edge = Edge {
            from: scaled(row, "from", unit.decimals())?,
            points: whole(row, "points")?,
            estimate: row.flag("estimate")?,
        };
        let (group_unit, _, versions) = groups
            .entry((scheme.index(), factor))
            .or_insert_with(|| (unit, row.line(), BTreeMap::new()));
        if *group_unit != unit {
            return Err(row.invalid(format!(
                "{} {} is measured in {} on an earlier line, not {}",
                scheme.code(),
                factor.code(),
                group_unit.code(),
                unit.code()
            )));
        }
        versions
            .entry(row.date("valid_from")?)
            .or_default()
            .push((row.line(), edge));
    }

    let mut all: [SchemeFactors; 3] = Default::default();
    for ((scheme_index, factor), (unit, _, versions)) in groups {
        let mut rule = FactorRule {
            factor,
            unit,
            versions: Vec::with_capacity(versions.len()),
        };
        for (valid_from, edges) in versions {
            let version = band_version(valid_from, edges, unit)?;
            rule.versions.push(version);
        }
        if let Some(scheme) = all.get_mut(scheme_index) {
            scheme.factors.push(rule);
        }
    }
    Ok(all)
}

/// Checks one version's edges: increasing, the first at 0.
fn band_version(
    valid_from: Date,
    edges: Vec<(usize, Edge)>,
    unit: Unit,
) -> Result<BandVersion, ReferenceError> {
    let mut previous: Option<i64> = None;
    for (line, edge) in &edges {
        let invalid = |reason: String| ReferenceError::Invalid {
            file: BANDS,
            line: *line,
            reason,
        };
        match previous {
            None if edge.from != 0 => {
                return Err(invalid(format!(
                    "the first band from {valid_from} must start at 0, not {}",
                    Decimal::new(edge.from, unit.decimals())
                )));
            }
            Some(before) if edge.from <= before => {
                return Err(invalid(format!(
                    "band edges must increase: {} comes after {}",
                    Decimal::new(edge.from, unit.decimals()),
                    Decimal::new(before, unit.decimals())
                )));
            }
            _ => {}
        }
        previous = Some(edge.from);
    }
    let edges: Vec<Edge> = edges.into_iter().map(|(_, edge)| edge).collect();
    let max = edges.iter().map(|edge| edge.points).max().unwrap_or(0);
    Ok(BandVersion {
        valid_from,
        edges,
        max,
    })
}

/// Legacy116 table A: every (age, VSM) pair of a version exactly once.
pub(super) fn age_salary(text: &str, all: &mut [SchemeFactors; 3]) -> Result<(), ReferenceError> {
    let columns = &[
        "scheme",
        "valid_from",
        "age_from",
        "vsm_from",
        "points",
        "estimate",
        "note",
    ];
    let rows = csv::read(AGE_SALARY, text, columns, LastColumn::FreeText)?;
    type Cells = BTreeMap<(i64, i64), (usize, u32, bool)>;
    let mut groups: BTreeMap<(usize, Date), Cells> = BTreeMap::new();
    for row in &rows {
        let scheme = scheme(row)?;
        let age = scaled(row, "age_from", Unit::Years.decimals())?;
        let vsm = scaled(row, "vsm_from", Unit::Vsm.decimals())?;
        let cell = (row.line(), whole(row, "points")?, row.flag("estimate")?);
        let cells = groups
            .entry((scheme.index(), row.date("valid_from")?))
            .or_default();
        if let Some((first, _, _)) = cells.insert((age, vsm), cell) {
            return Err(row.invalid(format!(
                "age {age} and vsm {} appear twice (first on line {first})",
                Decimal::new(vsm, 2)
            )));
        }
    }
    for ((scheme_index, valid_from), cells) in groups {
        let last_line = cells.values().map(|(line, _, _)| *line).max().unwrap_or(1);
        let invalid = |reason: String| ReferenceError::Invalid {
            file: AGE_SALARY,
            line: last_line,
            reason,
        };
        let mut ages: Vec<i64> = cells.keys().map(|(age, _)| *age).collect();
        let mut vsm: Vec<i64> = cells.keys().map(|(_, vsm)| *vsm).collect();
        ages.dedup();
        vsm.sort_unstable();
        vsm.dedup();
        if ages.first() != Some(&0) || vsm.first() != Some(&0) {
            return Err(invalid(format!(
                "the table from {valid_from} must have a row at age 0 and a column at vsm 0"
            )));
        }
        let mut points = Vec::with_capacity(ages.len() * vsm.len());
        let mut estimate = Vec::with_capacity(ages.len() * vsm.len());
        for age in &ages {
            for column in &vsm {
                let Some((_, cell_points, cell_estimate)) = cells.get(&(*age, *column)) else {
                    return Err(invalid(format!(
                        "the table from {valid_from} has no cell for age {age} and vsm {}",
                        Decimal::new(*column, 2)
                    )));
                };
                points.push(*cell_points);
                estimate.push(*cell_estimate);
            }
        }
        let max = points.iter().copied().max().unwrap_or(0);
        if let Some(scheme) = all.get_mut(scheme_index) {
            scheme.age_salary.push(GridVersion {
                valid_from,
                ages,
                vsm,
                points,
                estimate,
                max,
            });
        }
    }
    Ok(())
}

/// Every scheme period must have every factor its scheme scores from its first day, and score at
/// least one.
pub(super) fn check_coverage(
    schemes: &EffectiveTable<SchemeRule>,
    factors: &[SchemeFactors; 3],
) -> Result<(), ReferenceError> {
    for period in schemes.periods() {
        let scheme = period.value.scheme;
        let invalid = |reason: String| ReferenceError::Invalid {
            file: SCHEMES,
            line: 1,
            reason,
        };
        let Some(rules) = factors.get(scheme.index()) else {
            continue;
        };
        if rules.factors.is_empty() && rules.age_salary.is_empty() {
            return Err(invalid(format!(
                "{} has no bands in {BANDS} or {AGE_SALARY}",
                scheme.code()
            )));
        }
        let late = |first: Option<Date>| first.is_none_or(|first| first > period.from);
        for rule in &rules.factors {
            if late(rule.versions.first().map(|v| v.valid_from)) {
                return Err(invalid(format!(
                    "{} starts on {} but its {} bands in {BANDS} start later",
                    scheme.code(),
                    period.from,
                    rule.factor.code()
                )));
            }
        }
        if !rules.age_salary.is_empty() && late(rules.age_salary.first().map(|v| v.valid_from)) {
            return Err(invalid(format!(
                "{} starts on {} but its table in {AGE_SALARY} starts later",
                scheme.code(),
                period.from
            )));
        }
    }
    Ok(())
}

/// Rate bands by period: each period's rows share their dates, in increasing salary with rates
/// that never fall.
pub(super) fn rates(text: &str) -> Result<EffectiveTable<Vec<RateBand>>, ReferenceError> {
    let columns = &[
        "valid_from",
        "valid_to",
        "uma_from",
        "uma_to",
        "rate_from",
        "rate_to",
        "estimate",
        "note",
    ];
    let rows = csv::read(RATES, text, columns, LastColumn::FreeText)?;
    let mut periods: Vec<(usize, Period<Vec<RateBand>>)> = Vec::new();
    for row in &rows {
        let (from, to) = (row.date("valid_from")?, row.date("valid_to")?);
        let uma_to = if row.text("uma_to")?.is_empty() {
            None
        } else {
            Some(scaled(row, "uma_to", Unit::UmaMonthly.decimals())?)
        };
        let band = RateBand {
            uma_from: scaled(row, "uma_from", Unit::UmaMonthly.decimals())?,
            uma_to,
            rate_from: rate(row, "rate_from")?,
            rate_to: rate(row, "rate_to")?,
            estimate: row.flag("estimate")?,
        };
        if band.rate_to < band.rate_from || band.uma_to.is_some_and(|to| to < band.uma_from) {
            return Err(row.invalid("a band must not end below where it starts"));
        }
        let same_period = periods
            .last_mut()
            .filter(|(_, period)| period.from == from && period.to == to);
        match same_period {
            Some((_, period)) => {
                let Some(previous) = period.value.last().copied() else {
                    continue;
                };
                let Some(previous_to) = previous.uma_to else {
                    return Err(row.invalid("only the last band of a period may have no uma_to"));
                };
                if band.uma_from <= previous_to || band.rate_from < previous.rate_to {
                    return Err(row.invalid(
                        "bands must follow one another in increasing salary, with rates that never fall",
                    ));
                }
                period.estimate |= band.estimate;
                period.value.push(band);
            }
            None => {
                if band.uma_from != 0 {
                    return Err(row.invalid("the first band of a period must start at 0"));
                }
                let period = Period {
                    from,
                    to,
                    value: vec![band],
                    estimate: band.estimate,
                };
                periods.push((row.line(), period));
            }
        }
    }
    effective_table(RATES, "credit_rates", periods)
}

/// Every parameter of [`Param::ALL`], each its own table of periods.
pub(super) fn parameters(text: &str) -> Result<Vec<EffectiveTable<Decimal>>, ReferenceError> {
    let columns = &[
        "name",
        "valid_from",
        "valid_to",
        "value",
        "estimate",
        "note",
    ];
    let rows = csv::read(PARAMETERS, text, columns, LastColumn::FreeText)?;
    let mut by_name: Vec<Vec<(usize, Period<Decimal>)>> = vec![Vec::new(); Param::ALL.len()];
    for row in &rows {
        let name = row.required("name")?;
        let index = Param::ALL
            .iter()
            .position(|param| param.code() == name)
            .ok_or_else(|| row.parse_error(format!("`{name}` is not a credit parameter")))?;
        let value = row.decimal("value")?;
        if value < Decimal::ZERO {
            return Err(row.invalid(format!("{name} {value} must not be negative")));
        }
        let period = Period {
            from: row.date("valid_from")?,
            to: row.date("valid_to")?,
            value,
            estimate: row.flag("estimate")?,
        };
        if let Some(periods) = by_name.get_mut(index) {
            periods.push((row.line(), period));
        }
    }
    let last_line = rows.last().map_or(1, Row::line);
    Param::ALL
        .into_iter()
        .zip(by_name)
        .map(|(param, periods)| {
            if periods.is_empty() {
                return Err(ReferenceError::Invalid {
                    file: PARAMETERS,
                    line: last_line,
                    reason: format!("the parameter {} is missing", param.code()),
                });
            }
            effective_table(PARAMETERS, param.code(), periods)
        })
        .collect()
}

/// Which units a factor may be measured in.
fn measures(factor: Factor, unit: Unit) -> bool {
    match factor {
        Factor::AgeSalary => false,
        Factor::Age => unit == Unit::Years,
        Factor::Salary => matches!(unit, Unit::UmaMonthly | Unit::Vsm),
        Factor::Savings => matches!(unit, Unit::Pesos | Unit::MonthlySalaries),
        Factor::Continuity => unit == Unit::Bimesters,
        Factor::WorkerType | Factor::EmployerBehaviour | Factor::Stability | Factor::WomanBonus => {
            unit == Unit::Flag
        }
        Factor::Context | Factor::CreditBureau => unit == Unit::Grade,
    }
}

fn scheme(row: &Row<'_>) -> Result<Scheme, ReferenceError> {
    let code = row.required("scheme")?;
    Scheme::from_code(code).ok_or_else(|| {
        row.parse_error(format!(
            "scheme `{code}` is not one of legacy116, t1000, t100"
        ))
    })
}

fn whole(row: &Row<'_>, column: &str) -> Result<u32, ReferenceError> {
    let text = row.required(column)?;
    text.parse::<u32>()
        .ok()
        .filter(|value| *value <= MOST_POINTS)
        .ok_or_else(|| {
            row.parse_error(format!(
                "{column}: `{text}` is not a whole number up to {MOST_POINTS}"
            ))
        })
}

/// A non-negative number with at most `decimals` decimals, as an integer × 10^decimals.
fn scaled(row: &Row<'_>, column: &str, decimals: u32) -> Result<i64, ReferenceError> {
    let value = row.decimal(column)?;
    let scaled = value * Decimal::from(10_i64.pow(decimals));
    if value < Decimal::ZERO || scaled.fract() != Decimal::ZERO {
        return Err(row.invalid(format!(
            "{column} {value} must be a number from 0 with at most {decimals} decimals"
        )));
    }
    scaled
        .to_i64()
        .ok_or_else(|| row.invalid(format!("{column} {value} is too large")))
}

/// A rate written as a decimal fraction, 0 to 1.
fn rate(row: &Row<'_>, column: &str) -> Result<Decimal, ReferenceError> {
    let rate = row.decimal(column)?;
    if rate < Decimal::ZERO || rate > Decimal::ONE {
        return Err(row.invalid(format!(
            "{column} {rate} is not a rate written as a decimal fraction (0.0191 for 1.91%)"
        )));
    }
    Ok(rate)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::{PointsSources, PointsTables};

    fn with(
        change: impl FnOnce(&mut PointsSources<'static>, &'static str),
        text: &str,
    ) -> ReferenceError {
        let text: &'static str = Box::leak(text.to_owned().into_boxed_str());
        let mut sources = PointsTables::embedded_sources();
        change(&mut sources, text);
        PointsTables::parse(&sources).unwrap_err()
    }

    fn line_and_code(err: &ReferenceError) -> (usize, &'static str) {
        match err {
            ReferenceError::Parse { line, .. } | ReferenceError::Invalid { line, .. } => {
                (*line, err.code())
            }
            other => panic!("not a file error: {other}"),
        }
    }

    const BANDS_HEADER: &str = "scheme,factor,valid_from,unit,from,points,estimate,note\n";

    #[test]
    fn the_embedded_tables_parse() {
        let tables = PointsTables::embedded().unwrap();
        assert_eq!(tables.scheme_periods().len(), 3);
    }

    #[test]
    fn corrupt_band_tables_are_errors_on_their_line() {
        let set = |s: &mut PointsSources<'static>, t| s.bands = t;
        let cases = [
            (
                "t1000,age,2021-05-24,years,0,105,false,\nt1000,age,2021-05-24,years,0,118,false,\n",
                3,
                "reference_invalid",
            ),
            (
                "t1000,age,2021-05-24,years,5,105,false,\n",
                2,
                "reference_invalid",
            ),
            (
                "t1000,age,2021-05-24,pesos,0,105,false,\n",
                2,
                "reference_invalid",
            ),
            (
                "t1000,age,2021-05-24,years,0,105,false,\nt1000,age,2022-01-01,bimesters,0,1,false,\n",
                3,
                "reference_invalid",
            ),
            (
                "t2000,age,2021-05-24,years,0,105,false,\n",
                2,
                "reference_parse",
            ),
            (
                "t1000,height,2021-05-24,years,0,105,false,\n",
                2,
                "reference_parse",
            ),
            (
                "t1000,salary,2021-05-24,uma_monthly,0.25,105,false,\n",
                2,
                "reference_invalid",
            ),
            (
                "t1000,age,2021-05-24,years,0,-1,false,\n",
                2,
                "reference_parse",
            ),
        ];
        for (rows, line, code) in cases {
            let err = with(set, &format!("{BANDS_HEADER}{rows}"));
            assert_eq!(line_and_code(&err), (line, code), "{rows}: {err}");
        }
    }

    #[test]
    fn a_factor_that_starts_after_its_scheme_is_an_error() {
        let bands = PointsTables::embedded_sources()
            .bands
            .replace("t100,age,2025-08-18", "t100,age,2025-09-01");
        let err = with(|s, t| s.bands = t, &bands);
        assert!(
            err.to_string()
                .contains("t100 starts on 2025-08-18 but its age bands"),
            "{err}"
        );
    }

    #[test]
    fn table_a_must_be_a_full_grid() {
        let text = PointsTables::embedded_sources()
            .age_salary
            .replace("legacy116,2012-01-01,21,5.3,64,false,\n", "");
        let err = with(|s, t| s.age_salary = t, &text);
        assert!(
            err.to_string().contains("no cell for age 21 and vsm 5.30"),
            "{err}"
        );
        let text = format!(
            "{}legacy116,2012-01-01,21,0,60,false,\n",
            PointsTables::embedded_sources().age_salary
        );
        assert_eq!(
            with(|s, t| s.age_salary = t, &text).code(),
            "reference_invalid"
        );
    }

    #[test]
    fn schemes_must_not_overlap_or_leave_gaps() {
        let text = PointsTables::embedded_sources()
            .schemes
            .replace("2021-05-24,2025-08-17", "2021-05-25,2025-08-17");
        let err = with(|s, t| s.schemes = t, &text);
        assert_eq!(err.code(), "reference_invalid");
        assert!(err.to_string().contains("have no value"), "{err}");
    }

    #[test]
    fn rate_bands_must_rise() {
        let header = "valid_from,valid_to,uma_from,uma_to,rate_from,rate_to,estimate,note\n";
        let set = |s: &mut PointsSources<'static>, t| s.rates = t;
        let falling = format!(
            "{header}2012-01-01,2099-12-31,0,1.4,0.05,0.05,false,\n2012-01-01,2099-12-31,1.5,,0.04,0.04,false,\n"
        );
        assert_eq!(
            line_and_code(&with(set, &falling)),
            (3, "reference_invalid")
        );
        let percent = format!("{header}2012-01-01,2099-12-31,0,,12,12,false,\n");
        assert_eq!(
            line_and_code(&with(set, &percent)),
            (2, "reference_invalid")
        );
        let open_middle = format!(
            "{header}2012-01-01,2099-12-31,0,,0.05,0.05,false,\n2012-01-01,2099-12-31,1.5,,0.06,0.06,false,\n"
        );
        assert_eq!(
            line_and_code(&with(set, &open_middle)),
            (3, "reference_invalid")
        );
    }

    #[test]
    fn every_parameter_must_be_there_and_known() {
        let text = PointsTables::embedded_sources()
            .parameters
            .replace("fee_rate,", "fee_rates,");
        assert_eq!(
            with(|s, t| s.parameters = t, &text).code(),
            "reference_parse"
        );
        let text: String = PointsTables::embedded_sources()
            .parameters
            .lines()
            .filter(|line| !line.starts_with("fee_rate,"))
            .map(|line| format!("{line}\n"))
            .collect();
        let err = with(|s, t| s.parameters = t, &text);
        assert!(
            err.to_string()
                .contains("the parameter fee_rate is missing"),
            "{err}"
        );
    }
}
