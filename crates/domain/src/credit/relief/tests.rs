use super::*;
use crate::registry::{CreditProduct, Denomination};
use rust_decimal::Decimal;

fn d(s: &str) -> Date {
    crate::dates::parse_iso(s).unwrap()
}

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn credit(originated: &str) -> Credit {
    Credit {
        credit_number: CreditNumber::parse("1901234567").unwrap(),
        member_id: MemberId(1),
        product: CreditProduct::Tradicional,
        denomination: Denomination::Pesos,
        originated_on: d(originated),
        amount: money("600000"),
        amount_vsm: None,
        rate: "0.12".parse().unwrap(),
        term_months: 360,
        status: CreditStatus::Active,
    }
}

fn facts<'a>(credit: &'a Credit, grants: &'a [ReliefGrant], today: &str) -> ReliefFacts<'a> {
    ReliefFacts {
        credit,
        paid_off: false,
        balance: money("500000"),
        monthly_payment: money("6171.68"),
        arrears_months: 0,
        employed_today: false,
        months_worked: 24,
        movements: &[],
        grants,
        today: d(today),
    }
}

fn answers(situation: Situation, since: &str) -> Answers {
    Answers {
        situation,
        since: d(since),
        also_defer: false,
        ended_by_pension_or_disability: false,
    }
}

fn grant(programme: &str, family: Family, start: &str, months: u32, renewal: bool) -> ReliefGrant {
    ReliefGrant {
        member_id: MemberId(1),
        credit_number: CreditNumber::parse("1901234567").unwrap(),
        programme: programme.into(),
        family,
        effect: Effect::Deferral,
        start: d(start),
        months,
        renewal,
        suspends_discount: true,
        decided_on: d(start),
        balance: money("500000"),
        instalment: money("6171.68"),
    }
}

fn programmes() -> ReliefProgrammes {
    ReliefProgrammes::embedded().unwrap()
}

fn granted(decision: Decision) -> Plan {
    match decision {
        Decision::Granted(plan) => plan,
        Decision::Refused(r) => panic!("refused: {r:?}"),
    }
}

fn refused(decision: Decision) -> Refusal {
    match decision {
        Decision::Refused(r) => r,
        Decision::Granted(plan) => panic!("granted: {:?}", plan.grant),
    }
}

fn apply(family: Family, facts: &ReliefFacts<'_>, answers: &Answers) -> Decision {
    decide(&programmes(), family, facts, answers).unwrap()
}

#[test]
fn the_worked_example_covid_insurance_then_deferral() {
    // Balance 500,000.00 at 12 % a year (1 % a month), instalment 6,171.68, both measures from
    // May 2020. Months 1–3 the insurance pays the instalment and no interest is charged:
    //   May:  interest 500,000.00 × 1 % = 5,000.00 waived; fund pays 6,171.68 → 493,828.32
    //   June: interest 493,828.32 × 1 % = 4,938.2832 → 4,938.28 waived; → 487,656.64
    //   July: interest 487,656.64 × 1 % = 4,876.5664 → 4,876.57 waived; → 481,484.96
    // Months 4–6 nothing is due and the balance stays frozen:
    //   Aug–Oct: interest 481,484.96 × 1 % = 4,814.8496 → 4,814.85 waived; → 481,484.96
    let c = credit("2015-03-01");
    let f = facts(&c, &[], "2020-05-10");
    let mut a = answers(Situation::JobLost, "2020-04-02");
    a.also_defer = true;
    let plan = granted(apply(Family::Covid2020, &f, &a));
    assert_eq!(plan.grant.programme, "covid_combined");
    assert_eq!(plan.grant.start, d("2020-05-01"));
    assert_eq!(plan.grant.end(), d("2020-10-31"));
    assert!(plan.grant.suspends_discount);
    let m = &plan.months;
    assert_eq!(m.len(), 6);
    assert_eq!(
        (m[0].interest_waived, m[0].fund_pays, m[0].balance_after),
        (money("5000"), money("6171.68"), money("493828.32"))
    );
    assert_eq!(
        (m[1].interest_waived, m[1].balance_after),
        (money("4938.28"), money("487656.64"))
    );
    assert_eq!(
        (m[2].interest_waived, m[2].balance_after),
        (money("4876.57"), money("481484.96"))
    );
    for month in &m[3..] {
        assert_eq!(month.effect, Effect::Deferral);
        assert_eq!(month.interest_waived, money("4814.85"));
        assert_eq!(month.fund_pays, Money::ZERO);
        assert_eq!(month.borrower_pays, Money::ZERO);
        assert_eq!(month.balance_after, money("481484.96"));
    }
    // Posted: a fund payment and a waiver for each insured month, a waiver for each deferred.
    let posted = movements(&plan.grant, m);
    assert_eq!(posted.len(), 9);
    assert_eq!(posted[0].kind, CreditMovementKind::ReliefPayment);
    assert_eq!(posted[0].amount, money("-6171.68"));
    assert_eq!(posted[0].booked_on, d("2020-05-01"));
    assert_eq!(posted[0].reference, "relief:202005:202005:fund");
    assert_eq!(posted[8].kind, CreditMovementKind::InterestWaiver);
    assert_eq!(posted[8].booked_on, d("2020-10-01"));
    // Shown again from the stored grant, the same months.
    assert_eq!(&plan.grant.months(&programmes(), c.rate).unwrap(), m);
    let total: Money = posted.iter().map(|p| p.amount).sum();
    // 3 × 6,171.68 + 5,000.00 + 4,938.28 + 4,876.57 + 3 × 4,814.85 = 47,774.44
    assert_eq!(total, money("-47774.44"));
}

