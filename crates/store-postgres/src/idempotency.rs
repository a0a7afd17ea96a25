//! Idempotency keys on PostgreSQL (`store::idempotency`).

use async_trait::async_trait;
use domain::registry::MemberId;
use store::{IdempotencyClaim, IdempotencyRepo, IdempotentAnswer, StoreError, stored_instant};
use time::OffsetDateTime;

use crate::PgStore;
use crate::audit::{exec, query};
use crate::columns::{get, hash32};
use crate::error::db;

const T: &str = "idempotency_keys";

#[async_trait]
impl IdempotencyRepo for PgStore {
    async fn claim_idempotency_key(
        &self,
        member: MemberId,
        key: &str,
        request_hash: &[u8; 32],
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<IdempotencyClaim, StoreError> {
        let (now, expires_at) = (stored_instant(now), stored_instant(expires_at));
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        exec(
            &tx,
            "DELETE FROM idempotency_keys WHERE member_id = $1 AND expires_at <= $2",
            &[&member.0, &now],
        )
        .await?;
        let hash = &request_hash[..];
        let inserted = exec(
            &tx,
            "INSERT INTO idempotency_keys (member_id, key, request_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[&member.0, &key, &hash, &now, &expires_at],
        )
        .await?;
        let claim = if inserted == 1 {
            IdempotencyClaim::Claimed
        } else {
            let rows = query(
                &tx,
                "SELECT request_hash, status, content_type, body FROM idempotency_keys
                 WHERE member_id = $1 AND key = $2",
                &[&member.0, &key],
            )
            .await?;
            let row = rows
                .first()
                .ok_or_else(|| StoreError::corrupt(T, "key neither inserted nor found"))?;
            let request_hash = hash32(get(row, 0, T)?, T)?;
            let status: Option<i32> = get(row, 1, T)?;
            let content_type: Option<String> = get(row, 2, T)?;
            let body: Option<Vec<u8>> = get(row, 3, T)?;
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
        tx.commit().await.map_err(db)?;
        Ok(claim)
    }

    async fn answer_idempotency_key(
        &self,
        member: MemberId,
        key: &str,
        answer: &IdempotentAnswer,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5
                 WHERE member_id = $1 AND key = $2 AND status IS NULL",
            )
            .await
            .map_err(db)?;
        client
            .execute(
                &stmt,
                &[
                    &member.0,
                    &key,
                    &i32::from(answer.status),
                    &answer.content_type,
                    &answer.body,
                ],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn release_idempotency_key(&self, member: MemberId, key: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "DELETE FROM idempotency_keys WHERE member_id = $1 AND key = $2 AND status IS NULL",
            )
            .await
            .map_err(db)?;
        client
            .execute(&stmt, &[&member.0, &key])
            .await
            .map_err(db)?;
        Ok(())
    }
}
