//! The points and credit tables, parsed once from their files into the shapes the evaluation
//! reads without allocating: band edges as integers at each unit's precision.

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::load;
use super::{Factor, PointsError, Scheme, Unit};
use crate::reference::{EffectiveTable, Period, ReferenceError};

/// The files, by name: the app may prefer `<data-dir>/<name>` over the built-in copy.
pub const FILE_NAMES: [&str; 5] = [
    load::SCHEMES,
    load::BANDS,
    load::AGE_SALARY,
    load::RATES,
    load::PARAMETERS,
];

/// The text of each points and credit file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointsSources<'a> {
    pub schemes: &'a str,
    pub bands: &'a str,
    pub age_salary: &'a str,
    pub rates: &'a str,
    pub parameters: &'a str,
}

/// The scheme in force over a period and its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SchemeRule {
    pub scheme: Scheme,
    pub minimum: u32,
    /// Fewer continuous bimesters than this refuses the pre-qualification.
    pub min_continuous_bimesters: u32,
    /// An employer behind on its contributions refuses the pre-qualification.
    pub arrears_refuse: bool,
}

/// One band's lower edge, at the unit's precision (`from` × 10^decimals), and its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    pub from: i64,
    pub points: u32,
    pub estimate: bool,
}

/// A factor's bands from a date on; edges in increasing order, the first at 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BandVersion {
    pub valid_from: Date,
    pub edges: Vec<Edge>,
    pub max: u32,
}

impl BandVersion {
    /// The index of the band `value` falls in: the last edge at or below it.
    pub fn band_of(&self, value: i64) -> usize {
        self.edges
            .iter()
            .rposition(|edge| edge.from <= value)
            .unwrap_or(0)
    }
}

/// A one-way factor of a scheme: its unit and its versions, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FactorRule {
    pub factor: Factor,
    pub unit: Unit,
    pub versions: Vec<BandVersion>,
}

/// A two-way table (Legacy116 table A) from a date on: rows by age, columns by VSM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GridVersion {
    pub valid_from: Date,
    /// Age row edges in years, increasing, the first 0.
    pub ages: Vec<i64>,
    /// VSM column edges in hundredths, increasing, the first 0.
    pub vsm: Vec<i64>,
    /// Row-major: `points[row * vsm.len() + column]`.
    pub points: Vec<u32>,
    pub estimate: Vec<bool>,
    pub max: u32,
}

/// Every factor one scheme scores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SchemeFactors {
    pub age_salary: Vec<GridVersion>,
    /// In the order of [`Factor`].
    pub factors: Vec<FactorRule>,
}

/// The latest version starting on or before `date`.
pub(crate) fn version_on<T>(versions: &[T], date: Date, from: impl Fn(&T) -> Date) -> Option<&T> {
    let index = versions.partition_point(|version| from(version) <= date);
    index.checked_sub(1).and_then(|i| versions.get(i))
}

/// A rate band of the credit: from `uma_from` (tenths of a monthly UMA) the rate runs from
/// `rate_from` to `rate_to` at `uma_to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateBand {
    pub uma_from: i64,
    pub uma_to: Option<i64>,
    pub rate_from: Decimal,
    pub rate_to: Decimal,
    pub estimate: bool,
}

/// The named parameters of `credit_parameters.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Param {
    MaxTermYears,
    AgeLimitMen,
    AgeLimitWomen,
    PaymentShare,
    FeeRate,
    FeeWaiverBelowUma,
    CapTradicional,
    CapUnamos,
    CapCofinavit,
    CofinavitRate,
    T1000ShareAtMinimum,
    T1000FullSharePoints,
    MejoravitMinUmaAnnual,
    MejoravitBoundaryUmaAnnual,
    MejoravitMaxUmaAnnual,
    MejoravitSubaccountShare,
    MejoravitRateLow,
    MejoravitRateHigh,
    MejoravitTermLowYears,
    MejoravitTermHighYears,
}

