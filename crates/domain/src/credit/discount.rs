//! The payroll discount: how an employer takes the credit's payment out of the worker's pay,
//! as printed on the retention notice (domain.md §5.3).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::money::{Money, MoneyError};

/// The three ways a discount can be stated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DiscountKind {
    /// A share of the integrated daily wage (0.20 = 20 %).
    Percentage,
    /// A fixed amount of pesos per month.
    FixedPesos,
    /// A fixed number of monthly VSM units (factor de descuento).
    VsmFactor,
}

impl DiscountKind {
    pub const ALL: [DiscountKind; 3] = [
        DiscountKind::Percentage,
        DiscountKind::FixedPesos,
        DiscountKind::VsmFactor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DiscountKind::Percentage => "percentage",
            DiscountKind::FixedPesos => "fixed_pesos",
            DiscountKind::VsmFactor => "vsm_factor",
        }
    }

    pub fn from_code(code: &str) -> Option<DiscountKind> {
        DiscountKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// A discount: its kind and value (a rate, pesos per month or VSM units per month).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    pub kind: DiscountKind,
    pub value: Decimal,
}

/// Why the discount of a credit changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DiscountChangeReason {
    /// The discount set when the credit was granted.
    NewCredit,
    /// A restructuring or a new payment factor.
    Restructure,
    /// Responsabilidad Compartida: the VSM credit became a fixed-peso credit.
    Conversion,
}

impl DiscountChangeReason {
    pub const ALL: [DiscountChangeReason; 3] = [
        DiscountChangeReason::NewCredit,
        DiscountChangeReason::Restructure,
        DiscountChangeReason::Conversion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DiscountChangeReason::NewCredit => "new_credit",
            DiscountChangeReason::Restructure => "restructure",
            DiscountChangeReason::Conversion => "conversion",
        }
    }

    pub fn from_code(code: &str) -> Option<DiscountChangeReason> {
        DiscountChangeReason::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// A discount in force from a date, as the registry records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountChange {
    pub valid_from: Date,
    pub discount: Discount,
    pub reason: DiscountChangeReason,
}

/// What the employer deducts for a bimester:
/// - a percentage: daily wage × days contributed × rate;
/// - fixed pesos: the two monthly amounts, prorated by the days contributed;
/// - a VSM factor: ((factor × daily UMI × 30.4 × 2) / days in the bimester) × days contributed;
///
/// plus the damage insurance once per bimester (two monthly premiums). Rounded once.
pub fn bimester_amount(
    discount: Discount,
    daily_wage: Money,
    days_contributed: u32,
    days_in_bimester: u32,
    umi_daily: Money,
    monthly_insurance: Money,
) -> Result<Money, MoneyError> {
    let days = Decimal::from(days_contributed.min(days_in_bimester));
    let in_bimester = Decimal::from(days_in_bimester.max(1));
    let two = Decimal::TWO;
    let base = match discount.kind {
        DiscountKind::Percentage => daily_wage.to_decimal() * days * discount.value,
        DiscountKind::FixedPesos => discount.value * two / in_bimester * days,
        DiscountKind::VsmFactor => {
            discount.value * umi_daily.to_decimal() * crate::reference::DAYS_PER_MONTH * two
                / in_bimester
                * days
        }
    };
    Money::from_decimal(base + monthly_insurance.to_decimal() * two)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn each_kind_by_a_worked_example() {
        // 20 % of a 500.00 daily wage for 61 days: 6,100.00, plus 2 × 150.00 insurance.
        let pct = Discount {
            kind: DiscountKind::Percentage,
            value: dec("0.20"),
        };
        assert_eq!(
            bimester_amount(pct, m("500"), 61, 61, m("100.81"), m("150")).unwrap(),
            m("6400.00")
        );
        // 3,000.00 a month, 30 of 61 days worked: 6,000 / 61 × 30 = 2,950.819… → 2,950.82.
        let fixed = Discount {
            kind: DiscountKind::FixedPesos,
            value: dec("3000"),
        };
        assert_eq!(
            bimester_amount(fixed, m("500"), 30, 61, m("100.81"), Money::ZERO).unwrap(),
            m("2950.82")
        );
        // 1.5 VSM: 1.5 × 100.81 × 30.4 × 2 = 9,193.872 for the full bimester.
        let vsm = Discount {
            kind: DiscountKind::VsmFactor,
            value: dec("1.5"),
        };
        assert_eq!(
            bimester_amount(vsm, m("500"), 59, 59, m("100.81"), Money::ZERO).unwrap(),
            m("9193.87")
        );
    }

    #[test]
    fn codes_round_trip() {
        for k in DiscountKind::ALL {
            assert_eq!(DiscountKind::from_code(k.code()), Some(k));
        }
        for r in DiscountChangeReason::ALL {
            assert_eq!(DiscountChangeReason::from_code(r.code()), Some(r));
        }
    }
}
