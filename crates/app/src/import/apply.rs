//! Applying a chunk of parsed rows to an open batch: resolving members, employers and credits,
//! telling duplicates from conflicts, and inserting what is left.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use domain::registry::{
    Bucket, CreditMovement, Employer, MemberId, Movement, MovementKind, Person, RelationPeriod,
};
use store::{ImportBatch, ImportKind, StoreError};

use super::rows::{
    self, ContributionRow, CreditDiscountRow, CreditMovementRow, CreditRow, HoldRow, PensionRow,
    RelationRow, RowError, bad,
};

/// A parsed row, its line, and where its original text sits in the chunk's buffer (kept for
/// the rejects file without a heap allocation per row).
pub(crate) struct Pending<T> {
    line: u64,
    raw: std::ops::Range<usize>,
    row: T,
}

pub(crate) struct Chunk {
    raw: String,
    rows: Rows,
}

pub(crate) enum Rows {
    Members(Vec<Pending<(Person, bool)>>),
    Employers(Vec<Pending<Employer>>),
    Relations(Vec<Pending<RelationRow>>),
    Contributions(Vec<Pending<ContributionRow>>),
    Credits(Vec<Pending<CreditRow>>),
    CreditMovements(Vec<Pending<CreditMovementRow>>),
    CreditDiscounts(Vec<Pending<CreditDiscountRow>>),
    Pensions(Vec<Pending<PensionRow>>),
    Holds(Vec<Pending<HoldRow>>),
}

#[derive(Default)]
struct Outcome {
    pub accepted: u64,
    pub duplicates: u64,
    pub warnings: u64,
    pub rejected: Vec<(u64, std::ops::Range<usize>, RowError)>,
}

fn pending<T>(
    raw: &mut String,
    line: u64,
    record: &csv::StringRecord,
    parsed: Result<T, RowError>,
) -> Result<Pending<T>, RowError> {
    let row = parsed?;
    let start = raw.len();
    join_fields(raw, record);
    Ok(Pending {
        line,
        raw: start..raw.len(),
        row,
    })
}

/// The record's fields joined by commas, as the rejects file shows a row.
pub(crate) fn join_fields(out: &mut String, record: &csv::StringRecord) {
    for (i, field) in record.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(field);
    }
}

/// Distinct keys in first-seen order, and for each row the index of its key.
fn distinct<K: Clone + Eq + Hash>(keys: impl Iterator<Item = K>) -> (Vec<K>, Vec<usize>) {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut unique = Vec::new();
    let positions = keys
        .map(|k| {
            *index.entry(k.clone()).or_insert_with(|| {
                unique.push(k);
                unique.len() - 1
            })
        })
        .collect();
    (unique, positions)
}

impl Chunk {
    pub(crate) fn new(kind: ImportKind) -> Chunk {
        let rows = match kind {
            ImportKind::Members => Rows::Members(Vec::new()),
            ImportKind::Employers => Rows::Employers(Vec::new()),
            ImportKind::Relations => Rows::Relations(Vec::new()),
            ImportKind::Contributions => Rows::Contributions(Vec::new()),
            ImportKind::Credits => Rows::Credits(Vec::new()),
            ImportKind::CreditDiscounts => Rows::CreditDiscounts(Vec::new()),
            ImportKind::Pensions => Rows::Pensions(Vec::new()),
            ImportKind::Holds => Rows::Holds(Vec::new()),
            ImportKind::CreditMovements
            | ImportKind::RequestPosting
            | ImportKind::CreditConversion
            | ImportKind::ReliefPosting
            | ImportKind::Reindexation
            | ImportKind::Synthetic
            | ImportKind::YieldPosting
            | ImportKind::ContributionPosting => Rows::CreditMovements(Vec::new()),
        };
        Chunk {
            raw: String::new(),
            rows,
        }
    }

