//! Credit-application drafts, their documents in the blob store, and the course, on SQLite.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use domain::requests::Folio;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{
    ApplicationRepo, Attachment, CourseCompletion, NewStoredFile, Request, StoreError,
    stored_instant,
};
use time::OffsetDateTime;

use crate::corrections::T;
use crate::stamp::{get, get_ts, ts};
use crate::{SqliteStore, db};

/// Refuses unless the member's request is a draft.
fn require_draft(tx: &Connection, member: MemberId, folio: &Folio) -> Result<(), StoreError> {
    let stage: Option<String> = tx
        .prepare_cached("SELECT stage FROM requests WHERE member_id = ?1 AND folio = ?2")
        .map_err(db)?
        .query_row(params![member.0, folio.as_str()], |r| r.get(0))
        .optional()
        .map_err(db)?;
    match stage.as_deref() {
        None => Err(StoreError::Conflict("request_not_found")),
        Some("draft") => Ok(()),
        Some(_) => Err(StoreError::Conflict("request_state_changed")),
    }
}

fn sha(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::corrupt(T, "bad hash"))
}

const C: &str = "course_completions";

fn completion_row(r: &Row, member: MemberId) -> Result<CourseCompletion, StoreError> {
    Ok(CourseCompletion {
        member_id: member,
        course: get(r, 0, C)?,
        score: get(r, 1, C)?,
        out_of: get(r, 2, C)?,
        passed_at: get_ts(r, 3, C)?,
    })
}

#[async_trait]
impl ApplicationRepo for SqliteStore {
    async fn update_draft_answers(
        &self,
        member: MemberId,
        folio: &Folio,
        answers: &str,
        audit: &[AuditEntry],
    ) -> Result<Request, StoreError> {
        let (folio, answers) = (folio.clone(), answers.to_owned());
        self.audited(audit, move |tx| {
            require_draft(tx, member, &folio)?;
            tx.prepare_cached(
                "UPDATE requests SET answers = ?1 WHERE member_id = ?2 AND folio = ?3
                     AND stage = 'draft'",
            )
            .map_err(db)?
            .execute(params![answers, member.0, folio.as_str()])
            .map_err(db)?;
            let updated = crate::requests::request_where(tx, member, &folio)?
                .ok_or(StoreError::Conflict("request_not_found"))?;
            Ok((updated, true))
        })
        .await
    }

