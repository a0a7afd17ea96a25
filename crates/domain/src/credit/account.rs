//! What a borrower sees first: the balance in pesos (and in VSM units for a VSM credit), the
//! monthly payment, who pays it (payroll or directly), what came in, what is late, and
//! whether the credit is paid off.

use rust_decimal::Decimal;
use serde::Serialize;
use time::{Date, Month};

use super::discount::{DiscountChange, DiscountKind};
use super::vsm;
use crate::money::{Money, MoneyError};
use crate::registry::{Credit, CreditMovement, CreditMovementKind, CreditStatus, Denomination};

/// How payments reach the credit (domain.md §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Regime {
    /// Régimen Ordinario de Amortización: the employer deducts the payment from the pay.
    Ordinary,
    /// Régimen Especial de Amortización: no employer; the borrower pays directly.
    Special,
}

impl Regime {
    pub fn code(self) -> &'static str {
        match self {
            Regime::Ordinary => "roa",
            Regime::Special => "rea",
        }
    }
}

/// Sums of a credit's movements by what they were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub interest: Money,
    pub insurance: Money,
    pub reindexation: Money,
    /// Payments, as positive amounts.
    pub payroll_payments: Money,
    pub direct_payments: Money,
    pub employer_contributions: Money,
    pub discounts: Money,
    /// Paid by a relief fund (insurance, payment-protection fund), as positive amounts.
    pub relief_payments: Money,
}

impl Totals {
    fn add(&mut self, m: &CreditMovement) {
        let paid = Money::from_centavos(-m.amount.centavos());
        match m.kind {
            CreditMovementKind::Interest => self.interest += m.amount,
            CreditMovementKind::Insurance => self.insurance += m.amount,
            CreditMovementKind::Reindexation => self.reindexation += m.amount,
            CreditMovementKind::PayrollPayment => self.payroll_payments += paid,
            CreditMovementKind::DirectPayment => self.direct_payments += paid,
            CreditMovementKind::EmployerContribution => self.employer_contributions += paid,
            CreditMovementKind::Discount => self.discounts += paid,
            CreditMovementKind::ReliefPayment => self.relief_payments += paid,
            // Interest waived is interest not charged: it nets against the interest.
            CreditMovementKind::InterestWaiver => self.interest += m.amount,
            CreditMovementKind::Disbursement | CreditMovementKind::Adjustment => {}
        }
    }

    /// What the borrower paid, by payroll or directly.
    pub fn paid_by_borrower(&self) -> Money {
        self.payroll_payments + self.direct_payments
    }
}

/// The state of a credit on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditAccount {
    /// What is owed: the sum of every movement up to the date. Never below zero; what was paid
    /// beyond it is `overpaid`.
    pub balance: Money,
    /// Paid beyond what was owed (saldo a favor): the member can ask for it back.
    pub overpaid: Money,
    /// For a VSM credit: the balance in monthly units at `unit`.
    pub balance_units: Option<Decimal>,
    /// For a VSM credit: the peso value of one monthly unit on the date.
    pub unit: Option<Decimal>,
    pub monthly_payment: Money,
    pub monthly_payment_units: Option<Decimal>,
    pub regime: Regime,
    /// Liquidado: nothing left to pay.
    pub paid_off: bool,
    /// The day the balance last reached zero, for a paid-off credit.
    pub paid_off_on: Option<Date>,
    /// Whole monthly payments missing over the last twelve months (or since the first
    /// payment was due, for a younger credit).
    pub arrears_months: u32,
    pub last_payment_on: Option<Date>,
    pub totals: Totals,
    pub last_twelve_months: Totals,
}

/// Everything [`CreditAccount::new`] reads besides the credit itself.
pub struct AccountFacts<'a> {
    /// The credit's movements, in any order; those after `today` are ignored.
    pub movements: &'a [CreditMovement],
    /// The discounts recorded for the credit, in any order.
    pub discounts: &'a [DiscountChange],
    /// Whether the borrower has an open employment relation today.
    pub employed: bool,
    /// For a VSM credit: the monthly unit on the origination date and today
    /// ([`vsm::monthly_unit`]).
    pub unit_at_origination: Option<Decimal>,
    pub unit_today: Option<Decimal>,
    pub today: Date,
    /// Months of the last twelve in which a relief grant stopped the payment
    /// ([`super::relief::excused_months`]): no payment was due in them.
    pub excused_months: u32,
}

