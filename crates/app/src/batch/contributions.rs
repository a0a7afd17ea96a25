//! `vivienda batch contributions FILE`: one bimester's employer payments
//! (`nss,nrp,bimester,amount[,paid_on]`), posted to the ledger. Each row is matched by NSS and
//! checked: the member exists, had a relation with that employer in that bimester, the amount
//! is 5% of the wage for the days worked (within a tolerance), and it is not paid twice. Good
//! rows are posted in one batch; bad ones go to `FILE.rejects.csv` with line and reason; the
//! members an employer should have paid for and did not go to `FILE.arrears.csv`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use domain::bimester::Bimester;
use domain::ids::Nss;
use domain::money::Money;
use domain::reference::ReferenceTables;
use domain::registry::{Bucket, MemberId, Movement, MovementKind, Nrp, RelationPeriod};
use domain::savings;
use serde::Serialize;
use store::{FileIdentity, ImportKind, ImportTotals, MovementFilter, Store, StoreError};
use time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("the file has no rows")]
    Empty,
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Why a row was not posted; the code is what the rejects file says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Reject {
    Malformed,
    UnknownNss,
    BadNrp,
    BadBimester,
    /// Every row of a file is for the same bimester: the first row's.
    OtherBimester,
    BadAmount,
    NoRelation,
    /// The amount differs from 5% of the capped wage for the days worked.
    AmountMismatch,
    DuplicateInFile,
    AlreadyPosted,
}

