//! The audit log on PostgreSQL. An append locks only its chain's head row (`SELECT … FOR
//! UPDATE`), in ascending chain order, inside the caller's transaction.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use domain::audit::{AuditEntry, Channel, GENESIS};
use domain::registry::MemberId;
use store::{
    AuditRepo, AuditRow, AuditVerdict, AuditWalk, ChainHead, StoreError, StoredAuditEntry,
    in_append_order,
};
use tokio_postgres::{IsolationLevel, Row};

use crate::PgStore;
use crate::columns::{get, hash32};
use crate::error::db;

const T: &str = "audit_log";

const COLUMNS: &str =
    "entry_id, chain, position, at, actor, action, member_id, channel, origin, details, hash";

/// Locks a chain's head, creating it on the chain's first append, and returns its last
/// position (-1 when empty) and hash.
async fn lock_head(tx: &Transaction<'_>, chain: i32) -> Result<(i64, [u8; 32]), StoreError> {
    let select = tx
        .prepare_cached(
            "SELECT last_position, last_hash FROM audit_heads WHERE chain = $1 FOR UPDATE",
        )
        .await
        .map_err(db)?;
    if let Some(row) = tx.query_opt(&select, &[&chain]).await.map_err(db)? {
        return Ok((
            get(&row, 0, "audit_heads")?,
            hash32(get(&row, 1, "audit_heads")?, "audit_heads")?,
        ));
    }
    let create = tx
        .prepare_cached(
            "INSERT INTO audit_heads (chain, last_position, last_hash, last_entry_id)
             VALUES ($1, -1, $2, 0) ON CONFLICT (chain) DO NOTHING",
        )
        .await
        .map_err(db)?;
    tx.execute(&create, &[&chain, &&GENESIS[..]])
        .await
        .map_err(db)?;
    let row = tx.query_one(&select, &[&chain]).await.map_err(db)?;
    Ok((
        get(&row, 0, "audit_heads")?,
        hash32(get(&row, 1, "audit_heads")?, "audit_heads")?,
    ))
}

/// Appends entries inside the caller's transaction.
pub(crate) async fn append(tx: &Transaction<'_>, entries: &[AuditEntry]) -> Result<(), StoreError> {
    let entries = in_append_order(entries);
    let insert = tx
        .prepare_cached(
            "INSERT INTO audit_log (chain, position, at, actor, action, member_id, channel,
                                    origin, details, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING entry_id",
        )
        .await
        .map_err(db)?;
    let move_head = tx
        .prepare_cached(
            "UPDATE audit_heads SET last_position = $2, last_hash = $3, last_entry_id = $4
             WHERE chain = $1",
        )
        .await
        .map_err(db)?;
    let mut rest = entries.as_slice();
    while let Some(first) = rest.first() {
        let chain = first.chain();
        let in_chain = rest.iter().take_while(|e| e.chain() == chain).count();
        let (mine, after) = rest.split_at(in_chain);
        rest = after;
        let chain = i32::try_from(chain).map_err(|e| StoreError::Database(e.to_string()))?;
        let (mut position, mut previous) = lock_head(tx, chain).await?;
        let mut entry_id = 0_i64;
        for entry in mine {
            position += 1;
            previous = entry.hash(&previous);
            let row = tx
                .query_one(
                    &insert,
                    &[
                        &chain,
                        &position,
                        &entry.at,
                        &entry.actor,
                        &entry.action,
                        &entry.member_id,
                        &entry.channel.code(),
                        &entry.origin,
                        &entry.details,
                        &&previous[..],
                    ],
                )
                .await
                .map_err(db)?;
            entry_id = row.try_get(0).map_err(db)?;
        }
        tx.execute(&move_head, &[&chain, &position, &&previous[..], &entry_id])
            .await
            .map_err(db)?;
    }
    Ok(())
}

fn row(r: &Row) -> Result<AuditRow, StoreError> {
    let channel: &str = get(r, 7, T)?;
    Ok(AuditRow {
        entry_id: get(r, 0, T)?,
        chain: u32::try_from(get::<i32>(r, 1, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        position: get(r, 2, T)?,
        entry: AuditEntry {
            at: get(r, 3, T)?,
            actor: get(r, 4, T)?,
            action: get(r, 5, T)?,
            member_id: get(r, 6, T)?,
            channel: Channel::from_code(channel)
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

#[async_trait]
impl AuditRepo for PgStore {
    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        append(&tx, entries).await?;
        tx.commit().await.map_err(db)
    }

    async fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        let mut client = self.client().await?;
        // One snapshot for heads and rows, so appends running meanwhile cannot look like a
        // removed row.
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db)?;
        let heads = tx
            .query(
                "SELECT chain, last_position, last_hash, last_entry_id FROM audit_heads",
                &[],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                const H: &str = "audit_heads";
                Ok(ChainHead {
                    chain: u32::try_from(get::<i32>(r, 0, H)?)
                        .map_err(|e| StoreError::corrupt(H, e))?,
                    last_position: get(r, 1, H)?,
                    last_hash: hash32(get(r, 2, H)?, H)?,
                    last_entry_id: get(r, 3, H)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut walk = AuditWalk::new(heads);
        let stream = tx
            .query_raw(
                &format!("SELECT {COLUMNS} FROM audit_log ORDER BY chain, position"),
                std::iter::empty::<i64>(),
            )
            .await
            .map_err(db)?;
        let mut stream = std::pin::pin!(stream);
        while let Some(r) = futures_util::StreamExt::next(&mut stream).await {
            if !walk.push(row(&r.map_err(db)?)?) {
                break;
            }
        }
        Ok(walk.finish())
    }

    async fn recent_audit(
        &self,
        member: MemberId,
        limit: u32,
    ) -> Result<Vec<StoredAuditEntry>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE member_id = $1 ORDER BY entry_id DESC LIMIT $2"
        );
        let rows = self.fetch(&sql, &[&member.0, &i64::from(limit)]).await?;
        rows.iter().map(stored).collect()
    }

    async fn recent_audit_all(&self, limit: u32) -> Result<Vec<StoredAuditEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY entry_id DESC LIMIT $1");
        let rows = self.fetch(&sql, &[&i64::from(limit)]).await?;
        rows.iter().map(stored).collect()
    }
}

/// Appends `entries` when the transaction changed something, then commits.
pub(crate) async fn commit(
    tx: Transaction<'_>,
    entries: &[AuditEntry],
    changed: bool,
) -> Result<(), StoreError> {
    if changed {
        append(&tx, entries).await?;
    }
    tx.commit().await.map_err(db)
}

/// Runs one statement in the transaction through the statement cache.
pub(crate) async fn exec(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<u64, StoreError> {
    let stmt = tx.prepare_cached(sql).await.map_err(db)?;
    tx.execute(&stmt, params).await.map_err(db)
}

/// Like `exec`, for a statement returning rows.
pub(crate) async fn query(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let stmt = tx.prepare_cached(sql).await.map_err(db)?;
    tx.query(&stmt, params).await.map_err(db)
}