#[test]
fn the_worked_example_fund_share_and_stoppage_and_prorroga_with_interest() {
    let p = programmes();
    let fpp = p.row("fpp", d("2026-03-01")).unwrap();
    // FPP: the fund pays 90 % of 6,171.68 = 5,554.512 → 5,554.51, the borrower 617.17;
    // interest 5,000.00 is still charged: 500,000 + 5,000 − 6,171.68 = 498,828.32.
    let m = schedule(
        fpp.effect,
        fpp.fund_share,
        d("2026-03-01"),
        6,
        money("500000"),
        "0.12".parse().unwrap(),
        money("6171.68"),
    )
    .unwrap();
    assert_eq!(m.len(), 6);
    assert_eq!(m[0].fund_pays, money("5554.51"));
    assert_eq!(m[0].borrower_pays, money("617.17"));
    assert_eq!(m[0].interest_waived, Money::ZERO);
    assert_eq!(m[0].balance_after, money("498828.32"));
    // Paro técnico: interest waived, the payroll deduction all goes to principal.
    let m = schedule(
        Effect::InterestWaived,
        Decimal::ZERO,
        d("2020-05-01"),
        3,
        money("500000"),
        "0.12".parse().unwrap(),
        money("6171.68"),
    )
    .unwrap();
    assert_eq!(m[0].interest_waived, money("5000"));
    assert_eq!(m[0].borrower_pays, money("6171.68"));
    assert_eq!(m[0].balance_after, money("493828.32"));
    // Prórroga before 2025: nothing due and interest capitalises: 505,000.00, 510,050.00.
    let m = schedule(
        Effect::DeferralWithInterest,
        Decimal::ZERO,
        d("2024-05-01"),
        2,
        money("500000"),
        "0.12".parse().unwrap(),
        money("6171.68"),
    )
    .unwrap();
    assert_eq!(m[1].balance_after, money("510050"));
}

#[test]
fn covid_window_boundaries() {
    let c = credit("2015-03-01");
    let a = answers(Situation::IncomeReduced, "2020-03-20");
    let r = refused(apply(Family::Covid2020, &facts(&c, &[], "2020-04-14"), &a));
    assert_eq!(r.reason, RefusalReason::WindowClosed);
    assert_eq!(r.retry_on, Some(d("2020-04-15")));
    let plan = granted(apply(Family::Covid2020, &facts(&c, &[], "2020-04-15"), &a));
    assert_eq!(plan.grant.programme, "covid_deferral");
    assert_eq!(plan.grant.months, 3);
    granted(apply(Family::Covid2020, &facts(&c, &[], "2020-08-31"), &a));
    let r = refused(apply(Family::Covid2020, &facts(&c, &[], "2020-09-01"), &a));
    assert_eq!((r.reason, r.retry_on), (RefusalReason::WindowClosed, None));
    // The event: from 1 March 2020.
    let before = answers(Situation::IncomeReduced, "2020-02-29");
    let r = refused(apply(
        Family::Covid2020,
        &facts(&c, &[], "2020-05-01"),
        &before,
    ));
    assert_eq!(r.reason, RefusalReason::EventBeforeWindow);
    let first = answers(Situation::IncomeReduced, "2020-03-01");
    granted(apply(
        Family::Covid2020,
        &facts(&c, &[], "2020-05-01"),
        &first,
    ));
}

