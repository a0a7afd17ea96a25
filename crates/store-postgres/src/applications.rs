//! Credit-application drafts, their documents in the blob store, and the course, on PostgreSQL.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use domain::requests::Folio;
use store::{
    ApplicationRepo, Attachment, CourseCompletion, NewStoredFile, Request, StoreError,
    stored_instant,
};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::corrections::T;
use crate::error::db;

const C: &str = "course_completions";

/// Locks the member's request and refuses unless it is a draft.
async fn require_draft(
    tx: &Transaction<'_>,
    member: MemberId,
    folio: &Folio,
) -> Result<(), StoreError> {
    let rows = query(
        tx,
        "SELECT stage FROM requests WHERE member_id = $1 AND folio = $2 FOR UPDATE",
        &[&member.0, &folio.as_str()],
    )
    .await?;
    let stage: Option<String> = rows.first().map(|r| get(r, 0, "requests")).transpose()?;
    match stage.as_deref() {
        None => Err(StoreError::Conflict("request_not_found")),
        Some("draft") => Ok(()),
        Some(_) => Err(StoreError::Conflict("request_state_changed")),
    }
}

fn sha(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::corrupt(T, "bad hash"))
}

fn completion(r: &Row, member: MemberId) -> Result<CourseCompletion, StoreError> {
    let score: i32 = get(r, 1, C)?;
    let out_of: i32 = get(r, 2, C)?;
    Ok(CourseCompletion {
        member_id: member,
        course: get(r, 0, C)?,
        score: u32::try_from(score).map_err(|e| StoreError::corrupt(C, e))?,
        out_of: u32::try_from(out_of).map_err(|e| StoreError::corrupt(C, e))?,
        passed_at: get(r, 3, C)?,
    })
}

fn int(value: impl TryInto<i64, Error = std::num::TryFromIntError>) -> Result<i64, StoreError> {
    value
        .try_into()
        .map_err(|e| StoreError::Database(e.to_string()))
}

