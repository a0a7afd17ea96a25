//! Reading the member registry.

use async_trait::async_trait;
use domain::credit::DiscountChange;
use domain::ids::{Curp, Nss};
use domain::money::Money;
use domain::registry::{
    Bucket, BucketBalance, Credit, CreditMovement, CreditNumber, Employer, Member, MemberId,
    Movement, MovementKind, Nrp, RelationPeriod,
};
use serde::Serialize;
use time::Date;

use crate::StoreError;

/// Which ledger movements to list. Empty lists mean "all".
#[derive(Clone, Debug, Default)]
pub struct MovementFilter {
    pub kinds: Vec<MovementKind>,
    pub buckets: Vec<Bucket>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl MovementFilter {
    pub fn matches(&self, m: &Movement) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&m.kind))
            && (self.buckets.is_empty() || self.buckets.contains(&m.bucket))
            && self.from.is_none_or(|from| m.booked_on >= from)
            && self.to.is_none_or(|to| m.booked_on <= to)
    }
}

/// What pre-qualification reads of a member: the record, every employment period, the
/// contributions booked from a date, the credits and the balances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsRecord {
    pub member: Member,
    pub relations: Vec<RelationPeriod>,
    pub contributions: Vec<Movement>,
    pub credits: Vec<Credit>,
    pub balances: Vec<BucketBalance>,
}

/// A member's balances and the dates that explain them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavingsOverview {
    pub balances: Vec<BucketBalance>,
    pub last_contribution: Option<Date>,
    pub last_yield: Option<Date>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegistryCounts {
    pub members: u64,
    pub employers: u64,
    pub relation_periods: u64,
    pub movements: u64,
    pub credits: u64,
    pub credit_movements: u64,
}

/// A stored balance that differs from the sum of its movements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerMismatch {
    pub member_id: MemberId,
    pub bucket: Bucket,
    pub stored: Money,
    pub sum_of_movements: Money,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LedgerCheck {
    pub balances_checked: u64,
    /// The first mismatches found (at most 100).
    pub mismatches: Vec<LedgerMismatch>,
}

/// One balance the yearly yield applies to, and whether that year's yield is already posted
/// on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct YieldBase {
    pub member_id: MemberId,
    pub bucket: Bucket,
    pub balance: Money,
    pub already_posted: bool,
}

/// A VSM credit's balance at the end of a year, read by the yearly re-indexation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReindexBase {
    pub member_id: MemberId,
    pub credit_number: CreditNumber,
    /// What was owed at the close of 31 December of the year before.
    pub balance: Money,
    /// Whether this year's re-indexation movement is already booked.
    pub already_posted: bool,
}

/// A discount recorded for a credit, as imported from the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditDiscount {
    pub member_id: MemberId,
    pub credit_number: CreditNumber,
    pub change: DiscountChange,
}

