//! The credit products of the picker (domain.md §4.6) and what each would lend.
//!
//! - Crédito Infonavit (tradicional): the conditions of [`super::conditions`].
//! - Unamos Créditos: two members, each evaluated and offered separately with their own rate,
//!   pooled and capped by the Unamos cap.
//! - Cofinavit: the Infonavit part only, at its flat rate and cap; the bank part is the bank's.
//! - Mejoravit: home improvement, not a mortgage: between 0.25 and 3.95 annual UMA, the low
//!   rate and short term below 1 annual UMA, never more than 90% of the subaccount, not with an
//!   active credit. It needs a current job but not the points minimum (UNVERIFIED); its fees
//!   are not modelled.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::credit::{self, Conditions, Terms};
use super::evaluate::evaluate;
use super::tables::{Param, PointsTables};
use super::{Evaluation, PointsError, PointsInput, Refusal, money};
use crate::money::Money;
use crate::reference::ReferenceTables;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Product {
    Tradicional,
    UnamosCreditos,
    Cofinavit,
    Mejoravit,
}

impl Product {
    pub const ALL: [Product; 4] = [
        Product::Tradicional,
        Product::UnamosCreditos,
        Product::Cofinavit,
        Product::Mejoravit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Product::Tradicional => "tradicional",
            Product::UnamosCreditos => "unamos_creditos",
            Product::Cofinavit => "cofinavit",
            Product::Mejoravit => "mejoravit",
        }
    }

    /// How many members apply together.
    pub fn applicants(self) -> usize {
        match self {
            Product::UnamosCreditos => 2,
            _ => 1,
        }
    }
}

/// Why a product is not offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Unavailable {
    /// The applicant at this position (from 0) did not pre-qualify.
    NotPrequalified { applicant: usize },
    /// Mejoravit: the applicant has an active credit.
    ActiveCredit,
    /// Mejoravit: no employment relation in the previous bimester.
    NotEmployed,
    /// Mejoravit: 90% of the subaccount, or the payment capacity, is below the smallest amount.
    BelowMinimum { minimum: Money },
    /// The age limit leaves no term.
    NoTerm,
}

/// One applicant's evaluation and own conditions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApplicantOffer {
    pub evaluation: Evaluation,
    pub conditions: Conditions,
}

/// A product's offer for its applicants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProductOffer {
    pub product: Product,
    pub applicants: Vec<ApplicantOffer>,
    /// Empty when the product is offered.
    pub unavailable: Vec<Unavailable>,
    /// The product's maximum (for Unamos, of the pooled credit).
    pub cap: Money,
    /// The credit (pooled for Unamos), never above `cap`.
    pub credit: Money,
    /// The subaccount balances that add to it (none for Mejoravit).
    pub subaccount: Money,
    pub total: Money,
    pub fees: Money,
    /// The monthly payments of all applicants together.
    pub monthly_payment: Money,
    pub estimate: bool,
}

impl ProductOffer {
    pub fn available(&self) -> bool {
        self.unavailable.is_empty()
    }
}