impl CreditAccount {
    pub fn new(credit: &Credit, facts: &AccountFacts<'_>) -> Result<CreditAccount, MoneyError> {
        let today = facts.today;
        let year_ago = months_before(today, 12);
        let mut totals = Totals::default();
        let mut last_twelve_months = Totals::default();
        let mut owed = Money::ZERO;
        let mut last_payment_on: Option<Date> = None;
        for m in facts.movements.iter().filter(|m| m.booked_on <= today) {
            owed += m.amount;
            totals.add(m);
            if m.booked_on > year_ago {
                last_twelve_months.add(m);
            }
            if matches!(
                m.kind,
                CreditMovementKind::PayrollPayment | CreditMovementKind::DirectPayment
            ) && m.amount.is_negative()
            {
                last_payment_on = Some(last_payment_on.map_or(m.booked_on, |d| d.max(m.booked_on)));
            }
        }
        let (balance, overpaid) = if owed.is_negative() {
            (Money::ZERO, Money::from_centavos(-owed.centavos()))
        } else {
            (owed, Money::ZERO)
        };
        let vsm_units = |amount: Money| match (credit.denomination, facts.unit_today) {
            (Denomination::Vsm, Some(unit)) => vsm::in_units(amount, unit),
            _ => None,
        };
        let (monthly_payment, monthly_payment_units) = monthly_payment(credit, facts)?;
        // Paid off: so recorded, or nothing left of what was lent (the registry's status
        // may lag the last payment).
        let disbursed = totals_disbursed(facts.movements, today);
        let paid_off = credit.status == CreditStatus::PaidOff
            || (credit.status == CreditStatus::Active && disbursed && owed.centavos() <= 0);
        let paid_off_on = if paid_off {
            last_reached_zero(facts.movements, today)
        } else {
            None
        };
        let arrears_months = if paid_off || credit.status != CreditStatus::Active {
            0
        } else {
            arrears(
                credit,
                &last_twelve_months,
                monthly_payment,
                balance,
                today,
                facts.excused_months,
            )
        };
        Ok(CreditAccount {
            balance,
            overpaid,
            balance_units: vsm_units(balance),
            unit: facts
                .unit_today
                .filter(|_| credit.denomination == Denomination::Vsm),
            monthly_payment,
            monthly_payment_units,
            regime: if facts.employed {
                Regime::Ordinary
            } else {
                Regime::Special
            },
            paid_off,
            paid_off_on,
            arrears_months,
            last_payment_on,
            totals,
            last_twelve_months,
        })
    }
}

/// The day the balance owed last went from positive to zero or below.
fn last_reached_zero(movements: &[CreditMovement], today: Date) -> Option<Date> {
    let mut ordered: Vec<&CreditMovement> =
        movements.iter().filter(|m| m.booked_on <= today).collect();
    ordered.sort_by_key(|m| m.booked_on);
    let mut owed = 0i64;
    let mut when = None;
    for m in ordered {
        let before = owed;
        owed += m.amount.centavos();
        if owed <= 0 && before > 0 {
            when = Some(m.booked_on);
        }
    }
    when
}

fn totals_disbursed(movements: &[CreditMovement], today: Date) -> bool {
    movements
        .iter()
        .any(|m| m.kind == CreditMovementKind::Disbursement && m.booked_on <= today)
}

/// The payment due each month: the discount in force when it is a fixed amount (pesos, or VSM
/// units at today's unit), otherwise the level annuity that repays the amount lent at the
/// credit's rate over its term — for a VSM credit, stated in units at origination and valued
/// at today's unit.
pub fn monthly_payment(
    credit: &Credit,
    facts: &AccountFacts<'_>,
) -> Result<(Money, Option<Decimal>), MoneyError> {
    let current = facts
        .discounts
        .iter()
        .filter(|d| d.valid_from <= facts.today)
        .max_by_key(|d| d.valid_from);
    match current.map(|d| d.discount) {
        Some(d) if d.kind == DiscountKind::FixedPesos => {
            return Ok((Money::from_decimal(d.value)?, None));
        }
        Some(d) if d.kind == DiscountKind::VsmFactor => {
            if let Some(unit) = facts.unit_today {
                return Ok((Money::from_decimal(d.value * unit)?, Some(d.value)));
            }
        }
        _ => {}
    }
    let pesos = annuity(credit.amount, credit.rate, credit.term_months)?;
    match (
        credit.denomination,
        facts.unit_at_origination,
        facts.unit_today,
    ) {
        (Denomination::Vsm, Some(at_origin), Some(today)) if !at_origin.is_zero() => {
            let units = (pesos.to_decimal() / at_origin).round_dp(4);
            Ok((Money::from_decimal(units * today)?, Some(units)))
        }
        _ => Ok((pesos, None)),
    }
}