    pub(crate) fn len(&self) -> usize {
        match &self.rows {
            Rows::Members(v) => v.len(),
            Rows::Employers(v) => v.len(),
            Rows::Relations(v) => v.len(),
            Rows::Contributions(v) => v.len(),
            Rows::Credits(v) => v.len(),
            Rows::CreditMovements(v) => v.len(),
            Rows::CreditDiscounts(v) => v.len(),
            Rows::Pensions(v) => v.len(),
            Rows::Holds(v) => v.len(),
        }
    }

    /// Parses one record into the chunk, or says why it is rejected.
    pub(crate) fn push(&mut self, line: u64, rec: &csv::StringRecord) -> Result<(), RowError> {
        let raw = &mut self.raw;
        match &mut self.rows {
            Rows::Members(v) => v.push(pending(raw, line, rec, rows::member(rec))?),
            Rows::Employers(v) => v.push(pending(raw, line, rec, rows::employer(rec))?),
            Rows::Relations(v) => v.push(pending(raw, line, rec, rows::relation(rec))?),
            Rows::Contributions(v) => v.push(pending(raw, line, rec, rows::contribution(rec))?),
            Rows::Credits(v) => v.push(pending(raw, line, rec, rows::credit(rec))?),
            Rows::CreditMovements(v) => {
                v.push(pending(raw, line, rec, rows::credit_movement(rec))?)
            }
            Rows::CreditDiscounts(v) => {
                v.push(pending(raw, line, rec, rows::credit_discount(rec))?)
            }
            Rows::Pensions(v) => v.push(pending(raw, line, rec, rows::pension(rec))?),
            Rows::Holds(v) => v.push(pending(raw, line, rec, rows::hold(rec))?),
        }
        Ok(())
    }

    /// Writes the chunk to the batch. Rows refused on the way come back with their text.
    pub(crate) async fn apply(self, batch: &mut dyn ImportBatch) -> Result<Applied, StoreError> {
        let outcome = match self.rows {
            _ if self.len() == 0 => Outcome::default(),
            Rows::Members(v) => members(batch, v).await?,
            Rows::Employers(v) => employers(batch, v).await?,
            Rows::Relations(v) => relations(batch, v).await?,
            Rows::Contributions(v) => contributions(batch, v).await?,
            Rows::Credits(v) => credits(batch, v).await?,
            Rows::CreditMovements(v) => credit_movements(batch, v).await?,
            Rows::CreditDiscounts(v) => credit_discounts(batch, v).await?,
            Rows::Pensions(v) => pensions(batch, v).await?,
            Rows::Holds(v) => holds(batch, v).await?,
        };
        let rejected = outcome
            .rejected
            .iter()
            .map(|(line, range, error)| {
                (
                    *line,
                    self.raw.get(range.clone()).unwrap_or_default().to_owned(),
                    *error,
                )
            })
            .collect();
        Ok(Applied {
            accepted: outcome.accepted,
            duplicates: outcome.duplicates,
            warnings: outcome.warnings,
            rejected,
        })
    }
}

/// What became of a chunk.
pub(crate) struct Applied {
    pub accepted: u64,
    pub duplicates: u64,
    pub warnings: u64,
    /// Line, the row as text, and why.
    pub rejected: Vec<(u64, String, RowError)>,
}

async fn members(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<(Person, bool)>>,
) -> Result<Outcome, StoreError> {
    let nss: Vec<_> = rows.iter().map(|p| p.row.0.nss).collect();
    let curps: Vec<_> = rows.iter().map(|p| p.row.0.curp).collect();
    let known = batch.member_ids(&nss).await?;
    let owners = batch.curp_owners(&curps).await?;
    let mut out = Outcome::default();
    let (mut seen_nss, mut seen_curp) = (HashSet::new(), HashSet::new());
    let mut insert = Vec::with_capacity(rows.len());
    for ((p, known), owner) in rows.into_iter().zip(known).zip(owners) {
        let (person, warned) = p.row;
        if known.is_some() || !seen_nss.insert(person.nss) {
            out.duplicates += 1;
        } else if owner.is_some() || !seen_curp.insert(person.curp) {
            out.rejected
                .push((p.line, p.raw, bad("curp", "curp_taken")));
        } else {
            out.warnings += u64::from(warned);
            insert.push(person);
        }
    }
    out.accepted = batch.insert_members(&insert).await?.len() as u64;
    Ok(out)
}