impl Reject {
    pub fn code(self) -> &'static str {
        match self {
            Reject::Malformed => "malformed_row",
            Reject::UnknownNss => "unknown_nss",
            Reject::BadNrp => "invalid_nrp",
            Reject::BadBimester => "invalid_bimester",
            Reject::OtherBimester => "other_bimester",
            Reject::BadAmount => "invalid_amount",
            Reject::NoRelation => "no_relation_in_bimester",
            Reject::AmountMismatch => "amount_not_five_percent",
            Reject::DuplicateInFile => "duplicate_in_file",
            Reject::AlreadyPosted => "already_posted",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContributionReport {
    pub bimester: Option<String>,
    pub rows: u64,
    pub posted: u64,
    pub total: Money,
    pub rejected: u64,
    /// (member, employer) pairs with a relation in the bimester and no payment in the file.
    pub arrears: u64,
    pub rejects_file: Option<PathBuf>,
    pub arrears_file: Option<PathBuf>,
    pub previous_batch: Option<i64>,
}

/// How far a payment may be from the expected 5%: a peso, or 0.5% of the expected amount.
fn tolerance(expected: Money) -> i64 {
    (expected.centavos().abs() / 200).max(100)
}

/// 5% of the capped wage for every day of the bimester the relation covered.
pub fn expected_contribution(
    periods: &[&RelationPeriod],
    b: Bimester,
    tables: &ReferenceTables,
) -> Money {
    let (first, last) = (b.first_day(), b.last_day());
    let cap = savings::daily_wage_cap(tables, first);
    let mut total = Money::ZERO;
    for (i, p) in periods.iter().enumerate() {
        let next_wage = periods
            .get(i + 1)
            .filter(|n| n.start_date == p.start_date)
            .and_then(|n| n.wage_from.previous_day());
        let end = next_wage.or(p.end_date).unwrap_or(last).min(last);
        let start = p.wage_from.max(first);
        if start > end {
            continue;
        }
        let days = u32::try_from((end - start).whole_days() + 1).unwrap_or(0);
        total += savings::contribution(p.daily_wage, cap, days);
    }
    total
}

struct Row {
    line: u64,
    nss: String,
    nrp: String,
    bimester: String,
    amount: String,
    paid_on: String,
}

pub async fn post_contributions(
    store: &dyn Store,
    tables: &ReferenceTables,
    file: &Path,
) -> Result<ContributionReport, BatchError> {
    let read_err = |reason: String| BatchError::Read {
        path: file.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(file).map_err(|e| read_err(e.to_string()))?;
    let sha256 = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| read_err(e.to_string()))?;
        let field = |n: usize| record.get(n).unwrap_or("").to_owned();
        rows.push(Row {
            line,
            nss: field(0),
            nrp: field(1),
            bimester: field(2),
            amount: field(3),
            paid_on: field(4),
        });
    }
    if rows.is_empty() {
        return Err(BatchError::Empty);
    }
    let mut report = ContributionReport {
        rows: rows.len() as u64,
        ..ContributionReport::default()
    };
    let identity = FileIdentity {
        kind: ImportKind::ContributionPosting,
        sha256,
        file_name: file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    };
    let mut batch = match store.begin_import(&identity).await {
        Ok(b) => b,
        Err(StoreError::AlreadyImported { batch_id }) => {
            report.previous_batch = Some(batch_id);
            return Ok(report);
        }
        Err(e) => return Err(e.into()),
    };
    let bimester = Bimester::parse(&rows[0].bimester).ok();
    report.bimester = bimester.map(|b| format!("{}-{}", b.year(), b.number()));
    let mut rejects: Vec<(u64, Reject, String)> = Vec::new();
    let mut postings: Vec<Movement> = Vec::new();
    let mut seen: BTreeSet<(i64, String)> = BTreeSet::new();
    let mut paid: BTreeSet<(i64, String)> = BTreeSet::new();
    for row in &rows {
        let mut reject = |why: Reject, detail: String| rejects.push((row.line, why, detail));
        let Some(b) = bimester else {
            reject(Reject::BadBimester, row.bimester.clone());
            continue;
        };
        match Bimester::parse(&row.bimester) {
            Ok(this) if this == b => {}
            Ok(_) => {
                reject(Reject::OtherBimester, row.bimester.clone());
                continue;
            }
            Err(_) => {
                reject(Reject::BadBimester, row.bimester.clone());
                continue;
            }
        }
        let Ok(nss) = Nss::parse(&row.nss) else {
            reject(Reject::UnknownNss, row.nss.clone());
            continue;
        };
        let Ok(nrp) = Nrp::parse(&row.nrp) else {
            reject(Reject::BadNrp, row.nrp.clone());
            continue;
        };
        let amount = match Money::parse(&row.amount) {
            Ok(m) if m.centavos() > 0 => m,
            _ => {
                reject(Reject::BadAmount, row.amount.clone());
                continue;
            }
        };
        let booked_on = if row.paid_on.is_empty() {
            b.last_day() + Duration::days(17)
        } else {
            match domain::dates::parse_iso(&row.paid_on) {
                Ok(d) => d,
                Err(_) => {
                    reject(Reject::Malformed, row.paid_on.clone());
                    continue;
                }
            }
        };
        let Some(member) = store.member_by_nss(&nss).await? else {
            reject(Reject::UnknownNss, row.nss.clone());
            continue;
        };
        let id = member.member_id;
        if !seen.insert((id.0, nrp.as_str().to_owned())) {
            reject(Reject::DuplicateInFile, format!("{} {}", row.nss, row.nrp));
            continue;
        }
        let periods = store.relations(id).await?;
        let with_employer: Vec<&RelationPeriod> = periods
            .iter()
            .filter(|p| {
                p.nrp == nrp
                    && p.start_date <= b.last_day()
                    && p.end_date.is_none_or(|e| e >= b.first_day())
            })
            .collect();
        if with_employer.is_empty() {
            reject(Reject::NoRelation, format!("{} {}", row.nss, row.nrp));
            continue;
        }
        let expected = expected_contribution(&with_employer, b, tables);
        if (amount.centavos() - expected.centavos()).abs() > tolerance(expected) {
            reject(
                Reject::AmountMismatch,
                format!("paid {amount}, expected {expected}"),
            );
            continue;
        }
        let posted_before = store
            .movements(
                id,
                &MovementFilter {
                    kinds: vec![MovementKind::Contribution],
                    ..MovementFilter::default()
                },
            )
            .await?
            .iter()
            .any(|m| m.period == b.key() && m.source == nrp.source_key());
        if posted_before {
            reject(Reject::AlreadyPosted, format!("{} {}", row.nss, row.nrp));
            continue;
        }
        paid.insert((id.0, nrp.as_str().to_owned()));
        postings.push(Movement {
            member_id: id,
            bucket: Bucket::for_contribution(b),
            kind: MovementKind::Contribution,
            period: b.key(),
            source: nrp.source_key(),
            amount,
            booked_on,
        });
    }
    report.posted = batch.insert_movements(&postings).await?;
    report.total = postings.iter().map(|m| m.amount).sum();
    report.rejected = rejects.len() as u64;
    // Arrears: who each employer of the file employed in the bimester and did not pay for.
    let mut arrears: BTreeMap<(i64, String), ()> = BTreeMap::new();
    if let Some(b) = bimester {
        let employers: BTreeSet<Nrp> = rows
            .iter()
            .filter_map(|r| Nrp::parse(&r.nrp).ok())
            .collect();
        let employers: Vec<Nrp> = employers.into_iter().collect();
        for p in store
            .periods_of_employers(&employers, b.first_day(), b.last_day())
            .await?
        {
            let key = (p.member_id.0, p.nrp.as_str().to_owned());
            if !paid.contains(&key) {
                arrears.insert(key, ());
            }
        }
    }
    report.arrears = arrears.len() as u64;
    report.rejects_file = write_report(
        file,
        "rejects",
        "line,reason,detail",
        rejects
            .iter()
            .map(|(line, why, detail)| format!("{line},{},{}", why.code(), csv_field(detail))),
    )?;
    let nss_of = |id: i64| async move {
        store
            .member(MemberId(id))
            .await
            .ok()
            .flatten()
            .map(|m| m.person.nss.as_str().to_owned())
            .unwrap_or_default()
    };
    let mut arrears_lines = Vec::new();
    for (member, nrp) in arrears.keys() {
        let bimester_text = report.bimester.clone().unwrap_or_default();
        arrears_lines.push(format!("{},{nrp},{bimester_text}", nss_of(*member).await));
    }
    report.arrears_file = write_report(
        file,
        "arrears",
        "nss,nrp,bimester",
        arrears_lines.into_iter(),
    )?;
    batch
        .commit(ImportTotals {
            accepted: report.posted,
            rejected: report.rejected,
            duplicates: 0,
            warnings: report.arrears,
        })
        .await?;
    Ok(report)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// `FILE.csv` → `FILE.<what>.csv` beside it, when there is anything to say.
fn write_report(
    file: &Path,
    what: &str,
    header: &str,
    lines: impl Iterator<Item = String>,
) -> Result<Option<PathBuf>, BatchError> {
    let lines: Vec<String> = lines.collect();
    let path = file.with_extension(format!("{what}.csv"));
    if lines.is_empty() {
        let _ = std::fs::remove_file(&path);
        return Ok(None);
    }
    let text = format!("{header}\n{}\n", lines.join("\n"));
    std::fs::write(&path, text).map_err(|e| BatchError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Some(path))
}