/// The level monthly payment that repays `amount` at `rate` a year over `months` months.
pub fn annuity(amount: Money, rate: Decimal, months: u16) -> Result<Money, MoneyError> {
    if months == 0 {
        return Ok(amount);
    }
    let r = rate / Decimal::from(12);
    if r.is_zero() {
        return Money::from_decimal(amount.to_decimal() / Decimal::from(months));
    }
    let mut growth = Decimal::ONE;
    for _ in 0..months {
        growth = growth
            .checked_mul(Decimal::ONE + r)
            .ok_or(MoneyError::OutOfRange)?;
    }
    Money::from_decimal(amount.to_decimal() * r * growth / (growth - Decimal::ONE))
}

/// Whole payments missing: those due in the last twelve months (from the first month after
/// origination for a younger credit, and without the months a relief grant excused) less what
/// the borrower paid in them, never more than what is owed.
fn arrears(
    credit: &Credit,
    last_twelve: &Totals,
    monthly_payment: Money,
    balance: Money,
    today: Date,
    excused_months: u32,
) -> u32 {
    if monthly_payment.centavos() <= 0 {
        return 0;
    }
    let months_running = months_between(credit.originated_on, today);
    let due_months = months_running.min(12).saturating_sub(excused_months);
    let due = monthly_payment.centavos() * i64::from(due_months);
    let paid = last_twelve.paid_by_borrower().centavos()
        + last_twelve.employer_contributions.centavos()
        + last_twelve.relief_payments.centavos();
    let missing = (due - paid).clamp(0, balance.centavos().max(0));
    u32::try_from(missing / monthly_payment.centavos()).unwrap_or(u32::MAX)
}

/// Whole months from `from` to `to` (the payment of a month is due at its end).
fn months_between(from: Date, to: Date) -> u32 {
    let months = (to.year() - from.year()) * 12
        + (i32::from(u8::from(to.month())) - i32::from(u8::from(from.month())));
    let months = if to.day() < from.day() {
        months - 1
    } else {
        months
    };
    u32::try_from(months.max(0)).unwrap_or(0)
}

