//! Idempotency keys on SQLite (`store::idempotency`).

use async_trait::async_trait;
use domain::registry::MemberId;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use store::{IdempotencyClaim, IdempotencyRepo, IdempotentAnswer, StoreError};
use time::OffsetDateTime;

use crate::stamp::ts;
use crate::{SqliteStore, db};

const T: &str = "idempotency_keys";

fn hash(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::corrupt(T, "request hash is not 32 bytes"))
}

#[async_trait]
impl IdempotencyRepo for SqliteStore {
    async fn claim_idempotency_key(
        &self,
        member: MemberId,
        key: &str,
        request_hash: &[u8; 32],
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<IdempotencyClaim, StoreError> {
        let key = key.to_owned();
        let request_hash = *request_hash;
        self.write(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            tx.prepare_cached("DELETE FROM idempotency_keys WHERE member_id = ?1 AND expires_at <= ?2")
                .map_err(db)?
                .execute(params![member.0, ts(now)])
                .map_err(db)?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO idempotency_keys (member_id, key, request_hash, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )
                .map_err(db)?
                .execute(params![member.0, key, &request_hash[..], ts(now), ts(expires_at)])
                .map_err(db)?;
            let claim = if inserted == 1 {
                IdempotencyClaim::Claimed
            } else {
                let found = tx
                    .prepare_cached(
                        "SELECT request_hash, status, content_type, body FROM idempotency_keys
                         WHERE member_id = ?1 AND key = ?2",
                    )
                    .map_err(db)?
                    .query_row(params![member.0, key], |r| {
                        Ok((
                            r.get::<_, Vec<u8>>(0)?,
                            r.get::<_, Option<i64>>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, Option<Vec<u8>>>(3)?,
                        ))
                    })
                    .optional()
                    .map_err(db)?
                    .ok_or_else(|| StoreError::corrupt(T, "key neither inserted nor found"))?;
                let (stored, status, content_type, body) = found;
                let request_hash = hash(stored)?;
                match (status, content_type, body) {
                    (Some(status), Some(content_type), Some(body)) => IdempotencyClaim::Answered {
                        request_hash,
                        answer: IdempotentAnswer {
                            status: u16::try_from(status).map_err(|e| StoreError::corrupt(T, e))?,
                            content_type,
                            body,
                        },
                    },
                    _ => IdempotencyClaim::Pending { request_hash },
                }
            };
            tx.commit().map_err(db)?;
            Ok(claim)
        })
        .await
    }

    async fn answer_idempotency_key(
        &self,
        member: MemberId,
        key: &str,
        answer: &IdempotentAnswer,
    ) -> Result<(), StoreError> {
        let key = key.to_owned();
        let answer = answer.clone();
        self.write(move |c| {
            c.prepare_cached(
                "UPDATE idempotency_keys SET status = ?3, content_type = ?4, body = ?5
                 WHERE member_id = ?1 AND key = ?2 AND status IS NULL",
            )
            .map_err(db)?
            .execute(params![
                member.0,
                key,
                i64::from(answer.status),
                answer.content_type,
                answer.body
            ])
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn release_idempotency_key(&self, member: MemberId, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |c| {
            c.prepare_cached(
                "DELETE FROM idempotency_keys WHERE member_id = ?1 AND key = ?2 AND status IS NULL",
            )
            .map_err(db)?
            .execute(params![member.0, key])
            .map_err(db)?;
            Ok(())
        })
        .await
    }
}
