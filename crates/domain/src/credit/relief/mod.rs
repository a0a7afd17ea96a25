//! Payment relief (domain.md §10): the 2020 Covid-19 measures, the prórroga for job loss and the
//! payment-protection fund (FPP). The programmes are data ([`ReliefProgrammes`]); a member answers
//! a short questionnaire and [`decide`] grants the measure that applies, with its effect month by
//! month ([`schedule`]), or refuses with a coded reason and, where there is one, the day the
//! member can try again.
//!
//! A grant covers whole calendar months from the month of the decision. Its effect is posted
//! on the credit as movements ([`movements`]): what a fund paid and the interest waived.

mod programmes;
mod schedule;

pub use programmes::{Effect, FILE_NAME, Family, Programme, ReliefProgrammes};
pub use schedule::{ReliefMonth, movements, schedule};

use serde::Serialize;
use time::{Date, Month};

use crate::money::{Money, MoneyError};
use crate::registry::{
    Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditStatus, MemberId,
};

/// Arrears beyond which a prórroga is refused (domain.md §10).
pub const MAX_ARREARS_FOR_PRORROGA: u32 = 3;
/// Months of salaried work the FPP asks for before the job loss.
pub const FPP_MONTHS_WORKED: u32 = 6;
/// Months a member must have been out of work before the FPP pays.
pub const FPP_MONTHS_UNEMPLOYED: u32 = 1;

/// A relief granted on a credit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReliefGrant {
    pub member_id: MemberId,
    pub credit_number: CreditNumber,
    pub programme: String,
    pub family: Family,
    pub effect: Effect,
    /// The first day of the first month covered.
    pub start: Date,
    pub months: u32,
    /// Whether it renews a grant that ended the month before.
    pub renewal: bool,
    /// Whether the employer must stop the payroll discount while it lasts.
    pub suspends_discount: bool,
    pub decided_on: Date,
    /// The balance and the instalment the decision was worked on, so its schedule can be
    /// shown again exactly as it was granted.
    pub balance: Money,
    pub instalment: Money,
}

impl ReliefGrant {
    /// The last day covered.
    pub fn end(&self) -> Date {
        crate::dates::last_day_of_month(months_after(self.start, self.months.saturating_sub(1)))
    }

    pub fn covers(&self, day: Date) -> bool {
        self.start <= day && day <= self.end()
    }

    /// The effect month by month, as it was granted, at the credit's `rate`.
    pub fn months(
        &self,
        programmes: &ReliefProgrammes,
        rate: rust_decimal::Decimal,
    ) -> Result<Vec<ReliefMonth>, MoneyError> {
        let share = programmes
            .row(&self.programme, self.decided_on)
            .map_or(rust_decimal::Decimal::ZERO, |p| p.fund_share);
        schedule(
            self.effect,
            share,
            self.start,
            self.months,
            self.balance,
            rate,
            self.instalment,
        )
    }

    fn last_month(&self) -> i32 {
        month_index(self.start) + self.months as i32 - 1
    }
}

/// The member's situation, as the questionnaire asks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Situation {
    /// I lost my job.
    JobLost,
    /// My employer stopped work (paro técnico), declared by the employer.
    EmployerStopped,
    /// My income fell (including borrowers who pay directly, with no employer).
    IncomeReduced,
    /// None of these.
    NotAffected,
}

impl Situation {
    pub const ALL: [Situation; 4] = [
        Situation::JobLost,
        Situation::EmployerStopped,
        Situation::IncomeReduced,
        Situation::NotAffected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Situation::JobLost => "job_lost",
            Situation::EmployerStopped => "employer_stopped",
            Situation::IncomeReduced => "income_reduced",
            Situation::NotAffected => "not_affected",
        }
    }

    pub fn from_code(code: &str) -> Option<Situation> {
        Situation::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The questionnaire's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Answers {
    pub situation: Situation,
    /// Since when: the job loss, the stoppage or the fall in income.
    pub since: Date,
    /// Covid 2020, job lost: after the insurance, also defer 3 months.
    pub also_defer: bool,
    /// The job ended with a pension or a disability (the FPP does not cover it).
    pub ended_by_pension_or_disability: bool,
}

