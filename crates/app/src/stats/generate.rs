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
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone, Debug, Serialize)]
pub struct Generated {
    pub accounts: usize,
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

pub async fn generate(
    store: &dyn Store,
    tables: &ReferenceTables,
    config: UsageConfig,
    progress: &mut (dyn FnMut(&str, usize) + Send),
) -> Result<Generated, GenerateError> {
    if !(config.scale > 0.0 && config.scale <= 1.0) {
        return Err(GenerateError::Scale(config.scale));
    }
    let holders = usage::accounts(&config, tables);
    progress("accounts", holders.len());
    let mut batch = match store.begin_import(&identity(&config)).await {
        Ok(batch) => batch,
        Err(StoreError::AlreadyImported { .. }) => return Err(GenerateError::AlreadyGenerated),
        Err(e) => return Err(e.into()),
    };
    let mut ids = Vec::with_capacity(holders.len());
    for chunk in holders.chunks(CHUNK) {
        let people: Vec<_> = chunk.iter().map(|a| a.person.clone()).collect();
        ids.extend(batch.insert_members(&people).await?);
    }
    batch
        .commit(ImportTotals {
            accepted: ids.len() as u64,
            ..Default::default()
        })
        .await?;
    for (chunk, chunk_ids) in holders.chunks(CHUNK).zip(ids.chunks(CHUNK)) {
        let accounts: Vec<LoadAccount> = chunk
            .iter()
            .zip(chunk_ids)
            .map(|(a, id)| LoadAccount {
                member_id: *id,
                email: format!("cuenta{}@generada.invalid", a.index),
                mobile: format!("5{:09}", a.index),
                password_hash: NO_PASSWORD.to_owned(),
                created_at: a.created_at,
                activated_at: Some(a.activated_at),
            })
            .collect();
        store.load_usage(&accounts, &[], &[]).await?;
    }
    let mut sessions_loaded = 0;
    let windows = usage::windows(config.until);
    for window in &windows {
        let sessions = usage::sessions(&config, &holders, window);
        progress("sessions", sessions.len());
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
                let member_id = *ids.get(usize::try_from(s.account).ok()?)?;
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
    }
    let refresh = store
        .refresh_stats(usage::first_day(), config.until)
        .await?;
    Ok(Generated {
        accounts: holders.len(),
        sessions: sessions_loaded,
        windows: windows
            .iter()
            .map(|w| (domain::dates::iso(w.from), domain::dates::iso(w.to)))
            .collect(),
        refresh,
    })
}
