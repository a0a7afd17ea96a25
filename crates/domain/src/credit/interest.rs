//! The interest certificate for the annual tax return (Constancia de intereses reales): the
//! real interest of a fiscal year, by the regulation of the income-tax law (RLISR art. 257,
//! domain.md §7):
//!
//! real interest = nominal interest − inflation adjustment,
//! inflation adjustment = average balance × (INPC of the last month of the period
//!                         / INPC of the month before its first month − 1),
//! average balance = the month-end balances of the period's months / their number,
//!
//! floored at zero. The period is the fiscal year, or the part of it the credit was owed.

use rust_decimal::Decimal;
use serde::Serialize;
use time::{Date, Month};

use crate::money::{Money, MoneyError};
use crate::registry::{CreditMovement, CreditMovementKind};

/// A month's closing balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MonthBalance {
    pub month_end: Date,
    pub balance: Money,
}

/// An INPC value used, with the month it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InpcValue {
    pub year: i32,
    pub month: Month,
    pub value: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InterestCertificate {
    pub fiscal_year: i32,
    pub months: Vec<MonthBalance>,
    pub average_balance: Money,
    pub inpc_start: InpcValue,
    pub inpc_end: InpcValue,
    /// INPC end / INPC start − 1.
    pub adjustment_factor: Decimal,
    pub inflation_adjustment: Money,
    pub nominal_interest: Money,
    pub real_interest: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InterestError {
    /// A certificate is issued once the fiscal year has ended.
    #[error("the fiscal year {0} has not ended")]
    YearNotClosed(i32),
    /// The credit owed nothing during the year.
    #[error("no balance owed in {0}")]
    NothingOwed(i32),
    /// The INPC of a month the calculation needs is not in the reference tables.
    #[error("no INPC for {month} {year}")]
    InpcMissing { year: i32, month: Month },
    #[error("amount out of range")]
    Money(#[from] MoneyError),
}

impl InterestError {
    pub fn code(&self) -> &'static str {
        match self {
            InterestError::YearNotClosed(_) => "interest_year_not_closed",
            InterestError::NothingOwed(_) => "interest_nothing_owed",
            InterestError::InpcMissing { .. } => "interest_inpc_missing",
            InterestError::Money(_) => "interest_amount",
        }
    }
}

/// The certificate of `fiscal_year` for a credit with these movements (any order). `inpc`
/// gives the index of a month, when known.
pub fn interest_certificate(
    fiscal_year: i32,
    movements: &[CreditMovement],
    inpc: impl Fn(i32, Month) -> Option<Decimal>,
    today: Date,
) -> Result<InterestCertificate, InterestError> {
    if fiscal_year >= today.year() {
        return Err(InterestError::YearNotClosed(fiscal_year));
    }
    let mut ordered: Vec<&CreditMovement> = movements.iter().collect();
    ordered.sort_by_key(|m| m.booked_on);
    let mut owed = Money::ZERO;
    let mut iter = ordered.iter().peekable();
    let mut months = Vec::new();
    let mut nominal_interest = Money::ZERO;
    while let Some(m) = iter.next_if(|m| m.booked_on.year() < fiscal_year) {
        owed += m.amount;
    }
    for month in 1..=12u8 {
        let month = Month::try_from(month).map_err(|_| InterestError::NothingOwed(fiscal_year))?;
        let month_end = Date::from_calendar_date(fiscal_year, month, month.length(fiscal_year))
            .map_err(|_| InterestError::NothingOwed(fiscal_year))?;
        let owed_at_start = owed;
        let mut touched = false;
        while let Some(m) = iter.next_if(|m| m.booked_on <= month_end) {
            owed += m.amount;
            touched = true;
            // Interest waived by a relief measure was never charged.
            if matches!(
                m.kind,
                CreditMovementKind::Interest | CreditMovementKind::InterestWaiver
            ) {
                nominal_interest += m.amount;
            }
        }
        // A month counts when something was owed during it: at its start, or because the
        // credit was disbursed in it.
        let owed_in_month = owed_at_start.centavos() > 0 || (touched && owed.centavos() > 0);
        if owed_in_month {
            months.push(MonthBalance {
                month_end,
                balance: Money::from_centavos(owed.centavos().max(0)),
            });
        }
    }
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Err(InterestError::NothingOwed(fiscal_year));
    };
    let (start_year, start_month) = match first.month_end.month() {
        Month::January => (fiscal_year - 1, Month::December),
        m => (fiscal_year, m.previous()),
    };
    let lookup = |year: i32, month: Month| {
        inpc(year, month)
            .filter(|v| !v.is_zero())
            .map(|value| InpcValue { year, month, value })
            .ok_or(InterestError::InpcMissing { year, month })
    };
    let inpc_start = lookup(start_year, start_month)?;
    let inpc_end = lookup(fiscal_year, last.month_end.month())?;
    let total: i64 = months.iter().map(|m| m.balance.centavos()).sum();
    let average_balance =
        Money::from_decimal(Decimal::new(total, 2) / Decimal::from(months.len() as u64))?;
    let adjustment_factor = inpc_end.value / inpc_start.value - Decimal::ONE;
    let inflation_adjustment = average_balance.times(adjustment_factor)?;
    let real = nominal_interest.centavos() - inflation_adjustment.centavos();
    Ok(InterestCertificate {
        fiscal_year,
        months,
        average_balance,
        inpc_start,
        inpc_end,
        adjustment_factor,
        inflation_adjustment,
        nominal_interest,
        real_interest: Money::from_centavos(real.max(0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{CreditNumber, MemberId};

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    fn mv(kind: CreditMovementKind, on: Date, centavos: i64) -> CreditMovement {
        CreditMovement {
            member_id: MemberId(1),
            credit_number: CreditNumber::parse("1901234567").unwrap(),
            reference: format!("{}{on}", kind.code()),
            kind,
            booked_on: on,
            amount: Money::from_centavos(centavos),
        }
    }

    fn inpc(year: i32, month: Month) -> Option<Decimal> {
        match (year, month) {
            (2023, Month::December) => Some("132.373".parse().unwrap()),
            (2024, Month::December) => Some("137.949".parse().unwrap()),
            _ => None,
        }
    }

    #[test]
    fn a_full_year_by_hand() {
        // 120,000.00 owed all of 2024; 1,000.00 interest and 1,500.00 paid each month end.
        let mut moves = vec![mv(
            CreditMovementKind::Disbursement,
            d(2020, 5, 1),
            12_000_000,
        )];
        for m in 1..=12u8 {
            let end = d(2024, m, Month::try_from(m).unwrap().length(2024));
            moves.push(mv(CreditMovementKind::Interest, end, 100_000));
            moves.push(mv(CreditMovementKind::PayrollPayment, end, -150_000));
        }
        let c = interest_certificate(2024, &moves, inpc, d(2025, 2, 1)).unwrap();
        // Month-end balances 119,500, 119,000, … 114,000: their sum is 12 × 120,000 − 500 × 78
        // = 1,401,000, the average 116,750.00.
        assert_eq!(c.months.len(), 12);
        assert_eq!(c.months[0].balance, Money::from_centavos(11_950_000));
        assert_eq!(c.average_balance, Money::from_centavos(11_675_000));
        // 137.949 / 132.373 − 1 = 0.04212339…; 116,750 × 0.04212339… = 4,917.906… → 4,917.91.
        assert_eq!(c.adjustment_factor.round_dp(6), "0.042123".parse().unwrap());
        assert_eq!(c.inflation_adjustment, Money::from_centavos(491_791));
        assert_eq!(c.nominal_interest, Money::from_centavos(1_200_000));
        // 12,000.00 − 4,917.91
        assert_eq!(c.real_interest, Money::from_centavos(708_209));
        assert_eq!(c.inpc_start.month, Month::December);
        assert_eq!(c.inpc_start.year, 2023);
    }

    #[test]
    fn real_interest_is_never_negative() {
        let moves = vec![
            mv(CreditMovementKind::Disbursement, d(2020, 5, 1), 12_000_000),
            mv(CreditMovementKind::Interest, d(2024, 12, 31), 100_000),
        ];
        let c = interest_certificate(2024, &moves, inpc, d(2025, 2, 1));
        let c = c.unwrap_or_else(|e| panic!("{e:?}"));
        assert!(c.inflation_adjustment.centavos() > 100_000);
        assert_eq!(c.real_interest, Money::ZERO);
    }

    #[test]
    fn an_open_year_an_unowed_year_and_a_missing_inpc_are_refused() {
        let moves = vec![mv(
            CreditMovementKind::Disbursement,
            d(2024, 5, 10),
            12_000_000,
        )];
        assert_eq!(
            interest_certificate(2025, &moves, inpc, d(2025, 6, 1)),
            Err(InterestError::YearNotClosed(2025))
        );
        assert_eq!(
            interest_certificate(2023, &moves, inpc, d(2025, 6, 1)),
            Err(InterestError::NothingOwed(2023))
        );
        // Disbursed in May 2024: the period starts in May and needs April's INPC.
        assert_eq!(
            interest_certificate(2024, &moves, inpc, d(2025, 6, 1)),
            Err(InterestError::InpcMissing {
                year: 2024,
                month: Month::April
            })
        );
    }
}