#[async_trait]
pub trait RegistryRepo {
    async fn member(&self, id: MemberId) -> Result<Option<Member>, StoreError>;
    async fn member_by_nss(&self, nss: &Nss) -> Result<Option<Member>, StoreError>;
    async fn member_by_curp(&self, curp: &Curp) -> Result<Option<Member>, StoreError>;
    async fn employer(&self, nrp: &Nrp) -> Result<Option<Employer>, StoreError>;
    /// Balances of the four buckets; a bucket never touched is absent.
    async fn balances(&self, id: MemberId) -> Result<Vec<BucketBalance>, StoreError>;
    /// The balances with the dates of the last contribution and the last yield: what
    /// "Cuánto ahorro tengo" shows, in one read.
    async fn savings_overview(&self, id: MemberId) -> Result<SavingsOverview, StoreError>;
    /// Movements in booking order (oldest first), filtered.
    async fn movements(
        &self,
        id: MemberId,
        filter: &MovementFilter,
    ) -> Result<Vec<Movement>, StoreError>;
    /// Every period of every employment relation, oldest first.
    async fn relations(&self, id: MemberId) -> Result<Vec<RelationPeriod>, StoreError>;
    async fn credits(&self, id: MemberId) -> Result<Vec<Credit>, StoreError>;
    /// What pre-qualification reads of a member, with the contributions booked on or after
    /// `contributions_from`; `None` when there is no such member. The same as the separate
    /// reads; an engine may read it all at once.
    async fn points_record(
        &self,
        id: MemberId,
        contributions_from: Date,
    ) -> Result<Option<PointsRecord>, StoreError> {
        let Some(member) = self.member(id).await? else {
            return Ok(None);
        };
        let contributions = MovementFilter {
            kinds: vec![MovementKind::Contribution],
            from: Some(contributions_from),
            ..MovementFilter::default()
        };
        Ok(Some(PointsRecord {
            member,
            relations: self.relations(id).await?,
            contributions: self.movements(id, &contributions).await?,
            credits: self.credits(id).await?,
            balances: self.balances(id).await?,
        }))
    }
    /// The balance owed on a credit: the sum of its movements, kept with the credit.
    async fn credit_balance(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Option<Money>, StoreError>;
    async fn credit_movements(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<CreditMovement>, StoreError>;
    /// The discounts recorded for a credit, oldest first.
    async fn credit_discounts(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<DiscountChange>, StoreError>;
    /// Active VSM credits granted before `year`, in (member, credit) order after `after`, with
    /// the balance owed at the end of `year − 1` and whether the movement `R{year}` exists.
    async fn reindex_bases(
        &self,
        year: i32,
        after: Option<(MemberId, CreditNumber)>,
        limit: u32,
    ) -> Result<Vec<ReindexBase>, StoreError>;
    async fn counts(&self) -> Result<RegistryCounts, StoreError>;
    /// The booking date of the member's latest movement of `kind` in any bucket (a few index
    /// look-ups, not a scan of the ledger).
    async fn last_movement_on(
        &self,
        id: MemberId,
        kind: MovementKind,
    ) -> Result<Option<Date>, StoreError>;
    /// Every employment period with one of these employers that overlaps `from..=to`: who
    /// an employer should have paid for in a bimester.
    async fn periods_of_employers(
        &self,
        nrps: &[Nrp],
        from: Date,
        to: Date,
    ) -> Result<Vec<RelationPeriod>, StoreError>;
    /// The balances of the buckets that earn yield (SCV 92, SCV 97, Solo Infonavit), in
    /// (member, bucket) order after `after`, at most `limit`, each saying whether `year`'s yield
    /// was already posted on it.
    async fn yield_bases(
        &self,
        year: i32,
        after: Option<(MemberId, Bucket)>,
        limit: u32,
    ) -> Result<Vec<YieldBase>, StoreError>;
    /// Proves every stored balance equals the sum of its movements (`vivienda audit ledger`).
    async fn check_ledger(&self) -> Result<LedgerCheck, StoreError>;
}

/// Every (member, bucket) with its stored balance and the sum of its movements; a key on one
/// side only counts as zero on the other. One text for both engines.
pub const LEDGER_CHECK_SQL: &str = "
    SELECT COALESCE(m.member_id, b.member_id), COALESCE(m.bucket, b.bucket),
           COALESCE(b.balance, 0), COALESCE(m.total, 0)
    FROM (SELECT member_id, bucket, SUM(amount) AS total
          FROM subaccount_movements GROUP BY member_id, bucket) m
    FULL OUTER JOIN subaccount_balances b
      ON b.member_id = m.member_id AND b.bucket = m.bucket";

impl LedgerCheck {
    /// Counts one compared balance and keeps it if it disagrees (the first 100 only).
    pub fn record(
        &mut self,
        member: i64,
        bucket: i64,
        stored: i64,
        sum: i64,
    ) -> Result<(), StoreError> {
        self.balances_checked += 1;
        if stored != sum && self.mismatches.len() < 100 {
            self.mismatches.push(LedgerMismatch {
                member_id: MemberId(member),
                bucket: Bucket::from_number(bucket)
                    .ok_or_else(|| StoreError::corrupt("subaccount_balances", "bucket"))?,
                stored: Money::from_centavos(stored),
                sum_of_movements: Money::from_centavos(sum),
            });
        }
        Ok(())
    }
}