/// The same day `n` months earlier (the last day of the month when that day does not exist).
pub fn months_before(date: Date, n: u32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 - n as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{CreditNumber, CreditProduct, MemberId};

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn credit(denomination: Denomination, status: CreditStatus) -> Credit {
        Credit {
            credit_number: CreditNumber::parse("1901234567").unwrap(),
            member_id: MemberId(1),
            product: CreditProduct::Tradicional,
            denomination,
            originated_on: d(2024, 1, 15),
            amount: money("600000"),
            amount_vsm: None,
            rate: "0.12".parse().unwrap(),
            term_months: 360,
            status,
        }
    }

    fn movement(
        kind: CreditMovementKind,
        on: Date,
        amount: &str,
        reference: &str,
    ) -> CreditMovement {
        CreditMovement {
            member_id: MemberId(1),
            credit_number: CreditNumber::parse("1901234567").unwrap(),
            reference: reference.into(),
            kind,
            booked_on: on,
            amount: money(amount),
        }
    }

    #[test]
    fn the_annuity_by_hand() {
        // 600,000 at 12 % over 360 months: 600000 × 0.01 × 1.01^360 / (1.01^360 − 1) = 6,171.6756 → 6,171.68.
        assert_eq!(
            annuity(money("600000"), "0.12".parse().unwrap(), 360).unwrap(),
            money("6171.68")
        );
        assert_eq!(
            annuity(money("1200"), Decimal::ZERO, 12).unwrap(),
            money("100")
        );
    }

    #[test]
    fn payments_kept_up_owe_nothing_late_and_missing_ones_show() {
        let c = credit(Denomination::Pesos, CreditStatus::Active);
        let mut moves = vec![movement(
            CreditMovementKind::Disbursement,
            d(2024, 1, 15),
            "600000",
            "D",
        )];
        for (i, m) in (1..=12u8).enumerate() {
            moves.push(movement(
                CreditMovementKind::PayrollPayment,
                d(2025, m, 28),
                "-6171.68",
                &format!("P{i}"),
            ));
        }
        let facts = AccountFacts {
            movements: &moves,
            discounts: &[],
            employed: true,
            unit_at_origination: None,
            unit_today: None,
            today: d(2026, 1, 10),
            excused_months: 0,
        };
        let account = CreditAccount::new(&c, &facts).unwrap();
        assert_eq!(account.arrears_months, 0);
        assert_eq!(account.regime, Regime::Ordinary);
        assert_eq!(account.last_payment_on, Some(d(2025, 12, 28)));
        assert_eq!(account.totals.payroll_payments, money("74060.16"));
        // Three months later nothing more came in: three payments are missing.
        let later = AccountFacts {
            today: d(2026, 4, 10),
            employed: false,
            ..facts
        };
        let account = CreditAccount::new(&c, &later).unwrap();
        assert_eq!(account.arrears_months, 3);
        assert_eq!(account.regime, Regime::Special);
        // Two of those months were deferred by a relief grant: only one payment is missing.
        let deferred = AccountFacts {
            excused_months: 2,
            ..later
        };
        assert_eq!(CreditAccount::new(&c, &deferred).unwrap().arrears_months, 1);
    }

    #[test]
    fn a_paid_off_credit_is_liquidado_and_an_overpayment_is_kept_apart() {
        let c = credit(Denomination::Pesos, CreditStatus::PaidOff);
        let moves = vec![
            movement(
                CreditMovementKind::Disbursement,
                d(2024, 1, 15),
                "1000",
                "D",
            ),
            movement(
                CreditMovementKind::DirectPayment,
                d(2024, 3, 1),
                "-1200",
                "P",
            ),
        ];
        let facts = AccountFacts {
            movements: &moves,
            discounts: &[],
            employed: false,
            unit_at_origination: None,
            unit_today: None,
            today: d(2025, 1, 1),
            excused_months: 0,
        };
        let account = CreditAccount::new(&c, &facts).unwrap();
        assert!(account.paid_off);
        assert_eq!(account.paid_off_on, Some(d(2024, 3, 1)));
        assert_eq!(account.balance, Money::ZERO);
        assert_eq!(account.overpaid, money("200"));
        assert_eq!(account.arrears_months, 0);
    }

    #[test]
    fn a_vsm_credit_reads_in_units_at_todays_unit() {
        let mut c = credit(Denomination::Vsm, CreditStatus::Active);
        c.amount = money("300000");
        c.rate = "0.06".parse().unwrap();
        c.term_months = 240;
        let moves = vec![movement(
            CreditMovementKind::Disbursement,
            d(2024, 1, 15),
            "306462.40",
            "D",
        )];
        let unit = "3064.624".parse().unwrap();
        let facts = AccountFacts {
            movements: &moves,
            discounts: &[],
            employed: true,
            unit_at_origination: Some("1532.312".parse().unwrap()),
            unit_today: Some(unit),
            today: d(2024, 2, 1),
            excused_months: 0,
        };
        let account = CreditAccount::new(&c, &facts).unwrap();
        assert_eq!(account.balance_units, Some("100.0000".parse().unwrap()));
        // annuity(300,000, 6 %, 240) = 2,149.29 = 1.4026 units at origination; today's unit
        // is twice that: 1.4026 × 3,064.624 = 4,298.44.
        assert_eq!(
            account.monthly_payment_units,
            Some("1.4026".parse().unwrap())
        );
        assert_eq!(account.monthly_payment, money("4298.44"));
    }

    #[test]
    fn months_before_clamps_to_month_end() {
        assert_eq!(months_before(d(2026, 3, 31), 1), d(2026, 2, 28));
        assert_eq!(months_before(d(2026, 1, 15), 12), d(2025, 1, 15));
        assert_eq!(months_between(d(2025, 1, 15), d(2026, 1, 14)), 11);
        assert_eq!(months_between(d(2025, 1, 15), d(2026, 1, 15)), 12);
    }
}
