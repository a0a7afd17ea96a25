//! Who may ask for what after a credit is paid off: the deeds the fund keeps in safekeeping for
//! credits granted 1972–2007 (domain.md §8.2), and the refund of what was paid beyond what the
//! credit owed ("pagos en exceso", §6 and §8.1: a paid-off credit with a balance in the
//! member's favour).

use serde::Serialize;

use super::account::CreditAccount;
use crate::money::Money;
use crate::registry::Credit;

/// The years whose deeds the fund holds (§8.2); from 2008 the notary who drew up the deed has it.
pub const DEEDS_FROM_YEAR: i32 = 1972;
pub const DEEDS_TO_YEAR: i32 = 2007;

/// Why a request cannot be made, with a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Refusal {
    /// Granted outside 1972–2007: the fund does not hold the deed.
    DeedsVintage,
    /// Something is still owed.
    NotPaidOff,
    /// Nothing was paid beyond what was owed.
    NothingOverpaid,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::DeedsVintage => "deeds_vintage",
            Refusal::NotPaidOff => "not_paid_off",
            Refusal::NothingOverpaid => "nothing_overpaid",
        }
    }
}

/// Deeds: a credit granted 1972–2007 and paid off.
pub fn deeds_eligibility(credit: &Credit, account: &CreditAccount) -> Result<(), Refusal> {
    let year = credit.originated_on.year();
    if !(DEEDS_FROM_YEAR..=DEEDS_TO_YEAR).contains(&year) {
        return Err(Refusal::DeedsVintage);
    }
    if !account.paid_off {
        return Err(Refusal::NotPaidOff);
    }
    Ok(())
}

/// Refund of overpayments: a paid-off credit with a balance in the member's favour; the amount.
pub fn overpayment_eligibility(account: &CreditAccount) -> Result<Money, Refusal> {
    if !account.paid_off {
        return Err(Refusal::NotPaidOff);
    }
    if account.overpaid.centavos() <= 0 {
        return Err(Refusal::NothingOverpaid);
    }
    Ok(account.overpaid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit::Regime;
    use crate::credit::account::Totals;
    use crate::registry::{CreditNumber, CreditProduct, CreditStatus, Denomination, MemberId};
    use time::{Date, Month};

    fn credit(year: i32) -> Credit {
        Credit {
            credit_number: CreditNumber::parse("0512345678").unwrap(),
            member_id: MemberId(1),
            product: CreditProduct::Tradicional,
            denomination: Denomination::Vsm,
            originated_on: Date::from_calendar_date(year, Month::June, 1).unwrap(),
            amount: Money::from_centavos(10_000_000),
            amount_vsm: None,
            rate: "0.06".parse().unwrap(),
            term_months: 240,
            status: CreditStatus::PaidOff,
        }
    }

    fn account(paid_off: bool, overpaid: i64) -> CreditAccount {
        CreditAccount {
            balance: Money::ZERO,
            overpaid: Money::from_centavos(overpaid),
            balance_units: None,
            unit: None,
            monthly_payment: Money::ZERO,
            monthly_payment_units: None,
            regime: Regime::Special,
            paid_off,
            paid_off_on: None,
            arrears_months: 0,
            last_payment_on: None,
            totals: Totals::default(),
            last_twelve_months: Totals::default(),
        }
    }

    #[test]
    fn deeds_are_for_paid_off_credits_of_1972_to_2007() {
        let paid = account(true, 0);
        assert_eq!(
            deeds_eligibility(&credit(1971), &paid),
            Err(Refusal::DeedsVintage)
        );
        assert_eq!(deeds_eligibility(&credit(1972), &paid), Ok(()));
        assert_eq!(deeds_eligibility(&credit(2007), &paid), Ok(()));
        assert_eq!(
            deeds_eligibility(&credit(2008), &paid),
            Err(Refusal::DeedsVintage)
        );
        assert_eq!(
            deeds_eligibility(&credit(1990), &account(false, 0)),
            Err(Refusal::NotPaidOff)
        );
    }

    #[test]
    fn an_overpayment_is_refunded_only_from_a_paid_off_credit_in_credit() {
        assert_eq!(
            overpayment_eligibility(&account(true, 1)),
            Ok(Money::from_centavos(1))
        );
        assert_eq!(
            overpayment_eligibility(&account(true, 0)),
            Err(Refusal::NothingOverpaid)
        );
        assert_eq!(
            overpayment_eligibility(&account(false, 500)),
            Err(Refusal::NotPaidOff)
        );
    }
}
