//! The savings statement ("Estado de cuenta de la Subcuenta de Vivienda"): opening balance,
//! abonos, cargos and closing balance per bucket for a period, and every movement in it with
//! the running balance of the whole subaccount.

use domain::bimester::Bimester;
use domain::money::Money;
use domain::registry::{Bucket, BucketBalance, Member, Movement, MovementKind};
use serde::Serialize;
use time::Date;

use crate::member::MemberInput;
use crate::{Document, DocumentError, DocumentKind, format};

/// One bucket's figures for the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BucketSummary {
    pub bucket: Bucket,
    pub opening: Money,
    /// Sum of the positive movements.
    pub credits: Money,
    /// Sum of the negative movements (a negative amount or zero).
    pub debits: Money,
    pub closing: Money,
}

/// One movement as the statement lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub booked_on: Date,
    /// The bimester a contribution pays for.
    pub bimester: Option<Bimester>,
    /// The year a yield is for.
    pub yield_year: Option<i32>,
    pub kind: MovementKind,
    pub bucket: Bucket,
    pub amount: Money,
    /// The whole subaccount's balance after this movement.
    pub balance: Money,
}

/// Everything the statement shows, computed from the ledger by [`StatementData::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementData {
    pub member: Member,
    pub period_from: Date,
    pub period_to: Date,
    /// Every bucket, in [`Bucket::ALL`] order, whether or not it holds money.
    pub buckets: Vec<BucketSummary>,
    /// The period's movements by booking date.
    pub lines: Vec<StatementLine>,
}

impl StatementData {
    /// The statement of `member` from `period_from` to `period_to` (both included), given the
    /// balances by bucket at the start of the period and the movements booked in it. Errors
    /// with `statement_period` when the period is empty and `statement_movement_outside_period`
    /// or `statement_other_member` when a movement does not belong.
    pub fn new(
        member: Member,
        period_from: Date,
        period_to: Date,
        opening: &[BucketBalance],
        movements: &[Movement],
    ) -> Result<StatementData, DocumentError> {
        if period_to < period_from {
            return Err(DocumentError::Input("statement_period".into()));
        }
        let mut buckets: Vec<BucketSummary> = Bucket::ALL
            .into_iter()
            .map(|bucket| {
                let opening = opening
                    .iter()
                    .filter(|b| b.bucket == bucket)
                    .map(|b| b.balance)
                    .sum();
                BucketSummary {
                    bucket,
                    opening,
                    credits: Money::ZERO,
                    debits: Money::ZERO,
                    closing: opening,
                }
            })
            .collect();
        let mut ordered: Vec<&Movement> = movements.iter().collect();
        ordered.sort_by_key(|m| m.booked_on);
        let mut balance: Money = buckets.iter().map(|b| b.opening).sum();
        let mut lines = Vec::with_capacity(ordered.len());
        for m in ordered {
            if m.member_id != member.member_id {
                return Err(DocumentError::Input("statement_other_member".into()));
            }
            if m.booked_on < period_from || m.booked_on > period_to {
                return Err(DocumentError::Input(
                    "statement_movement_outside_period".into(),
                ));
            }
            if let Some(summary) = buckets.iter_mut().find(|b| b.bucket == m.bucket) {
                if m.amount.is_negative() {
                    summary.debits += m.amount;
                } else {
                    summary.credits += m.amount;
                }
                summary.closing += m.amount;
            }
            balance += m.amount;
            lines.push(StatementLine {
                booked_on: m.booked_on,
                bimester: (m.kind == MovementKind::Contribution)
                    .then(|| Bimester::from_key(m.period).ok())
                    .flatten(),
                yield_year: (m.kind == MovementKind::Yield).then_some(m.period),
                kind: m.kind,
                bucket: m.bucket,
                amount: m.amount,
                balance,
            });
        }
        Ok(StatementData {
            member,
            period_from,
            period_to,
            buckets,
            lines,
        })
    }

    pub fn opening_total(&self) -> Money {
        self.buckets.iter().map(|b| b.opening).sum()
    }

    pub fn closing_total(&self) -> Money {
        self.buckets.iter().map(|b| b.closing).sum()
    }
}

/// What the template reads: display-ready text only.
#[derive(Serialize)]
struct Input<'a> {
    member: MemberInput<'a>,
    period: PeriodInput,
    buckets: Vec<FiguresInput>,
    totals: FiguresInput,
    lines: Vec<LineInput>,
}

#[derive(Serialize)]
struct PeriodInput {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct FiguresInput {
    /// The bucket's code; empty for the totals.
    bucket: &'static str,
    opening: String,
    credits: String,
    debits: String,
    closing: String,
}

#[derive(Serialize)]
struct LineInput {
    date: String,
    period: String,
    kind: &'static str,
    bucket: &'static str,
    amount: String,
    balance: String,
}

fn figures(bucket: &'static str, opening: Money, credits: Money, debits: Money) -> FiguresInput {
    FiguresInput {
        bucket,
        opening: format::money(opening),
        credits: format::money(credits),
        debits: format::money(debits),
        closing: format::money(opening + credits + debits),
    }
}

impl Document for StatementData {
    fn kind(&self) -> DocumentKind {
        DocumentKind::SavingsStatement
    }

    fn template_input(&self) -> impl Serialize {
        let sum = |f: fn(&BucketSummary) -> Money| self.buckets.iter().map(f).sum::<Money>();
        Input {
            member: MemberInput::new(&self.member),
            period: PeriodInput {
                from: format::long_date(self.period_from),
                to: format::long_date(self.period_to),
            },
            buckets: self
                .buckets
                .iter()
                .map(|b| figures(b.bucket.code(), b.opening, b.credits, b.debits))
                .collect(),
            totals: figures(
                "",
                sum(|b| b.opening),
                sum(|b| b.credits),
                sum(|b| b.debits),
            ),
            lines: self
                .lines
                .iter()
                .map(|l| LineInput {
                    date: format::short_date(l.booked_on),
                    period: match (l.bimester, l.yield_year) {
                        (Some(bimester), _) => bimester.to_string(),
                        (None, Some(year)) => year.to_string(),
                        (None, None) => String::new(),
                    },
                    kind: l.kind.code(),
                    bucket: l.bucket.code(),
                    amount: format::money(l.amount),
                    balance: format::money(l.balance),
                })
                .collect(),
        }
    }
}
