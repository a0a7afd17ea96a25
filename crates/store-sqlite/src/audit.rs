//! The audit log on SQLite. SQLite has one writer, so reading a chain's head and moving it
//! within the writer's transaction is already exclusive.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel, GENESIS};
use domain::registry::MemberId;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{
    AuditRepo, AuditRow, AuditVerdict, AuditWalk, ChainHead, StoreError, StoredAuditEntry,
    in_append_order,
};

use crate::stamp::{collect, get, get_ts, ts};
use crate::{SqliteStore, db};

const T: &str = "audit_log";

const COLUMNS: &str =
    "entry_id, chain, position, at, actor, action, member_id, channel, origin, details, hash";

/// Appends entries inside the caller's transaction.
pub(crate) fn append(conn: &Connection, entries: &[AuditEntry]) -> Result<(), StoreError> {
    for entry in in_append_order(entries) {
        let chain = entry.chain();
        let head: Option<(i64, Vec<u8>)> = conn
            .prepare_cached("SELECT last_position, last_hash FROM audit_heads WHERE chain = ?1")
            .map_err(db)?
            .query_row([chain], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(db)?;
        let (position, previous) = match head {
            Some((last, hash)) => (last + 1, hash32(hash, "audit_heads")?),
            None => (0, GENESIS),
        };
        let hash = entry.hash(&previous);
        conn.prepare_cached(
            "INSERT INTO audit_log (chain, position, at, actor, action, member_id, channel,
                                    origin, details, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(db)?
        .execute(params![
            chain,
            position,
            ts(entry.at),
            entry.actor,
            entry.action,
            entry.member_id,
            entry.channel.code(),
            entry.origin,
            entry.details,
            &hash[..],
        ])
        .map_err(db)?;
        let entry_id = conn.last_insert_rowid();
        conn.prepare_cached(
            "INSERT INTO audit_heads (chain, last_position, last_hash, last_entry_id)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (chain) DO UPDATE SET last_position = excluded.last_position,
                 last_hash = excluded.last_hash, last_entry_id = excluded.last_entry_id",
        )
        .map_err(db)?
        .execute(params![chain, position, &hash[..], entry_id])
        .map_err(db)?;
    }
    Ok(())
}

fn hash32(bytes: Vec<u8>, table: &'static str) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::corrupt(table, "hash is not 32 bytes"))
}

fn row(r: &Row) -> Result<AuditRow, StoreError> {
    let channel: String = get(r, 7, T)?;
    Ok(AuditRow {
        entry_id: get(r, 0, T)?,
        chain: get(r, 1, T)?,
        position: get(r, 2, T)?,
        entry: AuditEntry {
            at: get_ts(r, 3, T)?,
            actor: get(r, 4, T)?,
            action: get(r, 5, T)?,
            member_id: get(r, 6, T)?,
            channel: Channel::from_code(&channel)
                .ok_or_else(|| StoreError::corrupt(T, "bad channel"))?,
            origin: get(r, 8, T)?,
            details: get(r, 9, T)?,
        },
        hash: hash32(get(r, 10, T)?, T)?,
    })
}

fn stored(r: &Row) -> Result<StoredAuditEntry, StoreError> {
    let r = row(r)?;
    Ok(StoredAuditEntry {
        entry_id: r.entry_id,
        chain: r.chain,
        position: u64::try_from(r.position).map_err(|e| StoreError::corrupt(T, e))?,
        entry: r.entry,
    })
}

/// Run through `read`, in one read transaction: heads and rows are the same snapshot.
fn verify(tx: &Connection) -> Result<AuditVerdict, StoreError> {
    let heads = collect(
        tx,
        "SELECT chain, last_position, last_hash, last_entry_id FROM audit_heads",
        [],
        |r| {
            Ok(ChainHead {
                chain: get(r, 0, "audit_heads")?,
                last_position: get(r, 1, "audit_heads")?,
                last_hash: hash32(get(r, 2, "audit_heads")?, "audit_heads")?,
                last_entry_id: get(r, 3, "audit_heads")?,
            })
        },
    )?;
    let mut walk = AuditWalk::new(heads);
    let mut stmt = tx
        .prepare(&format!(
            "SELECT {COLUMNS} FROM audit_log ORDER BY chain, position"
        ))
        .map_err(db)?;
    let mut rows = stmt.query([]).map_err(db)?;
    while let Some(r) = rows.next().map_err(db)? {
        if !walk.push(row(r)?) {
            break;
        }
    }
    Ok(walk.finish())
}

#[async_trait]
impl AuditRepo for SqliteStore {
    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.audited(entries, |_| Ok(((), true))).await
    }

    async fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read(verify))
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?
    }

    async fn recent_audit(
        &self,
        member: MemberId,
        limit: u32,
    ) -> Result<Vec<StoredAuditEntry>, StoreError> {
        self.read(|c| {
            collect(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE member_id = ?1
                     ORDER BY entry_id DESC LIMIT ?2"
                ),
                params![member.0, limit],
                stored,
            )
        })
    }

    async fn recent_audit_all(&self, limit: u32) -> Result<Vec<StoredAuditEntry>, StoreError> {
        self.read(|c| {
            collect(
                c,
                &format!("SELECT {COLUMNS} FROM audit_log ORDER BY entry_id DESC LIMIT ?1"),
                [limit],
                stored,
            )
        })
    }
}
