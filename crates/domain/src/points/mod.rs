//! Pre-qualification ("Precalificación y puntos", domain.md §4): the points scheme in force on a
//! date, each factor's points and the band it fell in, the reasons a member is refused, the
//! smallest single change that would reach the minimum, and the credit conditions and products.
//!
//! Everything is a pure function of the member's data, the evaluation date and the tables. The
//! tables are data files (`data/points_*.csv`, `data/credit_*.csv`), compiled in as the default
//! copy and replaceable by a fund without a release; values that were not published are marked
//! as estimates there.

mod credit;
mod evaluate;
mod load;
mod products;
mod tables;
mod what_if;

#[cfg(test)]
mod test_support;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::money::Money;
use crate::reference::ReferenceError;
use crate::registry::Sex;

pub use credit::{Conditions, conditions, rate_for_salary};
pub use evaluate::{age_on, evaluate};
pub use products::{ApplicantOffer, Product, ProductOffer, Unavailable, conditions_for};
pub use tables::{FILE_NAMES, PointsSources, PointsTables, SchemeRule};
pub use what_if::{Change, what_would_it_take};

/// The three scoring schemes the fund has used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Scheme {
    /// Minimum 116 points: age × salary (table A), savings (table B), continuity (table C).
    Legacy116,
    /// Minimum 1,080 points, from about May 2021: worker and employer factors, the credit
    /// bureau; the score sets the share of the maximum credit.
    T1000,
    /// Minimum 100 points, from 18 August 2025: a formal job with six months of contribution.
    T100,
}

impl Scheme {
    pub fn code(self) -> &'static str {
        match self {
            Scheme::Legacy116 => "legacy116",
            Scheme::T1000 => "t1000",
            Scheme::T100 => "t100",
        }
    }

    pub fn from_code(code: &str) -> Option<Scheme> {
        [Scheme::Legacy116, Scheme::T1000, Scheme::T100]
            .into_iter()
            .find(|scheme| scheme.code() == code)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// What a factor scores. The order is the order of the factor table on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Factor {
    /// Legacy116 table A: age and salary together.
    AgeSalary,
    Age,
    Salary,
    /// The housing-subaccount balance.
    Savings,
    /// Continuous bimesters of contribution.
    Continuity,
    /// Permanent or eventual worker.
    WorkerType,
    /// Whether the employer pays its contributions on time.
    EmployerBehaviour,
    /// Whether the employer keeps its staff.
    Stability,
    /// The employer's location and sector.
    Context,
    /// The credit-bureau history.
    CreditBureau,
    /// Mujer Infonavit: 20 points for women.
    WomanBonus,
}

impl Factor {
    pub const ALL: [Factor; 11] = [
        Factor::AgeSalary,
        Factor::Age,
        Factor::Salary,
        Factor::Savings,
        Factor::Continuity,
        Factor::WorkerType,
        Factor::EmployerBehaviour,
        Factor::Stability,
        Factor::Context,
        Factor::CreditBureau,
        Factor::WomanBonus,
    ];

    /// The name in the data files and the API.
    pub fn code(self) -> &'static str {
        match self {
            Factor::AgeSalary => "age_salary",
            Factor::Age => "age",
            Factor::Salary => "salary",
            Factor::Savings => "savings",
            Factor::Continuity => "continuity",
            Factor::WorkerType => "worker_type",
            Factor::EmployerBehaviour => "employer_behaviour",
            Factor::Stability => "stability",
            Factor::Context => "context",
            Factor::CreditBureau => "credit_bureau",
            Factor::WomanBonus => "woman_bonus",
        }
    }

    pub fn from_code(code: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|factor| factor.code() == code)
    }
}

/// How a factor's value is measured. Every measure is truncated, never rounded up, to its
/// precision ([`Unit::decimals`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Unit {
    /// Age in whole years on the evaluation date.
    Years,
    /// Continuous bimesters of contribution.
    Bimesters,
    /// Subaccount balance in pesos.
    Pesos,
    /// Subaccount balance over the monthly salary, to hundredths.
    MonthlySalaries,
    /// Monthly salary over the monthly UMA in force, to tenths.
    UmaMonthly,
    /// Monthly salary over (daily minimum wage × 30), to hundredths.
    Vsm,
    /// 0 or 1: the factor's condition is met (permanent, up to date, stable, woman).
    Flag,
    /// A grade: context 0–3, credit bureau 0 poor, 1 none, 2 good.
    Grade,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Years,
        Unit::Bimesters,
        Unit::Pesos,
        Unit::MonthlySalaries,
        Unit::UmaMonthly,
        Unit::Vsm,
        Unit::Flag,
        Unit::Grade,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Years => "years",
            Unit::Bimesters => "bimesters",
            Unit::Pesos => "pesos",
            Unit::MonthlySalaries => "monthly_salaries",
            Unit::UmaMonthly => "uma_monthly",
            Unit::Vsm => "vsm",
            Unit::Flag => "flag",
            Unit::Grade => "grade",
        }
    }

    pub fn from_code(code: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.code() == code)
    }

    /// Decimal places the measure keeps.
    pub fn decimals(self) -> u32 {
        match self {
            Unit::Years | Unit::Bimesters | Unit::Flag | Unit::Grade => 0,
            Unit::UmaMonthly => 1,
            Unit::Pesos | Unit::MonthlySalaries | Unit::Vsm => 2,
        }
    }
}

/// The band a member's value fell in. Values are in `unit`; the band holds every value from
/// `from` up to, not including, `to` (the next band's lower edge; `None` for the top band).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Band {
    pub unit: Unit,
    /// The member's value, truncated to the unit's precision.
    pub value: Decimal,
    pub from: Decimal,
    pub to: Option<Decimal>,
}