    async fn put_draft_file(
        &self,
        member: MemberId,
        folio: &Folio,
        file: &NewStoredFile,
        audit: &[AuditEntry],
    ) -> Result<(Attachment, Option<[u8; 32]>), StoreError> {
        let (folio, file) = (folio.clone(), file.clone());
        self.audited(audit, move |tx| {
            require_draft(tx, member, &folio)?;
            let replaced: Option<(i64, Vec<u8>)> = tx
                .prepare_cached(
                    "DELETE FROM request_attachments
                     WHERE member_id = ?1 AND folio = ?2 AND item = ?3
                     RETURNING seq, sha256",
                )
                .map_err(db)?
                .query_row(params![member.0, folio.as_str(), file.item], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(db)?;
            let seq: i64 = tx
                .prepare_cached(
                    "SELECT coalesce(max(seq), 0) + 1 FROM request_attachments
                     WHERE member_id = ?1 AND folio = ?2",
                )
                .map_err(db)?
                .query_row(params![member.0, folio.as_str()], |r| r.get(0))
                .map_err(db)?;
            tx.prepare_cached(
                "INSERT INTO request_attachments (member_id, folio, seq, file_name,
                     content_type, size, sha256, bytes, uploaded_at, item, in_blob_store)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, x'', ?8, ?9, 1)",
            )
            .map_err(db)?
            .execute(params![
                member.0,
                folio.as_str(),
                seq,
                file.file_name,
                file.content_type,
                i64::try_from(file.size).map_err(|e| StoreError::Database(e.to_string()))?,
                &file.sha256[..],
                ts(file.uploaded_at),
                file.item,
            ])
            .map_err(db)?;
            let kept = Attachment {
                seq: u32::try_from(seq).map_err(|e| StoreError::corrupt(T, e))?,
                file_name: file.file_name.clone(),
                content_type: file.content_type.clone(),
                size: file.size,
                sha256: file.sha256,
                uploaded_at: stored_instant(file.uploaded_at),
                item: Some(file.item.clone()),
                in_blob_store: true,
            };
            let replaced = replaced.map(|(_, s)| sha(s)).transpose()?;
            Ok(((kept, replaced), true))
        })
        .await
    }

    async fn delete_draft_file(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
        audit: &[AuditEntry],
    ) -> Result<Option<[u8; 32]>, StoreError> {
        let folio = folio.clone();
        self.audited(audit, move |tx| {
            require_draft(tx, member, &folio)?;
            let removed: Option<Vec<u8>> = tx
                .prepare_cached(
                    "DELETE FROM request_attachments
                     WHERE member_id = ?1 AND folio = ?2 AND seq = ?3
                     RETURNING sha256",
                )
                .map_err(db)?
                .query_row(params![member.0, folio.as_str(), seq], |r| r.get(0))
                .optional()
                .map_err(db)?;
            let removed = removed.map(sha).transpose()?;
            let changed = removed.is_some();
            Ok((removed, changed))
        })
        .await
    }

    async fn blob_in_use(&self, sha256: &[u8; 32]) -> Result<bool, StoreError> {
        let sha256 = *sha256;
        self.read(|c| {
            c.prepare_cached(
                "SELECT 1 FROM request_attachments WHERE sha256 = ?1 AND in_blob_store = 1",
            )
            .map_err(db)?
            .exists([&sha256[..]])
            .map_err(db)
        })
    }

    async fn course_completion(
        &self,
        member: MemberId,
    ) -> Result<Option<CourseCompletion>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT course, score, out_of, passed_at FROM course_completions
                 WHERE member_id = ?1",
            )
            .map_err(db)?
            .query_row([member.0], |r| Ok(completion_row(r, member)))
            .optional()
            .map_err(db)?
            .transpose()
        })
    }

    async fn record_course_completion(
        &self,
        completion: &CourseCompletion,
        audit: &[AuditEntry],
    ) -> Result<CourseCompletion, StoreError> {
        let passed = completion.clone();
        let member = passed.member_id;
        self.audited(audit, move |tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO course_completions (member_id, course, score, out_of, passed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (member_id) DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    member.0,
                    passed.course,
                    passed.score,
                    passed.out_of,
                    ts(passed.passed_at),
                ])
                .map_err(db)?;
            let kept = tx
                .prepare_cached(
                    "SELECT course, score, out_of, passed_at FROM course_completions
                     WHERE member_id = ?1",
                )
                .map_err(db)?
                .query_row([member.0], |r| Ok(completion_row(r, member)))
                .map_err(db)??;
            Ok((kept, inserted > 0))
        })
        .await
    }

    async fn create_partner_code(
        &self,
        member: MemberId,
        code_hash: &[u8; 32],
        expires_at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let code_hash = *code_hash;
        self.audited(audit, move |tx| {
            tx.prepare_cached("DELETE FROM partner_codes WHERE member_id = ?1")
                .map_err(db)?
                .execute([member.0])
                .map_err(db)?;
            tx.prepare_cached(
                "INSERT INTO partner_codes (code_hash, member_id, expires_at) VALUES (?1, ?2, ?3)",
            )
            .map_err(db)?
            .execute(params![&code_hash[..], member.0, ts(expires_at)])
            .map_err(db)?;
            Ok(((), true))
        })
        .await
    }

    async fn join_partner(
        &self,
        member: MemberId,
        code_hash: &[u8; 32],
        now: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<MemberId, StoreError> {
        let code_hash = *code_hash;
        self.audited(audit, move |tx| {
            let maker: Option<i64> = tx
                .prepare_cached(
                    "SELECT member_id FROM partner_codes WHERE code_hash = ?1 AND expires_at > ?2",
                )
                .map_err(db)?
                .query_row(params![&code_hash[..], ts(now)], |r| r.get(0))
                .optional()
                .map_err(db)?;
            let maker = maker.ok_or(StoreError::Conflict("partner_code_invalid"))?;
            if maker == member.0 {
                return Err(StoreError::Conflict("partner_self"));
            }
            let taken = tx
                .prepare_cached("SELECT 1 FROM credit_partners WHERE member_id IN (?1, ?2)")
                .map_err(db)?
                .exists(params![member.0, maker])
                .map_err(db)?;
            if taken {
                return Err(StoreError::Conflict("partner_taken"));
            }
            for (a, b) in [(member.0, maker), (maker, member.0)] {
                tx.prepare_cached(
                    "INSERT INTO credit_partners (member_id, partner_id, joined_at)
                     VALUES (?1, ?2, ?3)",
                )
                .map_err(db)?
                .execute(params![a, b, ts(now)])
                .map_err(db)?;
            }
            tx.prepare_cached("DELETE FROM partner_codes WHERE member_id = ?1")
                .map_err(db)?
                .execute([maker])
                .map_err(db)?;
            Ok((MemberId(maker), true))
        })
        .await
    }

    async fn partner_of(&self, member: MemberId) -> Result<Option<MemberId>, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT partner_id FROM credit_partners WHERE member_id = ?1")
                .map_err(db)?
                .query_row([member.0], |r| r.get::<_, i64>(0))
                .optional()
                .map_err(db)
                .map(|p| p.map(MemberId))
        })
    }

    async fn leave_partner(
        &self,
        member: MemberId,
        audit: &[AuditEntry],
    ) -> Result<Option<MemberId>, StoreError> {
        self.audited(audit, move |tx| {
            let partner: Option<i64> = tx
                .prepare_cached(
                    "DELETE FROM credit_partners WHERE member_id = ?1 RETURNING partner_id",
                )
                .map_err(db)?
                .query_row([member.0], |r| r.get(0))
                .optional()
                .map_err(db)?;
            if let Some(partner) = partner {
                tx.prepare_cached("DELETE FROM credit_partners WHERE member_id = ?1")
                    .map_err(db)?
                    .execute([partner])
                    .map_err(db)?;
            }
            Ok((partner.map(MemberId), partner.is_some()))
        })
        .await
    }
}
