//! `vivienda generate`: calibrated usage (`synth::usage`) loaded into a store — the account
//! holders into the registry, their accounts, the sessions and consultations of the chosen
//! windows — and the summaries refreshed through `until`, so `vivienda report` reads them.

use domain::reference::ReferenceTables;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{
    FileIdentity, ImportKind, ImportTotals, LoadAccount, LoadSession, LoadUse, StatsRefresh, Store,
    StoreError,
};
use synth::usage::{self, UsageConfig};

/// Rows per transaction.
const CHUNK: usize = 20_000;

/// A password hash that no password matches: generated accounts cannot be signed in to.
const NO_PASSWORD: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$Z2VuZXJhZGE$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("scale must be above 0 and at most 1 (got {0})")]
    Scale(f64),
    #[error("this usage (same scale, date and seed) was generated into this database before")]
    AlreadyGenerated,
    #[error("the generator stopped: {0}")]
    Generator(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone, Debug, Serialize)]
pub struct Generated {
    pub accounts: usize,
    /// Holders left out because their NSS or CURP was registered before the run.
    pub already_registered: usize,
    pub sessions: usize,
    /// The windows with activity, (first day, last day).
    pub windows: Vec<(String, String)>,
    pub refresh: StatsRefresh,
}

fn identity(config: &UsageConfig) -> FileIdentity {
    let label = format!(
        "usage-v1 scale={} seed={} until={}",
        config.scale, config.seed, config.until
    );
    FileIdentity {
        kind: ImportKind::Synthetic,
        sha256: hex::encode(Sha256::digest(label.as_bytes())),
        file_name: label,
    }
}

/// One loaded account holder: what the accounts and sessions need of them once their member
/// row is written.
struct Holder {
    member_id: domain::registry::MemberId,
    index: u32,
    created_at: time::OffsetDateTime,
    activated_at: time::OffsetDateTime,
}

/// How many chunks of generated account holders may wait for the database.
const QUEUED_CHUNKS: usize = 4;

/// Generates the usage of `config` into `store`. The account holders are generated on a
/// thread of their own while the database writes the previous chunk, so both cores work; only
/// their ids and dates are kept in memory, not the people.
pub async fn generate(
    store: &dyn Store,
    tables: &ReferenceTables,
    config: UsageConfig,
    progress: &mut (dyn FnMut(&str, usize) + Send),
) -> Result<Generated, GenerateError> {
    if !(config.scale > 0.0 && config.scale <= 1.0) {
        return Err(GenerateError::Scale(config.scale));
    }
    let mut batch = match store.begin_import(&identity(&config)).await {
        Ok(batch) => batch,
        Err(StoreError::AlreadyImported { .. }) => return Err(GenerateError::AlreadyGenerated),
        Err(e) => return Err(e.into()),
    };
    let (chunks, mut generated) = tokio::sync::mpsc::channel(QUEUED_CHUNKS);
    let owned = tables.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut accounts = usage::Accounts::new(&config, &owned);
        loop {
            let chunk: Vec<usage::UsageAccount> = accounts.by_ref().take(CHUNK).collect();
            // An empty chunk ends it; a closed channel means the loading failed.
            if chunk.is_empty() || chunks.blocking_send(chunk).is_err() {
                break;
            }
        }
    });
    let mut holders: Vec<Holder> = Vec::new();
    let mut already_registered = 0;
    while let Some(chunk) = generated.recv().await {
        // Into a database that holds members already (a demo population, say), a holder whose
        // NSS or CURP is taken is left out rather than failing the whole load.
        let nss: Vec<_> = chunk.iter().map(|a| a.person.nss).collect();
        let curps: Vec<_> = chunk.iter().map(|a| a.person.curp).collect();
        let by_nss = batch.member_ids(&nss).await?;
        let by_curp = batch.curp_owners(&curps).await?;
        let fresh: Vec<&usage::UsageAccount> = chunk
            .iter()
            .zip(by_nss.iter().zip(&by_curp))
            .filter(|(_, (n, c))| n.is_none() && c.is_none())
            .map(|(a, _)| a)
            .collect();
        already_registered += chunk.len() - fresh.len();
        let people: Vec<_> = fresh.iter().map(|a| a.person.clone()).collect();
        let ids = batch.insert_members(&people).await?;
        holders.extend(fresh.iter().zip(ids).map(|(a, member_id)| Holder {
            member_id,
            index: a.index,
            created_at: a.created_at,
            activated_at: a.activated_at,
        }));
        if holders.len() % (25 * CHUNK) < CHUNK {
            progress("members", holders.len());
        }
    }
    generator
        .await
        .map_err(|e| GenerateError::Generator(e.to_string()))?;
    batch
        .commit(ImportTotals {
            accepted: holders.len() as u64,
            duplicates: already_registered as u64,
            ..Default::default()
        })
        .await?;
    progress("members", holders.len());
    for chunk in holders.chunks(CHUNK) {
        let accounts: Vec<LoadAccount> = chunk
            .iter()
            .map(|h| LoadAccount {
                member_id: h.member_id,
                email: format!("cuenta{}@generada.invalid", h.index),
                mobile: format!("5{:09}", h.index),
                password_hash: NO_PASSWORD.to_owned(),
                created_at: h.created_at,
                activated_at: Some(h.activated_at),
            })
            .collect();
        store.load_usage(&accounts, &[], &[]).await?;
    }
    progress("accounts", holders.len());
    let activated: Vec<_> = holders.iter().map(|h| h.activated_at).collect();
    let mut sessions_loaded = 0;
    let windows = usage::windows(config.until);
    for window in &windows {
        let sessions = usage::sessions(&config, &activated, window);
        let uses: Vec<LoadUse> = usage::counts(&sessions)
            .into_iter()
            .map(|c| LoadUse {
                day: c.day,
                procedure: c.procedure.to_owned(),
                channel: domain::audit::Channel::Web,
                uses: c.uses,
            })
            .collect();
        let rows: Vec<LoadSession> = sessions
            .iter()
            .enumerate()
            .filter_map(|(n, s)| {
                let member_id = holders.get(usize::try_from(s.account).ok()?)?.member_id;
                let mut hash = Sha256::new();
                hash.update(format!("{}:{}:{n}", config.seed, window.from).as_bytes());
                Some(LoadSession {
                    member_id,
                    id_hash: hash.finalize().into(),
                    channel: s.channel,
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                })
            })
            .collect();
        sessions_loaded += rows.len();
        for chunk in rows.chunks(CHUNK) {
            store.load_usage(&[], chunk, &[]).await?;
        }
        store.load_usage(&[], &[], &uses).await?;
        progress("sessions", sessions_loaded);
    }
    let refresh = store
        .refresh_stats(usage::first_day(), config.until)
        .await?;
    progress("summarised days", refresh.days as usize);
    Ok(Generated {
        accounts: holders.len(),
        already_registered,
        sessions: sessions_loaded,
        windows: windows
            .iter()
            .map(|w| (domain::dates::iso(w.from), domain::dates::iso(w.to)))
            .collect(),
        refresh,
    })
}