async fn employers(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<Employer>>,
) -> Result<Outcome, StoreError> {
    let nrps: Vec<_> = rows.iter().map(|p| p.row.nrp).collect();
    let known = batch.employers_known(&nrps).await?;
    let mut out = Outcome::default();
    let mut seen = HashSet::new();
    let mut insert = Vec::with_capacity(rows.len());
    for (p, known) in rows.into_iter().zip(known) {
        if known || !seen.insert(p.row.nrp) {
            out.duplicates += 1;
        } else {
            insert.push(p.row);
        }
    }
    out.accepted = batch.insert_employers(&insert).await?;
    out.duplicates += insert.len() as u64 - out.accepted;
    Ok(out)
}

/// Resolves each row's NSS (and optionally NRP), rejecting rows whose member or employer the
/// registry does not hold. Returns the surviving rows with their member ids.
async fn resolve<T>(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<T>>,
    nss_of: impl Fn(&T) -> domain::ids::Nss,
    nrp_of: Option<&(dyn Fn(&T) -> domain::registry::Nrp + Sync)>,
    out: &mut Outcome,
) -> Result<Vec<(MemberId, T)>, StoreError> {
    let (unique_nss, nss_index) = distinct(rows.iter().map(|p| nss_of(&p.row)));
    let members = batch.member_ids(&unique_nss).await?;
    let employers_ok: Option<(Vec<bool>, Vec<usize>)> = match nrp_of {
        Some(nrp_of) => {
            let (unique, index) = distinct(rows.iter().map(|p| nrp_of(&p.row)));
            Some((batch.employers_known(&unique).await?, index))
        }
        None => None,
    };
    let mut kept = Vec::with_capacity(rows.len());
    for (i, p) in rows.into_iter().enumerate() {
        let Some(member) = members[nss_index[i]] else {
            out.rejected
                .push((p.line, p.raw, bad("nss", "unknown_nss")));
            continue;
        };
        if let Some((known, index)) = &employers_ok
            && !known[index[i]]
        {
            out.rejected
                .push((p.line, p.raw, bad("nrp", "unknown_employer")));
            continue;
        }
        kept.push((member, p.row));
    }
    Ok(kept)
}

async fn relations(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<RelationRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let nrp_of = |r: &RelationRow| r.nrp;
    let kept = resolve(batch, rows, |r| r.nss, Some(&nrp_of), &mut out).await?;
    let periods: Vec<_> = kept
        .into_iter()
        .map(|(member_id, r)| RelationPeriod {
            member_id,
            nrp: r.nrp,
            start_date: r.start_date,
            end_date: r.end_date,
            wage_from: r.wage_from,
            daily_wage: r.daily_wage,
        })
        .collect();
    out.accepted = batch.insert_relations(&periods).await?;
    out.duplicates = periods.len() as u64 - out.accepted;
    Ok(out)
}

async fn contributions(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<ContributionRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let nrp_of = |r: &ContributionRow| r.nrp;
    let kept = resolve(batch, rows, |r| r.nss, Some(&nrp_of), &mut out).await?;
    let movements: Vec<_> = kept
        .into_iter()
        .map(|(member_id, r)| Movement {
            member_id,
            bucket: Bucket::for_contribution(r.bimester),
            kind: MovementKind::Contribution,
            period: r.bimester.key(),
            source: r.nrp.source_key(),
            amount: r.amount,
            booked_on: r.booked_on,
        })
        .collect();
    out.accepted = batch.insert_movements(&movements).await?;
    out.duplicates = movements.len() as u64 - out.accepted;
    Ok(out)
}