impl Param {
    pub const ALL: [Param; 20] = [
        Param::MaxTermYears,
        Param::AgeLimitMen,
        Param::AgeLimitWomen,
        Param::PaymentShare,
        Param::FeeRate,
        Param::FeeWaiverBelowUma,
        Param::CapTradicional,
        Param::CapUnamos,
        Param::CapCofinavit,
        Param::CofinavitRate,
        Param::T1000ShareAtMinimum,
        Param::T1000FullSharePoints,
        Param::MejoravitMinUmaAnnual,
        Param::MejoravitBoundaryUmaAnnual,
        Param::MejoravitMaxUmaAnnual,
        Param::MejoravitSubaccountShare,
        Param::MejoravitRateLow,
        Param::MejoravitRateHigh,
        Param::MejoravitTermLowYears,
        Param::MejoravitTermHighYears,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Param::MaxTermYears => "max_term_years",
            Param::AgeLimitMen => "age_limit_men",
            Param::AgeLimitWomen => "age_limit_women",
            Param::PaymentShare => "payment_share",
            Param::FeeRate => "fee_rate",
            Param::FeeWaiverBelowUma => "fee_waiver_below_uma",
            Param::CapTradicional => "cap_tradicional",
            Param::CapUnamos => "cap_unamos",
            Param::CapCofinavit => "cap_cofinavit",
            Param::CofinavitRate => "cofinavit_rate",
            Param::T1000ShareAtMinimum => "t1000_share_at_minimum",
            Param::T1000FullSharePoints => "t1000_full_share_points",
            Param::MejoravitMinUmaAnnual => "mejoravit_min_uma_annual",
            Param::MejoravitBoundaryUmaAnnual => "mejoravit_boundary_uma_annual",
            Param::MejoravitMaxUmaAnnual => "mejoravit_max_uma_annual",
            Param::MejoravitSubaccountShare => "mejoravit_subaccount_share",
            Param::MejoravitRateLow => "mejoravit_rate_low",
            Param::MejoravitRateHigh => "mejoravit_rate_high",
            Param::MejoravitTermLowYears => "mejoravit_term_low_years",
            Param::MejoravitTermHighYears => "mejoravit_term_high_years",
        }
    }
}

/// Every points and credit table, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsTables {
    pub(crate) schemes: EffectiveTable<SchemeRule>,
    /// By [`Scheme::index`].
    pub(crate) factors: [SchemeFactors; 3],
    pub(crate) rates: EffectiveTable<Vec<RateBand>>,
    /// By the order of [`Param::ALL`].
    pub(crate) parameters: Vec<EffectiveTable<Decimal>>,
}

impl PointsTables {
    /// Parses and validates every file; the first error found is returned, naming the file and
    /// the line.
    pub fn parse(sources: &PointsSources<'_>) -> Result<Self, ReferenceError> {
        let schemes = load::schemes(sources.schemes)?;
        let mut factors = load::bands(sources.bands)?;
        load::age_salary(sources.age_salary, &mut factors)?;
        load::check_coverage(&schemes, &factors)?;
        Ok(PointsTables {
            schemes,
            factors,
            rates: load::rates(sources.rates)?,
            parameters: load::parameters(sources.parameters)?,
        })
    }

    /// The tables built into this release (the repository's `data/` directory).
    pub fn embedded() -> Result<Self, ReferenceError> {
        Self::parse(&Self::embedded_sources())
    }

    pub fn embedded_sources() -> PointsSources<'static> {
        PointsSources {
            schemes: include_str!("../../../../data/points_schemes.csv"),
            bands: include_str!("../../../../data/points_bands.csv"),
            age_salary: include_str!("../../../../data/points_age_salary.csv"),
            rates: include_str!("../../../../data/credit_rates.csv"),
            parameters: include_str!("../../../../data/credit_parameters.csv"),
        }
    }

    /// The scheme in force on `date`, with its dates and whether they are estimates.
    pub fn scheme_on(&self, date: Date) -> Result<&Period<SchemeRule>, ReferenceError> {
        self.schemes.period_on(date)
    }

    /// Every scheme period, in date order.
    pub fn scheme_periods(&self) -> &[Period<SchemeRule>] {
        self.schemes.periods()
    }

    pub(crate) fn factors_of(&self, scheme: Scheme) -> &SchemeFactors {
        // The array has one entry per scheme, so the index is always inside it.
        &self.factors[scheme.index()]
    }

    pub(crate) fn param(&self, param: Param, date: Date) -> Result<&Period<Decimal>, PointsError> {
        let index = Param::ALL.iter().position(|p| *p == param).unwrap_or(0);
        let table = self.parameters.get(index).ok_or(PointsError::OutOfRange)?;
        Ok(table.period_on(date)?)
    }

    pub(crate) fn rate_bands(&self, date: Date) -> Result<&[RateBand], ReferenceError> {
        self.rates.value_on(date).map(Vec::as_slice)
    }
}