/// What the system knows about the credit and the borrower.
#[derive(Clone, Copy, Debug)]
pub struct ReliefFacts<'a> {
    pub credit: &'a Credit,
    pub paid_off: bool,
    pub balance: Money,
    pub monthly_payment: Money,
    pub arrears_months: u32,
    /// The registry shows an employment relation open today.
    pub employed_today: bool,
    /// Whole months of salaried work in the registry before `Answers::since`.
    pub months_worked: u32,
    pub movements: &'a [CreditMovement],
    /// Every relief granted on the credit before.
    pub grants: &'a [ReliefGrant],
    pub today: Date,
}

/// Why a relief was refused. Each has a message for the member in the locale files
/// (`relief-refusal-<code>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RefusalReason {
    WindowClosed,
    CreditNotActive,
    CreditVintage,
    NotAffected,
    StillEmployed,
    EventBeforeWindow,
    ReliefActive,
    MonthsUsedUp,
    ConsecutiveLimit,
    OnceEveryYears,
    TooManyArrears,
    PaidAfterJobLoss,
    NotEnoughWork,
    TooSoonUnemployed,
    PensionOrDisability,
    StoppageNotEmployed,
}

impl RefusalReason {
    pub fn code(self) -> &'static str {
        match self {
            RefusalReason::WindowClosed => "window_closed",
            RefusalReason::CreditNotActive => "credit_not_active",
            RefusalReason::CreditVintage => "credit_vintage",
            RefusalReason::NotAffected => "not_affected",
            RefusalReason::StillEmployed => "still_employed",
            RefusalReason::EventBeforeWindow => "event_before_window",
            RefusalReason::ReliefActive => "relief_active",
            RefusalReason::MonthsUsedUp => "months_used_up",
            RefusalReason::ConsecutiveLimit => "consecutive_limit",
            RefusalReason::OnceEveryYears => "once_every_years",
            RefusalReason::TooManyArrears => "too_many_arrears",
            RefusalReason::PaidAfterJobLoss => "paid_after_job_loss",
            RefusalReason::NotEnoughWork => "not_enough_work",
            RefusalReason::TooSoonUnemployed => "too_soon_unemployed",
            RefusalReason::PensionOrDisability => "pension_or_disability",
            RefusalReason::StoppageNotEmployed => "stoppage_not_employed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub reason: RefusalReason,
    /// The first day the member can apply again with a chance, if there is one.
    pub retry_on: Option<Date>,
}

/// A grant about to be made, with its effect month by month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub grant: ReliefGrant,
    pub months: Vec<ReliefMonth>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Decision {
    Granted(Plan),
    Refused(Refusal),
}

fn refuse(reason: RefusalReason, retry_on: Option<Date>) -> Refusal {
    Refusal { reason, retry_on }
}

/// What can be said before the questionnaire: whether the family is open to this credit today
/// (window, vintage, credit state, relief in force, months used). `Ok` holds the rows that may
/// apply; a renewal is always worth asking for when one is due.
pub fn precheck<'p>(
    programmes: &'p ReliefProgrammes,
    family: Family,
    facts: &ReliefFacts<'_>,
) -> Result<Vec<&'p Programme>, Refusal> {
    let today = facts.today;
    if facts.credit.status != CreditStatus::Active || facts.paid_off {
        return Err(refuse(RefusalReason::CreditNotActive, None));
    }
    if let Some(active) = facts.grants.iter().find(|g| g.covers(today)) {
        let next = active.end().next_day();
        return Err(refuse(RefusalReason::ReliefActive, next));
    }
    if renewal_due(programmes, family, facts).is_some() {
        return Ok(Vec::new());
    }
    let of_vintage: Vec<&Programme> = programmes
        .of_family(family)
        .filter(|p| p.covers_credit(facts.credit.originated_on))
        .collect();
    if of_vintage.is_empty() {
        return Err(refuse(RefusalReason::CreditVintage, None));
    }
    let open: Vec<&Programme> = of_vintage
        .iter()
        .copied()
        .filter(|p| p.is_open(today))
        .collect();
    if open.is_empty() {
        let next = of_vintage
            .iter()
            .map(|p| p.open_from)
            .filter(|d| *d > today)
            .min();
        return Err(refuse(RefusalReason::WindowClosed, next));
    }
    // The limits are the family's: every open row of it carries the same ones.
    if let Some(p) = open.first() {
        limits(p, facts)?;
    }
    Ok(open)
}