/// Evaluates the applicants and computes the product's offer. Unamos Créditos takes two
/// applicants, every other product one.
pub fn conditions_for(
    product: Product,
    applicants: &[PointsInput],
    tables: &PointsTables,
    reference: &ReferenceTables,
) -> Result<ProductOffer, PointsError> {
    if applicants.len() != product.applicants() {
        return Err(PointsError::Applicants {
            product: product.code(),
            expected: product.applicants(),
            found: applicants.len(),
        });
    }
    let mut offers = Vec::with_capacity(applicants.len());
    for input in applicants {
        let evaluation = evaluate(input, tables, reference)?;
        let conditions = match product {
            Product::Tradicional | Product::UnamosCreditos => {
                credit::conditions(input, &evaluation, reference, tables)?
            }
            Product::Cofinavit => cofinavit(input, &evaluation, reference, tables)?,
            Product::Mejoravit => mejoravit(input, &evaluation, reference, tables)?,
        };
        offers.push(ApplicantOffer {
            evaluation,
            conditions,
        });
    }

    let mut unavailable = Vec::new();
    for (applicant, offer) in offers.iter().enumerate() {
        if offer.conditions.term_years == 0 {
            unavailable.push(Unavailable::NoTerm);
        }
        if product == Product::Mejoravit {
            let refusals = &offer.evaluation.refusals;
            if refusals.contains(&Refusal::ActiveCredit) {
                unavailable.push(Unavailable::ActiveCredit);
            }
            if refusals.contains(&Refusal::NotEmployedLastBimester) {
                unavailable.push(Unavailable::NotEmployed);
            }
            let minimum = mejoravit_minimum(&offer.conditions, reference, tables)?;
            if offer.conditions.credit < minimum {
                unavailable.push(Unavailable::BelowMinimum { minimum });
            }
        } else if !offer.evaluation.eligible {
            unavailable.push(Unavailable::NotPrequalified { applicant });
        }
    }

    let date = applicants.first().map(|input| input.as_of);
    let cap = match (product, date) {
        (Product::UnamosCreditos, Some(date)) => {
            money(tables.param(Param::CapUnamos, date)?.value)?
        }
        _ => offers
            .first()
            .map_or(Money::ZERO, |offer| offer.conditions.cap),
    };
    let sum = |field: fn(&Conditions) -> Money| -> Money {
        offers.iter().map(|offer| field(&offer.conditions)).sum()
    };
    let credit = sum(|c| c.credit).min(cap);
    let subaccount = sum(|c| c.subaccount);
    Ok(ProductOffer {
        product,
        unavailable,
        cap,
        credit,
        subaccount,
        total: credit
            .checked_add(subaccount)
            .ok_or(PointsError::OutOfRange)?,
        fees: sum(|c| c.fees),
        monthly_payment: sum(|c| c.monthly_payment),
        estimate: offers.iter().any(|offer| offer.conditions.estimate),
        applicants: offers,
    })
}

/// The Infonavit part of a Cofinavit: its own flat rate and cap.
fn cofinavit(
    input: &PointsInput,
    evaluation: &Evaluation,
    reference: &ReferenceTables,
    tables: &PointsTables,
) -> Result<Conditions, PointsError> {
    let date = input.as_of;
    let terms = Terms {
        annual_rate: tables.param(Param::CofinavitRate, date)?.value,
        rate_estimate: false,
        term_years: credit::max_term(input.sex, evaluation.age, date, tables)?,
        cap: tables.param(Param::CapCofinavit, date)?.value,
        adds_subaccount: true,
        scored: true,
    };
    credit::build(input, evaluation, reference, tables, terms)
}

/// Mejoravit: the long, dearer form when its amount reaches 1 annual UMA, else the short one
/// capped just below that boundary.
fn mejoravit(
    input: &PointsInput,
    evaluation: &Evaluation,
    reference: &ReferenceTables,
    tables: &PointsTables,
) -> Result<Conditions, PointsError> {
    let date = input.as_of;
    let annual = reference.uma.value_on(date)?.annual.to_decimal();
    let param = |param: Param| tables.param(param, date).map(|period| period.value);
    let subaccount_limit =
        input.savings.max(Money::ZERO).to_decimal() * param(Param::MejoravitSubaccountShare)?;
    let boundary = annual * param(Param::MejoravitBoundaryUmaAnnual)?;
    let largest = (annual * param(Param::MejoravitMaxUmaAnnual)?).min(subaccount_limit);
    let age_term = credit::max_term(input.sex, evaluation.age, date, tables)?;
    let years = |param: Param| -> Result<u32, PointsError> {
        let value = tables.param(param, date)?.value.trunc();
        Ok(value.to_u32().unwrap_or(0).min(age_term))
    };
    let mut terms = Terms {
        annual_rate: param(Param::MejoravitRateHigh)?,
        rate_estimate: false,
        term_years: years(Param::MejoravitTermHighYears)?,
        cap: largest,
        adds_subaccount: false,
        scored: false,
    };
    let long = credit::build(input, evaluation, reference, tables, terms)?;
    if long.credit.to_decimal() >= boundary {
        return Ok(no_fees(long));
    }
    terms.annual_rate = param(Param::MejoravitRateLow)?;
    terms.term_years = years(Param::MejoravitTermLowYears)?;
    terms.cap = largest.min(boundary - Decimal::new(1, 2));
    Ok(no_fees(credit::build(
        input, evaluation, reference, tables, terms,
    )?))
}

fn no_fees(conditions: Conditions) -> Conditions {
    Conditions {
        fees: Money::ZERO,
        fees_waived: false,
        total: conditions.credit,
        ..conditions
    }
}