#[test]
fn covid_measure_follows_the_answers_and_the_registry() {
    let c = credit("1990-01-01");
    let mut f = facts(&c, &[], "2020-05-10");
    let lost = answers(Situation::JobLost, "2020-04-01");
    // Any vintage: a 1990 credit gets the insurance.
    assert_eq!(
        granted(apply(Family::Covid2020, &f, &lost)).grant.programme,
        "covid_unemployment"
    );
    let stopped = answers(Situation::EmployerStopped, "2020-04-01");
    assert_eq!(
        refused(apply(Family::Covid2020, &f, &stopped)).reason,
        RefusalReason::StoppageNotEmployed
    );
    f.employed_today = true;
    let plan = granted(apply(Family::Covid2020, &f, &stopped));
    assert_eq!(plan.grant.programme, "covid_stoppage");
    assert!(!plan.grant.suspends_discount);
    // The registry still shows the job: try again next month, while the window is open.
    let r = refused(apply(Family::Covid2020, &f, &lost));
    assert_eq!(r.reason, RefusalReason::StillEmployed);
    assert_eq!(r.retry_on, Some(d("2020-06-01")));
    f.today = d("2020-08-20");
    let r = refused(apply(Family::Covid2020, &f, &lost));
    assert_eq!((r.reason, r.retry_on), (RefusalReason::StillEmployed, None));
    let not = answers(Situation::NotAffected, "2020-04-01");
    assert_eq!(
        refused(apply(Family::Covid2020, &f, &not)).reason,
        RefusalReason::NotAffected
    );
}

#[test]
fn covid_renewal_in_the_month_after_and_only_once() {
    let c = credit("2015-03-01");
    let a = answers(Situation::JobLost, "2020-04-01");
    let first = [grant(
        "covid_unemployment",
        Family::Covid2020,
        "2020-05-01",
        3,
        false,
    )];
    // While it lasts: refused until the day after it ends.
    let r = refused(apply(
        Family::Covid2020,
        &facts(&c, &first, "2020-07-31"),
        &a,
    ));
    assert_eq!(
        (r.reason, r.retry_on),
        (RefusalReason::ReliefActive, Some(d("2020-08-01")))
    );
    let plan = granted(apply(
        Family::Covid2020,
        &facts(&c, &first, "2020-08-01"),
        &a,
    ));
    assert!(plan.grant.renewal);
    assert_eq!(plan.grant.programme, "covid_unemployment");
    // A renewal is asked for in the month after the benefit ends, even once the window closed.
    let late = [grant(
        "covid_unemployment",
        Family::Covid2020,
        "2020-08-01",
        3,
        false,
    )];
    let plan = granted(apply(
        Family::Covid2020,
        &facts(&c, &late, "2020-11-02"),
        &a,
    ));
    assert!(plan.grant.renewal);
    // Not two months after; and not a second renewal.
    let r = refused(apply(
        Family::Covid2020,
        &facts(&c, &late, "2020-12-01"),
        &a,
    ));
    assert_eq!(r.reason, RefusalReason::WindowClosed);
    let both = [
        grant(
            "covid_unemployment",
            Family::Covid2020,
            "2020-05-01",
            3,
            false,
        ),
        grant(
            "covid_unemployment",
            Family::Covid2020,
            "2020-08-01",
            3,
            true,
        ),
    ];
    let r = refused(apply(
        Family::Covid2020,
        &facts(&c, &both, "2020-11-02"),
        &a,
    ));
    assert_eq!(r.reason, RefusalReason::WindowClosed);
}