impl Band {
    /// The highest value inside the band, at the unit's precision ("1.0–2.69"): what a page
    /// shows as the band's upper end.
    pub fn last(&self) -> Option<Decimal> {
        let step = Decimal::new(1, self.unit.decimals());
        self.to.map(|to| to - step)
    }
}

/// One line of the factor table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FactorScore {
    pub factor: Factor,
    pub band: Band,
    /// The age row of a two-way table (Legacy116 table A), where `band` is the salary column.
    pub age_band: Option<Band>,
    pub points: u32,
    /// The most the factor can give under this scheme on this date.
    pub max: u32,
    /// The band's points are an estimate (see the data file's note).
    pub estimate: bool,
}

/// Why a pre-qualification is refused whatever the points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Refusal {
    /// No employment relation with contributions in the previous bimester.
    NotEmployedLastBimester,
    /// The employer did not pay the latest contributions (not under T100).
    EmployerInArrears,
    /// The member already has an active Infonavit credit.
    ActiveCredit,
    /// Fewer continuous bimesters than the scheme requires.
    TooShortContinuity { required: u32, have: u32 },
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotEmployedLastBimester => "not_employed_last_bimester",
            Refusal::EmployerInArrears => "employer_in_arrears",
            Refusal::ActiveCredit => "active_credit",
            Refusal::TooShortContinuity { .. } => "too_short_continuity",
        }
    }

    /// Whether the member can overcome it by changing what the points measure (working longer).
    /// The others need something outside the points: a job, the employer paying, the credit
    /// being paid off.
    pub fn fixable_by_points(self) -> bool {
        matches!(self, Refusal::TooShortContinuity { .. })
    }
}

/// The member's credit-bureau history, as the bureau query the member authorizes reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum CreditHistory {
    Poor,
    /// No history, or the bureau was not queried.
    #[default]
    None,
    Good,
}

/// What the points engine needs to know about a member. The app builds it from the registry
/// (employment relations, the subaccount ledger, credits) and the member's own answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PointsInput {
    /// The day the evaluation is made for: it picks the scheme, the tables and the age.
    pub as_of: Date,
    /// From the registry (checked at login against the member's own answer).
    pub birth_date: Date,
    pub sex: Sex,
    /// The integrated daily wage (SDI) of the current employment relation.
    pub current_daily_wage: Money,
    /// The average integrated daily wage over the last six bimesters.
    pub average_daily_wage_6_bimesters: Money,
    /// The housing-subaccount balance (SCV) that can go into a credit.
    pub savings: Money,
    /// Bimesters of uninterrupted contribution up to the last one, from the employment history.
    pub continuous_bimesters: u32,
    /// The current relation is permanent (planta), not eventual.
    pub permanent_worker: bool,
    /// There was an employment relation with contributions in the previous bimester.
    pub employed_last_bimester: bool,
    /// The employer paid the latest contributions (from the employer payments batch).
    pub employer_up_to_date: bool,
    /// The member has an active Infonavit credit (from the credits registry).
    pub has_active_credit: bool,
    /// The employer keeps its staff (T1000 stability; from the employer's turnover).
    pub employer_stable: bool,
    /// The employer's location and sector, 0 (weakest) to 3 (strongest); from the employer
    /// record. 2 when unknown.
    pub context_grade: u8,
    /// From the credit-bureau query (T1000); `None` when not queried.
    pub credit_history: CreditHistory,
}

/// The result of a pre-qualification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub as_of: Date,
    pub scheme: Scheme,
    /// Age in whole years on `as_of`.
    pub age: u32,
    /// The monthly salary the points and the credit use: 30.4 × the lower of the six-bimester
    /// average and the current daily wage.
    pub monthly_salary: Money,
    /// In the order of [`Factor`].
    pub factors: Vec<FactorScore>,
    pub total: u32,
    pub minimum: u32,
    pub refusals: Vec<Refusal>,
    /// No refusal and the total reaches the minimum.
    pub eligible: bool,
    /// Some rule or band used is an estimate (see the data files).
    pub estimate: bool,
}

impl Evaluation {
    /// Points still missing to reach the minimum.
    pub fn gap(&self) -> u32 {
        self.minimum.saturating_sub(self.total)
    }

    /// The total reaches the minimum and nothing refuses it that more work could fix: what a
    /// "what would it take" change must achieve.
    pub fn reaches_minimum(&self) -> bool {
        self.total >= self.minimum && !self.refusals.iter().any(|r| r.fixable_by_points())
    }

    pub fn score(&self, factor: Factor) -> Option<&FactorScore> {
        self.factors.iter().find(|score| score.factor == factor)
    }
}

/// Why an evaluation or an offer could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    /// A table has no value for the date (a scheme, a band, the UMA, the minimum wage).
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error("the birth date {birth_date} is after the evaluation date {as_of}")]
    BirthAfterDate { birth_date: Date, as_of: Date },
    #[error("{product} takes {expected} applicants, not {found}")]
    Applicants {
        product: &'static str,
        expected: usize,
        found: usize,
    },
    /// An amount outside what the arithmetic can hold.
    #[error("an amount is out of range")]
    OutOfRange,
}

impl PointsError {
    pub fn code(&self) -> &'static str {
        match self {
            PointsError::Reference(err) => err.code(),
            PointsError::BirthAfterDate { .. } => "points_birth_after_date",
            PointsError::Applicants { .. } => "points_applicants",
            PointsError::OutOfRange => "points_out_of_range",
        }
    }
}

/// Money from an exact decimal, rounded half away from zero to the centavo.
fn money(pesos: Decimal) -> Result<Money, PointsError> {
    Money::from_decimal(pesos).map_err(|_| PointsError::OutOfRange)
}
