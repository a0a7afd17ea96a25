//! Loading a synthetic population (`vivienda demo`, `vivienda generate`) through the same
//! import batches as registry files: one batch, all or nothing, recorded so it loads once.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use domain::reference::{ReferenceError, ReferenceTables};
use domain::registry::Person;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{FileIdentity, ImportKind, ImportTotals, Store, StoreError};
use synth::{Config, MemberRecord, Profile};

/// Members per chunk written to the batch.
const CHUNK_MEMBERS: u32 = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the reference tables do not cover the population's dates: {0}")]
    Reference(#[from] ReferenceError),
}

/// A member worth showing in the demo, by kind.
#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    pub profile: &'static str,
    pub nss: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoadReport {
    /// False when this exact population was already in the database.
    pub loaded: bool,
    pub members: u64,
    pub movements: u64,
    pub relation_periods: u64,
    pub credits: u64,
    pub credit_movements: u64,
    pub samples: Vec<Sample>,
    /// Generated people whose NSS or CURP happened to repeat an earlier one's: left out.
    pub skipped: u64,
    #[serde(skip)]
    pub elapsed: Duration,
}

fn profile_code(p: Profile) -> &'static str {
    match p {
        Profile::Saver => "saver",
        Profile::VsmBorrower => "vsm_borrower",
        Profile::PesosBorrower => "pesos_borrower",
        Profile::PaidOff => "paid_off",
        Profile::Pensioner => "pensioner",
    }
}

/// The batch identity of a population: the same config always maps to the same "file".
fn identity(config: &Config) -> FileIdentity {
    let label = format!(
        "synthetic-v1 members={} seed={} until={}",
        config.members, config.seed, config.until
    );
    FileIdentity {
        kind: ImportKind::Synthetic,
        sha256: hex::encode(Sha256::digest(label.as_bytes())),
        file_name: label,
    }
}

/// The interesting members of a population, regenerated without touching the database.
pub fn samples(config: &Config, tables: &ReferenceTables) -> Result<Vec<Sample>, ReferenceError> {
    let wanted = [
        Profile::Saver,
        Profile::VsmBorrower,
        Profile::PesosBorrower,
        Profile::PaidOff,
        Profile::Pensioner,
    ];
    let mut found: Vec<Sample> = Vec::new();
    for index in 0..config.members {
        let m = synth::member(config, tables, index)?;
        if wanted.contains(&m.profile)
            && (m.profile != Profile::VsmBorrower || convertible(&m))
            && !found.iter().any(|s| s.profile == profile_code(m.profile))
        {
            found.push(sample(&m));
            if found.len() == wanted.len() {
                break;
            }
        }
    }
    found.sort_by_key(|s| wanted.iter().position(|w| profile_code(*w) == s.profile));
    Ok(found)
}

/// The demo's VSM borrower can try Responsabilidad Compartida: a VSM credit that is not part
/// of a bank co-financing.
fn convertible(m: &MemberRecord) -> bool {
    use domain::registry::{CreditProduct, Denomination};
    m.credits.iter().any(|c| {
        c.denomination == Denomination::Vsm
            && !matches!(
                c.product,
                CreditProduct::Cofinavit | CreditProduct::InfonavitTotal
            )
    })
}

fn sample(m: &MemberRecord) -> Sample {
    Sample {
        profile: profile_code(m.profile),
        nss: m.person.nss.to_string(),
        name: m.person.full_name(),
    }
}

/// Generates and loads the population, reporting progress as members written.
pub async fn load<S: Store + ?Sized>(
    store: &S,
    config: &Config,
    tables: &ReferenceTables,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<LoadReport, PopulationError> {
    let started = Instant::now();
    let mut report = LoadReport {
        loaded: false,
        members: 0,
        movements: 0,
        relation_periods: 0,
        credits: 0,
        credit_movements: 0,
        samples: samples(config, tables)?,
        skipped: 0,
        elapsed: Duration::ZERO,
    };
    let mut batch = match store.begin_import(&identity(config)).await {
        Ok(batch) => batch,
        Err(StoreError::AlreadyImported { .. }) => {
            report.elapsed = started.elapsed();
            return Ok(report);
        }
        Err(e) => return Err(e.into()),
    };
    batch.insert_employers(&synth::employers(config)).await?;
    let mut start = 0;
    while start < config.members {
        let end = (start + CHUNK_MEMBERS).min(config.members);
        let mut records = (start..end)
            .map(|i| synth::member(config, tables, i))
            .collect::<Result<Vec<_>, _>>()?;
        skip_taken_identities(batch.as_mut(), &mut records, &mut report.skipped).await?;
        let people: Vec<Person> = records.iter().map(|r| r.person.clone()).collect();
        let ids = batch.insert_members(&people).await?;
        for (record, id) in records.iter_mut().zip(ids) {
            record.assign_id(id);
        }
        let relations: Vec<_> = records
            .iter()
            .flat_map(|r| r.relations.iter().cloned())
            .collect();
        let movements: Vec<_> = records
            .iter()
            .flat_map(|r| r.movements.iter().cloned())
            .collect();
        let credits: Vec<_> = records
            .iter()
            .flat_map(|r| r.credits.iter().cloned())
            .collect();
        let credit_moves: Vec<_> = records
            .iter()
            .flat_map(|r| r.credit_movements.iter().cloned())
            .collect();
        report.relation_periods += batch.insert_relations(&relations).await?;
        report.movements += batch.insert_movements(&movements).await?;
        report.credits += batch.insert_credits(&credits).await?;
        report.credit_movements += batch.insert_credit_movements(&credit_moves).await?;
        let pensions: Vec<_> = records.iter().filter_map(|r| r.pension.clone()).collect();
        batch.insert_pension_resolutions(&pensions).await?;
        report.members += records.len() as u64;
        progress(report.members);
        start = end;
    }
    batch
        .commit(ImportTotals {
            accepted: report.members,
            ..Default::default()
        })
        .await?;
    report.loaded = true;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Drops generated people whose NSS or CURP is already taken (in the database or earlier in the
/// chunk). Names, birth dates and states repeat in a large population, so a CURP can too.
async fn skip_taken_identities(
    batch: &mut dyn store::ImportBatch,
    records: &mut Vec<MemberRecord>,
    skipped: &mut u64,
) -> Result<(), StoreError> {
    let nss: Vec<_> = records.iter().map(|r| r.person.nss).collect();
    let curps: Vec<_> = records.iter().map(|r| r.person.curp).collect();
    let nss_taken = batch.member_ids(&nss).await?;
    let curp_taken = batch.curp_owners(&curps).await?;
    let (mut seen_nss, mut seen_curp) = (HashSet::new(), HashSet::new());
    let mut keep = Vec::with_capacity(records.len());
    for ((r, a), b) in records.drain(..).zip(nss_taken).zip(curp_taken) {
        let fresh = seen_nss.insert(r.person.nss) & seen_curp.insert(r.person.curp);
        if a.is_none() && b.is_none() && fresh {
            keep.push(r);
        } else {
            *skipped += 1;
        }
    }
    *records = keep;
    Ok(())
}