#[test]
fn prorroga_months_and_vintage_boundaries() {
    let a = answers(Situation::JobLost, "2026-01-05");
    // Credits granted up to 30 June 1997: 12 months in all.
    let old = credit("1997-06-30");
    let plan = granted(apply(Family::Prorroga, &facts(&old, &[], "2026-02-10"), &a));
    assert_eq!(plan.grant.programme, "prorroga_before_1997");
    assert_eq!(plan.grant.months, 12);
    assert_eq!(plan.grant.effect, Effect::Deferral);
    let used = [grant(
        "prorroga_before_1997",
        Family::Prorroga,
        "2020-01-01",
        12,
        false,
    )];
    let r = refused(apply(
        Family::Prorroga,
        &facts(&old, &used, "2026-02-10"),
        &a,
    ));
    assert_eq!((r.reason, r.retry_on), (RefusalReason::MonthsUsedUp, None));
    // From 1 July 1997: 24 months in all, at most 12 in a row.
    let new = credit("1997-07-01");
    assert_eq!(
        granted(apply(
            Family::Prorroga,
            &facts(&new, &used, "2026-02-10"),
            &a
        ))
        .grant
        .months,
        12
    );
    let run = [grant("prorroga", Family::Prorroga, "2025-02-01", 12, false)];
    let r = refused(apply(
        Family::Prorroga,
        &facts(&new, &run, "2026-02-10"),
        &a,
    ));
    assert_eq!(r.reason, RefusalReason::ConsecutiveLimit);
    assert_eq!(r.retry_on, Some(d("2026-03-01")));
    // One month without it breaks the run.
    let plan = granted(apply(
        Family::Prorroga,
        &facts(&new, &run, "2026-03-01"),
        &a,
    ));
    assert_eq!(plan.grant.months, 12);
    // 20 months used: 4 left.
    let twenty = [
        grant("prorroga", Family::Prorroga, "2010-01-01", 12, false),
        grant("prorroga", Family::Prorroga, "2015-01-01", 8, false),
    ];
    let plan = granted(apply(
        Family::Prorroga,
        &facts(&new, &twenty, "2026-02-10"),
        &a,
    ));
    assert_eq!(plan.grant.months, 4);
    let all = [
        grant("prorroga", Family::Prorroga, "2010-01-01", 12, false),
        grant("prorroga", Family::Prorroga, "2015-01-01", 12, false),
    ];
    let r = refused(apply(
        Family::Prorroga,
        &facts(&new, &all, "2026-02-10"),
        &a,
    ));
    assert_eq!(r.reason, RefusalReason::MonthsUsedUp);
}

#[test]
fn prorroga_conditions_and_the_2025_change() {
    let c = credit("2010-01-01");
    let a = answers(Situation::JobLost, "2024-11-05");
    let mut f = facts(&c, &[], "2024-12-31");
    assert_eq!(
        granted(apply(Family::Prorroga, &f, &a)).grant.effect,
        Effect::DeferralWithInterest
    );
    f.today = d("2025-01-01");
    assert_eq!(
        granted(apply(Family::Prorroga, &f, &a)).grant.effect,
        Effect::Deferral
    );
    f.arrears_months = 3;
    granted(apply(Family::Prorroga, &f, &a));
    f.arrears_months = 4;
    assert_eq!(
        refused(apply(Family::Prorroga, &f, &a)).reason,
        RefusalReason::TooManyArrears
    );
    f.arrears_months = 0;
    let paid = [CreditMovement {
        member_id: MemberId(1),
        credit_number: c.credit_number.clone(),
        reference: "P".into(),
        kind: CreditMovementKind::DirectPayment,
        booked_on: d("2024-11-20"),
        amount: money("-6171.68"),
    }];
    f.movements = &paid;
    assert_eq!(
        refused(apply(Family::Prorroga, &f, &a)).reason,
        RefusalReason::PaidAfterJobLoss
    );
    // A payment on the day of the job loss is not after it.
    let on_the_day = answers(Situation::JobLost, "2024-11-20");
    granted(apply(Family::Prorroga, &f, &on_the_day));
    let reduced = answers(Situation::IncomeReduced, "2024-11-20");
    assert_eq!(
        refused(apply(Family::Prorroga, &f, &reduced)).reason,
        RefusalReason::NotAffected
    );
}