/// The months the limits of `p` still allow from this month, or why none.
fn limits(p: &Programme, facts: &ReliefFacts<'_>) -> Result<u32, Refusal> {
    let today = facts.today;
    let this_month = month_index(today);
    let family: Vec<&ReliefGrant> = facts
        .grants
        .iter()
        .filter(|g| g.family == p.family)
        .collect();
    if p.once_every_years > 0
        && let Some(last) = family.iter().map(|g| g.start).max()
    {
        let again = months_after(last, p.once_every_years * 12);
        if again > today {
            return Err(refuse(RefusalReason::OnceEveryYears, Some(again)));
        }
    }
    let mut available = p.months;
    if p.max_lifetime > 0 {
        let used: u32 = family.iter().map(|g| g.months).sum();
        if used >= p.max_lifetime {
            return Err(refuse(RefusalReason::MonthsUsedUp, None));
        }
        available = available.min(p.max_lifetime - used);
    }
    if p.max_consecutive > 0 {
        // The run of months of the family that ends the month before this one.
        let mut run = 0u32;
        let mut expected_end = this_month - 1;
        while let Some(g) = family.iter().find(|g| g.last_month() == expected_end) {
            run += g.months;
            expected_end = month_index(g.start) - 1;
        }
        if run >= p.max_consecutive {
            // One month without relief breaks the run: the month after this one.
            return Err(refuse(
                RefusalReason::ConsecutiveLimit,
                Some(month_start(months_after(today, 1))),
            ));
        }
        available = available.min(p.max_consecutive - run);
    }
    Ok(available)
}

/// The grant a renewal of `family` would renew today: one that ended last month, whose
/// programme allows renewals, that has not been renewed as often as allowed.
fn renewal_due<'g>(
    programmes: &ReliefProgrammes,
    family: Family,
    facts: &'g ReliefFacts<'_>,
) -> Option<(&'g ReliefGrant, u32)> {
    let last_month = month_index(facts.today) - 1;
    let ended = facts
        .grants
        .iter()
        .find(|g| g.family == family && g.last_month() == last_month)?;
    let programme = programmes.row(&ended.programme, ended.decided_on)?;
    // Count the renewals in the chain that ends with `ended`.
    let mut renewals = 0u32;
    let mut current = ended;
    while current.renewal {
        renewals += 1;
        let before = month_index(current.start) - 1;
        match facts
            .grants
            .iter()
            .find(|g| g.programme == current.programme && g.last_month() == before)
        {
            Some(g) => current = g,
            None => break,
        }
    }
    (renewals < programme.renewals).then_some((ended, programme.months))
}

/// The automatic decision on a member's application.
pub fn decide(
    programmes: &ReliefProgrammes,
    family: Family,
    facts: &ReliefFacts<'_>,
    answers: &Answers,
) -> Result<Decision, MoneyError> {
    match decide_grant(programmes, family, facts, answers) {
        Ok((programme, months, renewal)) => {
            let start = month_start(facts.today);
            let grant = ReliefGrant {
                member_id: facts.credit.member_id,
                credit_number: facts.credit.credit_number.clone(),
                programme: programme.code.clone(),
                family,
                effect: programme.effect,
                start,
                months,
                renewal,
                suspends_discount: programme.suspends_discount,
                decided_on: facts.today,
                balance: facts.balance,
                instalment: facts.monthly_payment,
            };
            let months = schedule(
                programme.effect,
                programme.fund_share,
                start,
                months,
                facts.balance,
                facts.credit.rate,
                facts.monthly_payment,
            )?;
            Ok(Decision::Granted(Plan { grant, months }))
        }
        Err(refusal) => Ok(Decision::Refused(refusal)),
    }
}