/// The smallest Mejoravit on the date: a multiple of the annual UMA.
fn mejoravit_minimum(
    conditions: &Conditions,
    reference: &ReferenceTables,
    tables: &PointsTables,
) -> Result<Money, PointsError> {
    let date = conditions.as_of;
    let annual = reference.uma.value_on(date)?.annual;
    let multiple = tables.param(Param::MejoravitMinUmaAnnual, date)?.value;
    annual.times(multiple).map_err(|_| PointsError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::test_support::{REFERENCE, TABLES, member, pesos};
    use time::macros::date;

    fn offer(product: Product, applicants: &[PointsInput]) -> ProductOffer {
        conditions_for(product, applicants, &TABLES, &REFERENCE).unwrap()
    }

    #[test]
    fn tradicional_is_the_conditions_of_the_one_applicant() {
        let input = member(date!(2026 - 01 - 01));
        let tradicional = offer(Product::Tradicional, &[input]);
        assert!(tradicional.available());
        assert_eq!(
            tradicional.credit,
            tradicional.applicants[0].conditions.credit
        );
        assert_eq!(tradicional.total, tradicional.credit + pesos("40000"));
    }

    #[test]
    fn unamos_takes_two_each_with_its_own_rate_and_pools_under_its_cap() {
        let as_of = date!(2026 - 01 - 01);
        let low = member(as_of);
        let high = PointsInput {
            current_daily_wage: pesos("3000"),
            average_daily_wage_6_bimesters: pesos("3000"),
            ..member(as_of)
        };
        let pooled = offer(Product::UnamosCreditos, &[low, high]);
        assert!(pooled.available());
        let [a, b] = [
            &pooled.applicants[0].conditions,
            &pooled.applicants[1].conditions,
        ];
        assert!(a.annual_rate < b.annual_rate);
        assert_eq!(pooled.credit, (a.credit + b.credit).min(pooled.cap));
        assert_eq!(pooled.cap, pesos("5095000"));
        assert_eq!(
            conditions_for(Product::UnamosCreditos, &[low], &TABLES, &REFERENCE)
                .unwrap_err()
                .code(),
            "points_applicants"
        );
        let refused = PointsInput {
            has_active_credit: true,
            ..high
        };
        assert_eq!(
            offer(Product::UnamosCreditos, &[low, refused]).unavailable,
            [Unavailable::NotPrequalified { applicant: 1 }]
        );
    }

    #[test]
    fn cofinavit_is_the_infonavit_part_at_its_rate_and_cap() {
        let rich = PointsInput {
            current_daily_wage: pesos("5000"),
            average_daily_wage_6_bimesters: pesos("5000"),
            ..member(date!(2026 - 01 - 01))
        };
        let cofinavit = offer(Product::Cofinavit, &[rich]);
        let conditions = &cofinavit.applicants[0].conditions;
        assert_eq!(conditions.annual_rate, "0.1045".parse().unwrap());
        assert_eq!(cofinavit.credit, pesos("1120000"));
    }

    #[test]
    fn mejoravit_limits_by_annual_uma_and_the_subaccount() {
        let as_of = date!(2025 - 06 - 01);
        // 2025 annual UMA 41,273.52: 0.25× = 10,318.38; 3.95× = 163,030.40.
        let with_savings = |savings| PointsInput {
            savings: pesos(savings),
            ..member(as_of)
        };
        let small = offer(Product::Mejoravit, &[with_savings("20000")]);
        assert!(small.available());
        assert_eq!(small.credit, pesos("18000"));
        assert_eq!(
            small.applicants[0].conditions.annual_rate,
            "0.10".parse().unwrap()
        );
        assert_eq!(small.applicants[0].conditions.term_years, 5);
        assert_eq!(small.subaccount, Money::ZERO);
        let large = offer(Product::Mejoravit, &[with_savings("1000000")]);
        let conditions = &large.applicants[0].conditions;
        assert!(large.credit <= pesos("163030.40"));
        assert!(large.credit >= pesos("41273.52"));
        assert_eq!(conditions.annual_rate, "0.11".parse().unwrap());
        assert_eq!(conditions.term_years, 10);
        let tiny = offer(Product::Mejoravit, &[with_savings("5000")]);
        assert_eq!(
            tiny.unavailable,
            [Unavailable::BelowMinimum {
                minimum: pesos("10318.38")
            }]
        );
        let indebted = PointsInput {
            has_active_credit: true,
            ..with_savings("20000")
        };
        assert!(
            offer(Product::Mejoravit, &[indebted])
                .unavailable
                .contains(&Unavailable::ActiveCredit)
        );
    }
}
