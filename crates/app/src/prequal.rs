//! "Precalificación y puntos": what the points engine needs, read from the registry for the
//! signed-in member, then the evaluation, the credit conditions, the products, and what it
//! would take to qualify. The simulator reruns the same with the member's own changes.

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::bimester::Bimester;
use domain::money::Money;
use domain::points::{
    self, Change, Conditions, CreditHistory, Evaluation, PointsError, PointsInput, PointsTables,
    Product, ProductOffer,
};
use domain::reference::ReferenceTables;
use domain::registry::{CreditStatus, MemberId, RelationPeriod};
use store::{Store, StoreError};
use time::{Date, Duration};

#[derive(Clone)]
pub struct Prequal {
    store: Arc<dyn Store>,
    reference: Arc<ReferenceTables>,
    tables: Arc<PointsTables>,
}

/// What the member changes in the simulator; `None` keeps the registry's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WhatIf {
    pub daily_wage: Option<Money>,
    pub savings: Option<Money>,
    pub continuous_bimesters: Option<u32>,
}

/// Everything the page and the API show.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub input: PointsInput,
    pub evaluation: Evaluation,
    pub conditions: Option<Conditions>,
    pub changes: Vec<Change>,
    pub products: Vec<ProductOffer>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrequalError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Points(#[from] PointsError),
    #[error("member_not_found")]
    NoMember,
}

impl PrequalError {
    pub fn code(&self) -> &'static str {
        match self {
            PrequalError::Store(_) => "service_unavailable",
            PrequalError::Points(e) => e.code(),
            PrequalError::NoMember => "member_not_found",
        }
    }
}

/// The wage in force on a day, from whichever relation covered it (the highest if several).
fn wage_on(periods: &[RelationPeriod], day: Date) -> Option<Money> {
    periods
        .iter()
        .filter(|p| p.wage_from <= day && p.end_date.is_none_or(|e| e >= day))
        .filter(|p| p.start_date <= day)
        .map(|p| {
            // The period in force is the latest wage change of its relation on or before `day`.
            periods
                .iter()
                .filter(|q| q.nrp == p.nrp && q.start_date == p.start_date && q.wage_from <= day)
                .max_by_key(|q| q.wage_from)
                .map_or(p.daily_wage, |q| q.daily_wage)
        })
        .max()
}

fn covered(periods: &[RelationPeriod], b: Bimester) -> bool {
    periods
        .iter()
        .any(|p| p.start_date <= b.last_day() && p.end_date.is_none_or(|e| e >= b.first_day()))
}

impl Prequal {
    /// The points and rate tables in force, for other procedures that read the rate by income.
    pub fn points_tables(&self) -> &Arc<PointsTables> {
        &self.tables
    }

    pub fn new(
        store: Arc<dyn Store>,
        reference: Arc<ReferenceTables>,
        tables: Arc<PointsTables>,
    ) -> Prequal {
        Prequal {
            store,
            reference,
            tables,
        }
    }

    /// The points engine's input for a member on `as_of`, from the registry. What the
    /// registry does not hold (worker type, the employer's stability and context, the credit
    /// bureau) takes the engine's neutral values, and the page says so.
    pub async fn input_for(
        &self,
        member: MemberId,
        as_of: Date,
    ) -> Result<PointsInput, PrequalError> {
        let last = Bimester::containing(as_of).previous();
        // The last bimester already due: did the employer of that time pay it?
        let mut due = last;
        while due.last_day() + Duration::days(17) >= as_of {
            due = due.previous();
        }
        let record = self
            .store
            .points_record(member, due.first_day())
            .await?
            .ok_or(PrequalError::NoMember)?;
        let person = record.member.person;
        let periods = record.relations;
        let wages: Vec<Money> = (0..6)
            .scan(last, |b, _| {
                let this = *b;
                *b = b.previous();
                Some(this)
            })
            .filter_map(|b| wage_on(&periods, b.last_day()))
            .collect();
        let average = if wages.is_empty() {
            Money::ZERO
        } else {
            Money::from_centavos(
                wages.iter().map(|w| w.centavos()).sum::<i64>() / wages.len() as i64,
            )
        };
        let mut continuous = 0u32;
        let mut b = last;
        while covered(&periods, b) && continuous < 600 {
            continuous += 1;
            b = b.previous();
        }
        let paid: BTreeSet<i32> = record.contributions.iter().map(|m| m.period).collect();
        let has_active_credit = record
            .credits
            .iter()
            .any(|c| c.status == CreditStatus::Active);
        // While a credit runs the employer pays into it, not into the subaccount.
        let employer_up_to_date =
            !covered(&periods, due) || paid.contains(&due.key()) || has_active_credit;
        let balances = record.balances;
        let savings = balances
            .iter()
            .filter(|b| {
                domain::savings::use_of(b.bucket) == domain::savings::Use::CreditOrRetirement
            })
            .map(|b| b.balance)
            .sum();
        Ok(PointsInput {
            as_of,
            birth_date: person.birth_date,
            sex: person.sex,
            current_daily_wage: wage_on(&periods, as_of).unwrap_or(Money::ZERO),
            average_daily_wage_6_bimesters: average,
            savings,
            continuous_bimesters: continuous,
            permanent_worker: true,
            employed_last_bimester: covered(&periods, last),
            employer_up_to_date,
            has_active_credit,
            employer_stable: true,
            context_grade: 2,
            credit_history: CreditHistory::None,
        })
    }

    /// The evaluation of `input` with the simulator's changes applied.
    pub fn outcome(
        &self,
        mut input: PointsInput,
        what_if: WhatIf,
    ) -> Result<Outcome, PrequalError> {
        if let Some(wage) = what_if.daily_wage {
            input.current_daily_wage = wage;
            input.average_daily_wage_6_bimesters = wage;
        }
        if let Some(savings) = what_if.savings {
            input.savings = savings;
        }
        if let Some(bimesters) = what_if.continuous_bimesters {
            input.continuous_bimesters = bimesters;
        }
        let evaluation = points::evaluate(&input, &self.tables, &self.reference)?;
        let conditions =
            points::conditions(&input, &evaluation, &self.reference, &self.tables).ok();
        let changes = points::what_would_it_take(&input, &self.tables, &self.reference)?;
        let products = [Product::Tradicional, Product::Cofinavit, Product::Mejoravit]
            .into_iter()
            .filter_map(|p| points::conditions_for(p, &[input], &self.tables, &self.reference).ok())
            .collect();
        Ok(Outcome {
            input,
            evaluation,
            conditions,
            changes,
            products,
        })
    }

    pub async fn for_member(
        &self,
        member: MemberId,
        as_of: Date,
        what_if: WhatIf,
    ) -> Result<Outcome, PrequalError> {
        let input = self.input_for(member, as_of).await?;
        self.outcome(input, what_if)
    }

    /// Unamos Créditos for two members, each evaluated on their own record as of `as_of`.
    pub async fn unamos(
        &self,
        member: MemberId,
        partner: MemberId,
        as_of: Date,
    ) -> Result<ProductOffer, PrequalError> {
        let applicants = [
            self.input_for(member, as_of).await?,
            self.input_for(partner, as_of).await?,
        ];
        Ok(points::conditions_for(
            Product::UnamosCreditos,
            &applicants,
            &self.tables,
            &self.reference,
        )?)
    }
}
