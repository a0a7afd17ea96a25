//! What a relief does to each month it covers: the instalment, the interest, who pays what and
//! the balance after — and the credit movements that make it real.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use time::Date;

use super::programmes::Effect;
use super::{ReliefGrant, month_start, months_after};
use crate::money::{Money, MoneyError};
use crate::registry::{CreditMovement, CreditMovementKind};

/// One month under relief.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReliefMonth {
    /// The first day of the month.
    pub month: Date,
    /// What this month does (for a combined measure, the half it falls in).
    pub effect: Effect,
    /// The instalment that would be due without the relief.
    pub instalment: Money,
    /// The interest of the month on the balance at its start.
    pub interest: Money,
    /// The part of the interest that is not charged.
    pub interest_waived: Money,
    /// Paid by a fund (the unemployment insurance, the payment-protection fund).
    pub fund_pays: Money,
    /// Still paid by the borrower or through the payroll.
    pub borrower_pays: Money,
    pub balance_after: Money,
}

/// The months a relief covers, from `balance` at the start of the first month, at `rate` a
/// year with `instalment` due each month. Interest and shares are rounded to the centavo.
pub fn schedule(
    effect: Effect,
    fund_share: Decimal,
    start: Date,
    months: u32,
    balance: Money,
    rate: Decimal,
    instalment: Money,
) -> Result<Vec<ReliefMonth>, MoneyError> {
    let monthly_rate = rate / Decimal::from(12);
    let mut balance = balance;
    let mut out = Vec::new();
    for i in 0..months {
        let effect = match effect {
            Effect::InsuranceThenDeferral if i < months.div_ceil(2) => Effect::InsurancePays,
            Effect::InsuranceThenDeferral => Effect::Deferral,
            other => other,
        };
        let interest = Money::from_decimal(balance.to_decimal() * monthly_rate)?;
        // Never more than what is owed: the last payment of a credit is the rest of it.
        let instalment = instalment.min(balance + interest);
        let share = |part: Decimal| -> Result<Money, MoneyError> {
            Money::from_decimal(
                (instalment.to_decimal() * part)
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
            )
        };
        let (interest_waived, fund_pays, borrower_pays) = match effect {
            Effect::InsurancePays => (interest, share(fund_share)?, Money::ZERO),
            Effect::Deferral | Effect::InsuranceThenDeferral => {
                (interest, Money::ZERO, Money::ZERO)
            }
            Effect::DeferralWithInterest => (Money::ZERO, Money::ZERO, Money::ZERO),
            Effect::InterestWaived => (interest, Money::ZERO, instalment),
            Effect::FundShare => {
                let fund = share(fund_share)?;
                (Money::ZERO, fund, instalment - fund)
            }
        };
        balance = balance + interest - interest_waived - fund_pays - borrower_pays;
        out.push(ReliefMonth {
            month: months_after(start, i),
            effect,
            instalment,
            interest,
            interest_waived,
            fund_pays,
            borrower_pays,
            balance_after: balance,
        });
    }
    Ok(out)
}

/// The movements a grant posts on the credit: for each month, what a fund paid and the interest
/// waived, booked on the first day of the month. What the borrower still pays and the interest
/// still charged come in from the registry as usual. References are unique per grant and month,
/// so a grant can never be posted twice.
pub fn movements(grant: &ReliefGrant, months: &[ReliefMonth]) -> Vec<CreditMovement> {
    let mut out = Vec::new();
    for m in months {
        // Short enough for the registry's 40-character references; one grant starts a month.
        let base = format!("relief:{}:{}", month_key(grant.start), month_key(m.month));
        let mut push = |kind, suffix: &str, amount: Money| {
            if amount.centavos() > 0 {
                out.push(CreditMovement {
                    member_id: grant.member_id,
                    credit_number: grant.credit_number.clone(),
                    reference: format!("{base}:{suffix}"),
                    kind,
                    booked_on: month_start(m.month),
                    amount: -amount,
                });
            }
        };
        push(CreditMovementKind::ReliefPayment, "fund", m.fund_pays);
        push(
            CreditMovementKind::InterestWaiver,
            "interest",
            m.interest_waived,
        );
    }
    out
}

fn month_key(d: Date) -> String {
    format!("{:04}{:02}", d.year(), u8::from(d.month()))
}
