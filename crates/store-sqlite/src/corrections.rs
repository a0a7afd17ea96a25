//! Request attachments and applying data corrections on SQLite.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::{MemberId, Person};
use domain::requests::Folio;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{
    Attachment, CorrectionRepo, NewAttachment, NewMessage, NewRequest, Request, StateChange,
    StoreError,
};

use crate::requests::{insert_request, transition_in};
use crate::stamp::{collect, get, get_ts, ts};
use crate::{SqliteStore, db};

pub(crate) const T: &str = "request_attachments";

pub(crate) const COLUMNS: &str =
    "seq, file_name, content_type, size, sha256, uploaded_at, item, in_blob_store";

pub(crate) fn attachment(r: &Row) -> Result<Attachment, StoreError> {
    let sha: Vec<u8> = get(r, 4, T)?;
    Ok(Attachment {
        seq: u32::try_from(get::<i64>(r, 0, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        file_name: get(r, 1, T)?,
        content_type: get(r, 2, T)?,
        size: u64::try_from(get::<i64>(r, 3, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        sha256: <[u8; 32]>::try_from(sha).map_err(|_| StoreError::corrupt(T, "bad hash"))?,
        uploaded_at: get_ts(r, 5, T)?,
        item: get(r, 6, T)?,
        in_blob_store: get(r, 7, T)?,
    })
}

fn insert_attachments(
    tx: &Connection,
    request: &Request,
    attachments: &[NewAttachment],
) -> Result<(), StoreError> {
    for (i, a) in attachments.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO request_attachments (member_id, folio, seq, file_name, content_type,
                 size, sha256, bytes, uploaded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(db)?
        .execute(params![
            request.member_id.0,
            request.folio.as_str(),
            i + 1,
            a.file_name,
            a.content_type,
            a.bytes.len(),
            &a.sha256[..],
            a.bytes,
            ts(request.created_at),
        ])
        .map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl CorrectionRepo for SqliteStore {
    async fn create_request_with_attachments(
        &self,
        new: &NewRequest,
        attachments: &[NewAttachment],
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let (new, attachments, notify) = (new.clone(), attachments.to_vec(), notify.to_vec());
        self.audited(audit, move |tx| {
            let created = insert_request(tx, &new, &notify)?;
            insert_attachments(tx, &created, &attachments)?;
            Ok((created, true))
        })
        .await
    }

    async fn attachments(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<Attachment>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM request_attachments
                 WHERE member_id = ?1 AND folio = ?2 ORDER BY seq"
            );
            collect(c, &sql, params![member.0, folio.as_str()], attachment)
        })
    }

    async fn attachment(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {COLUMNS}, bytes FROM request_attachments
                 WHERE member_id = ?1 AND folio = ?2 AND seq = ?3"
            );
            c.prepare_cached(&sql)
                .map_err(db)?
                .query_row(params![member.0, folio.as_str(), seq], |r| {
                    Ok(attachment(r).and_then(|a| Ok((a, get::<Vec<u8>>(r, 8, T)?))))
                })
                .optional()
                .map_err(db)?
                .transpose()
        })
    }

    async fn apply_correction(
        &self,
        member: MemberId,
        corrected: &Person,
        folio: &Folio,
        change: &StateChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let (corrected, folio, change, notify) = (
            corrected.clone(),
            folio.clone(),
            change.clone(),
            notify.to_vec(),
        );
        self.audited(audit, move |tx| {
            let updated = transition_in(tx, member, &folio, &change, &notify)?;
            let written = tx
                .prepare_cached(
                    "UPDATE members SET given_names = ?1, first_surname = ?2,
                         second_surname = ?3, curp = ?4, rfc = ?5
                     WHERE member_id = ?6",
                )
                .map_err(db)?
                .execute(params![
                    corrected.given_names,
                    corrected.first_surname,
                    corrected.second_surname,
                    corrected.curp.as_str(),
                    corrected.rfc.as_str(),
                    member.0,
                ])
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        StoreError::Conflict("curp_taken")
                    }
                    other => db(other),
                })?;
            if written != 1 {
                return Err(StoreError::Conflict("member_not_found"));
            }
            Ok((updated, true))
        })
        .await
    }
}