#[async_trait]
impl ApplicationRepo for PgStore {
    async fn update_draft_answers(
        &self,
        member: MemberId,
        folio: &Folio,
        answers: &str,
        audit: &[AuditEntry],
    ) -> Result<Request, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        require_draft(&tx, member, folio).await?;
        let sql = format!(
            "UPDATE requests SET answers = $1 WHERE member_id = $2 AND folio = $3
             RETURNING {}",
            crate::requests::COLUMNS
        );
        let rows = query(&tx, &sql, &[&answers, &member.0, &folio.as_str()]).await?;
        let updated = rows
            .first()
            .map(crate::requests::request)
            .transpose()?
            .ok_or(StoreError::Conflict("request_not_found"))?;
        commit(tx, audit, true).await?;
        Ok(updated)
    }

    async fn put_draft_file(
        &self,
        member: MemberId,
        folio: &Folio,
        file: &NewStoredFile,
        audit: &[AuditEntry],
    ) -> Result<(Attachment, Option<[u8; 32]>), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        require_draft(&tx, member, folio).await?;
        let replaced = query(
            &tx,
            "DELETE FROM request_attachments
             WHERE member_id = $1 AND folio = $2 AND item = $3
             RETURNING sha256",
            &[&member.0, &folio.as_str(), &file.item],
        )
        .await?;
        let replaced = replaced
            .first()
            .map(|r| get::<Vec<u8>>(r, 0, T).and_then(sha))
            .transpose()?;
        let next = query(
            &tx,
            "SELECT coalesce(max(seq), 0) + 1 FROM request_attachments
             WHERE member_id = $1 AND folio = $2",
            &[&member.0, &folio.as_str()],
        )
        .await?;
        let seq: i32 = next.first().map(|r| get(r, 0, T)).transpose()?.unwrap_or(1);
        let size = int(file.size)?;
        let uploaded_at = stored_instant(file.uploaded_at);
        exec(
            &tx,
            "INSERT INTO request_attachments (member_id, folio, seq, file_name, content_type,
                 size, sha256, bytes, uploaded_at, item, in_blob_store)
             VALUES ($1, $2, $3, $4, $5, $6, $7, ''::bytea, $8, $9, true)",
            &[
                &member.0,
                &folio.as_str(),
                &seq,
                &file.file_name,
                &file.content_type,
                &size,
                &&file.sha256[..],
                &uploaded_at,
                &file.item,
            ],
        )
        .await?;
        commit(tx, audit, true).await?;
        let kept = Attachment {
            seq: u32::try_from(seq).map_err(|e| StoreError::corrupt(T, e))?,
            file_name: file.file_name.clone(),
            content_type: file.content_type.clone(),
            size: file.size,
            sha256: file.sha256,
            uploaded_at,
            item: Some(file.item.clone()),
            in_blob_store: true,
        };
        Ok((kept, replaced))
    }

    async fn delete_draft_file(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
        audit: &[AuditEntry],
    ) -> Result<Option<[u8; 32]>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        require_draft(&tx, member, folio).await?;
        let seq = i32::try_from(seq).map_err(|e| StoreError::Database(e.to_string()))?;
        let removed = query(
            &tx,
            "DELETE FROM request_attachments
             WHERE member_id = $1 AND folio = $2 AND seq = $3
             RETURNING sha256",
            &[&member.0, &folio.as_str(), &seq],
        )
        .await?;
        let removed = removed
            .first()
            .map(|r| get::<Vec<u8>>(r, 0, T).and_then(sha))
            .transpose()?;
        commit(tx, audit, removed.is_some()).await?;
        Ok(removed)
    }

    async fn blob_in_use(&self, sha256: &[u8; 32]) -> Result<bool, StoreError> {
        let rows = self
            .fetch(
                "SELECT 1 FROM request_attachments WHERE sha256 = $1 AND in_blob_store LIMIT 1",
                &[&&sha256[..]],
            )
            .await?;
        Ok(!rows.is_empty())
    }

    async fn course_completion(
        &self,
        member: MemberId,
    ) -> Result<Option<CourseCompletion>, StoreError> {
        let rows = self
            .fetch(
                "SELECT course, score, out_of, passed_at FROM course_completions
                 WHERE member_id = $1",
                &[&member.0],
            )
            .await?;
        rows.first().map(|r| completion(r, member)).transpose()
    }

    async fn record_course_completion(
        &self,
        completion_: &CourseCompletion,
        audit: &[AuditEntry],
    ) -> Result<CourseCompletion, StoreError> {
        let member = completion_.member_id;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let score =
            i32::try_from(completion_.score).map_err(|e| StoreError::Database(e.to_string()))?;
        let out_of =
            i32::try_from(completion_.out_of).map_err(|e| StoreError::Database(e.to_string()))?;
        let inserted = exec(
            &tx,
            "INSERT INTO course_completions (member_id, course, score, out_of, passed_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id) DO NOTHING",
            &[
                &member.0,
                &completion_.course,
                &score,
                &out_of,
                &stored_instant(completion_.passed_at),
            ],
        )
        .await?;
        let rows = query(
            &tx,
            "SELECT course, score, out_of, passed_at FROM course_completions
             WHERE member_id = $1",
            &[&member.0],
        )
        .await?;
        let kept = rows
            .first()
            .map(|r| completion(r, member))
            .transpose()?
            .ok_or_else(|| StoreError::corrupt(C, "completion vanished"))?;
        commit(tx, audit, inserted > 0).await?;
        Ok(kept)
    }

    async fn create_partner_code(
        &self,
        member: MemberId,
        code_hash: &[u8; 32],
        expires_at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        exec(
            &tx,
            "DELETE FROM partner_codes WHERE member_id = $1",
            &[&member.0],
        )
        .await?;
        exec(
            &tx,
            "INSERT INTO partner_codes (code_hash, member_id, expires_at) VALUES ($1, $2, $3)",
            &[&&code_hash[..], &member.0, &stored_instant(expires_at)],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn join_partner(
        &self,
        member: MemberId,
        code_hash: &[u8; 32],
        now: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<MemberId, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Spending the code first makes two partners entering it at once take turns.
        let rows = query(
            &tx,
            "DELETE FROM partner_codes WHERE code_hash = $1 AND expires_at > $2
             RETURNING member_id",
            &[&&code_hash[..], &stored_instant(now)],
        )
        .await?;
        let maker: i64 = rows
            .first()
            .map(|r| get(r, 0, "partner_codes"))
            .transpose()?
            .ok_or(StoreError::Conflict("partner_code_invalid"))?;
        if maker == member.0 {
            return Err(StoreError::Conflict("partner_self"));
        }
        // Both rows are inserted or neither: a member already paired makes the insert fail.
        let inserted = exec(
            &tx,
            "INSERT INTO credit_partners (member_id, partner_id, joined_at)
             VALUES ($1, $2, $3), ($2, $1, $3) ON CONFLICT DO NOTHING",
            &[&member.0, &maker, &stored_instant(now)],
        )
        .await?;
        if inserted != 2 {
            return Err(StoreError::Conflict("partner_taken"));
        }
        commit(tx, audit, true).await?;
        Ok(MemberId(maker))
    }

    async fn partner_of(&self, member: MemberId) -> Result<Option<MemberId>, StoreError> {
        let rows = self
            .fetch(
                "SELECT partner_id FROM credit_partners WHERE member_id = $1",
                &[&member.0],
            )
            .await?;
        Ok(rows
            .first()
            .map(|r| get::<i64>(r, 0, "credit_partners"))
            .transpose()?
            .map(MemberId))
    }

    async fn leave_partner(
        &self,
        member: MemberId,
        audit: &[AuditEntry],
    ) -> Result<Option<MemberId>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let rows = query(
            &tx,
            "DELETE FROM credit_partners WHERE member_id = $1 RETURNING partner_id",
            &[&member.0],
        )
        .await?;
        let partner: Option<i64> = rows
            .first()
            .map(|r| get(r, 0, "credit_partners"))
            .transpose()?;
        if let Some(partner) = partner {
            exec(
                &tx,
                "DELETE FROM credit_partners WHERE member_id = $1",
                &[&partner],
            )
            .await?;
        }
        commit(tx, audit, partner.is_some()).await?;
        Ok(partner.map(MemberId))
    }
}