#[test]
fn protection_fund_boundaries() {
    let a = answers(Situation::JobLost, "2026-02-01");
    let too_old = credit("2008-12-31");
    let r = refused(apply(
        Family::ProtectionFund,
        &facts(&too_old, &[], "2026-03-01"),
        &a,
    ));
    assert_eq!((r.reason, r.retry_on), (RefusalReason::CreditVintage, None));
    let c = credit("2009-01-01");
    let plan = granted(apply(
        Family::ProtectionFund,
        &facts(&c, &[], "2026-03-01"),
        &a,
    ));
    assert_eq!(
        (plan.grant.programme.as_str(), plan.grant.months),
        ("fpp", 6)
    );
    assert!(!plan.grant.suspends_discount);
    // At least one month out of work.
    let r = refused(apply(
        Family::ProtectionFund,
        &facts(&c, &[], "2026-02-28"),
        &a,
    ));
    assert_eq!(r.reason, RefusalReason::TooSoonUnemployed);
    assert_eq!(r.retry_on, Some(d("2026-03-01")));
    // Six months of salaried work before.
    let mut f = facts(&c, &[], "2026-03-01");
    f.months_worked = 5;
    assert_eq!(
        refused(apply(Family::ProtectionFund, &f, &a)).reason,
        RefusalReason::NotEnoughWork
    );
    f.months_worked = 6;
    granted(apply(Family::ProtectionFund, &f, &a));
    let mut pension = a;
    pension.ended_by_pension_or_disability = true;
    assert_eq!(
        refused(apply(Family::ProtectionFund, &f, &pension)).reason,
        RefusalReason::PensionOrDisability
    );
    // Once every five years, counted from the start of the last one.
    let before = [grant("fpp", Family::ProtectionFund, "2021-03-01", 6, false)];
    let r = refused(apply(
        Family::ProtectionFund,
        &facts(&c, &before, "2026-02-28"),
        &a,
    ));
    assert_eq!(r.reason, RefusalReason::OnceEveryYears);
    assert_eq!(r.retry_on, Some(d("2026-03-01")));
    granted(apply(
        Family::ProtectionFund,
        &facts(&c, &before, "2026-03-01"),
        &a,
    ));
    // No other relief in force.
    let other = [grant("prorroga", Family::Prorroga, "2026-02-01", 12, false)];
    let r = refused(apply(
        Family::ProtectionFund,
        &facts(&c, &other, "2026-03-01"),
        &a,
    ));
    assert_eq!(
        (r.reason, r.retry_on),
        (RefusalReason::ReliefActive, Some(d("2027-02-01")))
    );
}

#[test]
fn a_credit_that_is_not_active_gets_nothing() {
    let mut c = credit("2015-01-01");
    c.status = CreditStatus::PaidOff;
    let a = answers(Situation::JobLost, "2026-01-01");
    let r = refused(apply(Family::Prorroga, &facts(&c, &[], "2026-03-01"), &a));
    assert_eq!(r.reason, RefusalReason::CreditNotActive);
}

#[test]
fn months_after_clamps_to_the_month_end() {
    assert_eq!(months_after(d("2026-01-31"), 1), d("2026-02-28"));
    assert_eq!(months_after(d("2020-11-15"), 3), d("2021-02-15"));
    let g = grant("fpp", Family::ProtectionFund, "2020-11-01", 3, false);
    assert_eq!(g.end(), d("2021-01-31"));
    assert!(g.covers(d("2021-01-31")) && !g.covers(d("2021-02-01")));
}

#[test]
fn only_months_a_grant_stopped_the_payment_in_the_last_twelve_are_excused() {
    // A 3-month prórroga from 1 March 2026 and, long before, a Covid deferral.
    let prorroga = grant("prorroga", Family::Prorroga, "2026-03-01", 3, false);
    let old = grant("covid", Family::Covid2020, "2020-04-01", 3, false);
    let grants = [prorroga.clone(), old];
    assert_eq!(excused_months(&grants, d("2026-04-15")), 1, "March only");
    assert_eq!(excused_months(&grants, d("2026-06-15")), 3);
    // A year after the prórroga began, its first month has left the window.
    assert_eq!(excused_months(&grants, d("2027-04-10")), 2);
    assert_eq!(excused_months(&grants, d("2028-01-01")), 0);
    // A grant that keeps the discount (the fund pays part) excuses nothing.
    let paying = ReliefGrant {
        suspends_discount: false,
        ..prorroga
    };
    assert_eq!(excused_months(&[paying], d("2026-06-15")), 0);
}