fn decide_grant<'p>(
    programmes: &'p ReliefProgrammes,
    family: Family,
    facts: &ReliefFacts<'_>,
    answers: &Answers,
) -> Result<(&'p Programme, u32, bool), Refusal> {
    let today = facts.today;
    let open = precheck(programmes, family, facts)?;
    if answers.situation == Situation::NotAffected {
        return Err(refuse(RefusalReason::NotAffected, None));
    }
    if let Some((ended, months)) = renewal_due(programmes, family, facts) {
        let programme = programmes
            .row(&ended.programme, ended.decided_on)
            .ok_or(refuse(RefusalReason::WindowClosed, None))?;
        situation_holds(programme, facts, answers)?;
        return Ok((programme, months, true));
    }
    let wanted: Option<&str> = match (family, answers.situation) {
        (Family::Covid2020, Situation::EmployerStopped) => Some("covid_stoppage"),
        (Family::Covid2020, Situation::JobLost) if answers.also_defer => Some("covid_combined"),
        (Family::Covid2020, Situation::JobLost) => Some("covid_unemployment"),
        (Family::Covid2020, _) => Some("covid_deferral"),
        (_, Situation::JobLost) => None,
        _ => return Err(refuse(RefusalReason::NotAffected, None)),
    };
    let programme = open
        .into_iter()
        .find(|p| wanted.is_none_or(|code| p.code == code))
        .ok_or(refuse(RefusalReason::NotAffected, None))?;
    situation_holds(programme, facts, answers)?;
    match family {
        Family::Prorroga => {
            if facts.arrears_months > MAX_ARREARS_FOR_PRORROGA {
                return Err(refuse(RefusalReason::TooManyArrears, None));
            }
            let paid_after = facts.movements.iter().any(|m| {
                m.kind == CreditMovementKind::DirectPayment
                    && m.amount.is_negative()
                    && m.booked_on > answers.since
            });
            if paid_after {
                return Err(refuse(RefusalReason::PaidAfterJobLoss, None));
            }
        }
        Family::ProtectionFund => {
            if answers.ended_by_pension_or_disability {
                return Err(refuse(RefusalReason::PensionOrDisability, None));
            }
            if facts.months_worked < FPP_MONTHS_WORKED {
                return Err(refuse(RefusalReason::NotEnoughWork, None));
            }
            let after = months_after(answers.since, FPP_MONTHS_UNEMPLOYED);
            if after > today {
                return Err(refuse(RefusalReason::TooSoonUnemployed, Some(after)));
            }
        }
        Family::Covid2020 => {}
    }
    let months = limits(programme, facts)?;
    Ok((programme, months, false))
}

/// The answers against the registry and the programme's dates.
fn situation_holds(
    programme: &Programme,
    facts: &ReliefFacts<'_>,
    answers: &Answers,
) -> Result<(), Refusal> {
    let today = facts.today;
    if answers.since > today {
        return Err(refuse(RefusalReason::NotAffected, None));
    }
    if programme
        .event_from
        .is_some_and(|from| answers.since < from)
    {
        return Err(refuse(RefusalReason::EventBeforeWindow, None));
    }
    match answers.situation {
        Situation::JobLost if facts.employed_today => {
            // The registry (IMSS) can lag a month behind a job loss: try again next month,
            // while the programme is open.
            let next = month_start(months_after(today, 1));
            let retry = (next <= programme.open_to).then_some(next);
            Err(refuse(RefusalReason::StillEmployed, retry))
        }
        Situation::EmployerStopped if !facts.employed_today => {
            Err(refuse(RefusalReason::StoppageNotEmployed, None))
        }
        _ => Ok(()),
    }
}

/// Months counted from year 0, January = 0.
fn month_index(d: Date) -> i32 {
    d.year() * 12 + i32::from(u8::from(d.month())) - 1
}

/// How many of the twelve months before `today` a grant stopped the payment in (a deferral, a
/// prórroga: the grants that suspend the payroll discount). No payment was due in them, so they
/// are not arrears.
pub fn excused_months(grants: &[ReliefGrant], today: Date) -> u32 {
    let window_start = month_index(today) - 12;
    let window_end = month_index(today);
    let mut months = std::collections::BTreeSet::new();
    for grant in grants.iter().filter(|g| g.suspends_discount) {
        let first = month_index(grant.start);
        for m in first..first + i32::try_from(grant.months).unwrap_or(0) {
            if m >= window_start && m < window_end {
                months.insert(m);
            }
        }
    }
    u32::try_from(months.len()).unwrap_or(0)
}

/// The first day of `d`'s month.
pub fn month_start(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// The same day `n` months later (the last day of the month when that day does not exist).
pub fn months_after(d: Date, n: u32) -> Date {
    let total = month_index(d) + n as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

#[cfg(test)]
mod tests;