async fn credits(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<CreditRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let numbers: Vec<_> = rows
        .iter()
        .map(|p| p.row.credit.credit_number.clone())
        .collect();
    let owners = batch.credit_owners(&numbers).await?;
    let (unique_nss, nss_index) = distinct(rows.iter().map(|p| p.row.nss));
    let members = batch.member_ids(&unique_nss).await?;
    let mut seen = HashSet::new();
    let mut insert = Vec::with_capacity(rows.len());
    for (i, (p, owner)) in rows.into_iter().zip(owners).enumerate() {
        let Some(member) = members[nss_index[i]] else {
            out.rejected
                .push((p.line, p.raw, bad("nss", "unknown_nss")));
            continue;
        };
        match owner {
            Some(owner) if owner == member => out.duplicates += 1,
            Some(_) => out
                .rejected
                .push((p.line, p.raw, bad("credit_number", "credit_taken"))),
            None if !seen.insert(p.row.credit.credit_number.clone()) => out.duplicates += 1,
            None => insert.push(domain::registry::Credit {
                member_id: member,
                ..p.row.credit
            }),
        }
    }
    out.accepted = batch.insert_credits(&insert).await?;
    out.duplicates += insert.len() as u64 - out.accepted;
    Ok(out)
}

async fn credit_movements(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<CreditMovementRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let (unique, index) = distinct(rows.iter().map(|p| p.row.credit_number.clone()));
    let owners = batch.credit_owners(&unique).await?;
    let mut insert = Vec::with_capacity(rows.len());
    for (i, p) in rows.into_iter().enumerate() {
        match owners[index[i]] {
            None => out
                .rejected
                .push((p.line, p.raw, bad("credit_number", "unknown_credit"))),
            Some(member_id) => insert.push(CreditMovement {
                member_id,
                credit_number: p.row.credit_number,
                reference: p.row.reference,
                kind: p.row.kind,
                booked_on: p.row.booked_on,
                amount: p.row.amount,
            }),
        }
    }
    out.accepted = batch.insert_credit_movements(&insert).await?;
    out.duplicates = insert.len() as u64 - out.accepted;
    Ok(out)
}

async fn credit_discounts(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<CreditDiscountRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let (unique, index) = distinct(rows.iter().map(|p| p.row.credit_number.clone()));
    let owners = batch.credit_owners(&unique).await?;
    let mut insert = Vec::with_capacity(rows.len());
    for (i, p) in rows.into_iter().enumerate() {
        match owners[index[i]] {
            None => out
                .rejected
                .push((p.line, p.raw, bad("credit_number", "unknown_credit"))),
            Some(member_id) => insert.push(store::CreditDiscount {
                member_id,
                credit_number: p.row.credit_number,
                change: p.row.change,
            }),
        }
    }
    out.accepted = batch.insert_credit_discounts(&insert).await?;
    out.duplicates = insert.len() as u64 - out.accepted;
    Ok(out)
}

async fn pensions(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<PensionRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let kept = resolve(batch, rows, |r| r.nss, None, &mut out).await?;
    let insert: Vec<_> = kept
        .into_iter()
        .map(|(member_id, r)| domain::refund::PensionResolution {
            member_id,
            outcome: r.outcome,
            kind: r.kind,
            resolved_on: r.resolved_on,
        })
        .collect();
    out.accepted = batch.insert_pension_resolutions(&insert).await?;
    out.duplicates = insert.len() as u64 - out.accepted;
    Ok(out)
}

async fn holds(
    batch: &mut dyn ImportBatch,
    rows: Vec<Pending<HoldRow>>,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let kept = resolve(batch, rows, |r| r.nss, None, &mut out).await?;
    let insert: Vec<_> = kept
        .into_iter()
        .map(|(member_id, r)| domain::refund::SubaccountHold {
            member_id,
            kind: r.kind,
            placed_on: r.placed_on,
            lifted_on: r.lifted_on,
        })
        .collect();
    out.accepted = batch.insert_subaccount_holds(&insert).await?;
    out.duplicates = insert.len() as u64 - out.accepted;
    Ok(out)
}
