//! Request attachments and applying data corrections on PostgreSQL.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use domain::registry::{MemberId, Person};
use domain::requests::Folio;
use store::{
    Attachment, CorrectionRepo, NewAttachment, NewMessage, NewRequest, Request, StateChange,
    StoreError,
};
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec};
use crate::columns::get;
use crate::error::db;
use crate::requests::{insert_request, transition_in};

pub(crate) const T: &str = "request_attachments";

pub(crate) const COLUMNS: &str =
    "seq, file_name, content_type, size, sha256, uploaded_at, item, in_blob_store";

pub(crate) fn attachment(r: &Row) -> Result<Attachment, StoreError> {
    let sha: Vec<u8> = get(r, 4, T)?;
    Ok(Attachment {
        seq: u32::try_from(get::<i32>(r, 0, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        file_name: get(r, 1, T)?,
        content_type: get(r, 2, T)?,
        size: u64::try_from(get::<i64>(r, 3, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        sha256: <[u8; 32]>::try_from(sha).map_err(|_| StoreError::corrupt(T, "bad hash"))?,
        uploaded_at: get(r, 5, T)?,
        item: get(r, 6, T)?,
        in_blob_store: get(r, 7, T)?,
    })
}

async fn insert_attachments(
    tx: &Transaction<'_>,
    request: &Request,
    attachments: &[NewAttachment],
) -> Result<(), StoreError> {
    for (i, a) in attachments.iter().enumerate() {
        let seq = i32::try_from(i + 1).map_err(|e| StoreError::Database(e.to_string()))?;
        let size = i64::try_from(a.bytes.len()).map_err(|e| StoreError::Database(e.to_string()))?;
        exec(
            tx,
            "INSERT INTO request_attachments (member_id, folio, seq, file_name, content_type,
                 size, sha256, bytes, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &request.member_id.0,
                &request.folio.as_str(),
                &seq,
                &a.file_name,
                &a.content_type,
                &size,
                &&a.sha256[..],
                &a.bytes,
                &request.created_at,
            ],
        )
        .await?;
    }
    Ok(())
}

#[async_trait]
impl CorrectionRepo for PgStore {
    async fn create_request_with_attachments(
        &self,
        new: &NewRequest,
        attachments: &[NewAttachment],
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let created = insert_request(&tx, new, notify).await?;
        insert_attachments(&tx, &created, attachments).await?;
        commit(tx, audit, true).await?;
        Ok(created)
    }

    async fn attachments(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<Attachment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM request_attachments
             WHERE member_id = $1 AND folio = $2 ORDER BY seq"
        );
        let rows = self.fetch(&sql, &[&member.0, &folio.as_str()]).await?;
        rows.iter().map(attachment).collect()
    }

    async fn attachment(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, bytes FROM request_attachments
             WHERE member_id = $1 AND folio = $2 AND seq = $3"
        );
        let seq = i32::try_from(seq).map_err(|e| StoreError::Database(e.to_string()))?;
        let rows = self
            .fetch(&sql, &[&member.0, &folio.as_str(), &seq])
            .await?;
        rows.first()
            .map(|r| Ok((attachment(r)?, get::<Vec<u8>>(r, 8, T)?)))
            .transpose()
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
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let updated = transition_in(&tx, member, folio, change, notify).await?;
        let stmt = tx
            .prepare_cached(
                "UPDATE members SET given_names = $1, first_surname = $2, second_surname = $3,
                     curp = $4, rfc = $5
                 WHERE member_id = $6",
            )
            .await
            .map_err(db)?;
        let written = tx
            .execute(
                &stmt,
                &[
                    &corrected.given_names,
                    &corrected.first_surname,
                    &corrected.second_surname,
                    &corrected.curp.as_str(),
                    &corrected.rfc.as_str(),
                    &member.0,
                ],
            )
            .await
            .map_err(|e| {
                if e.as_db_error().and_then(|d| d.constraint()) == Some("members_curp") {
                    StoreError::Conflict("curp_taken")
                } else {
                    db(e)
                }
            })?;
        if written != 1 {
            return Err(StoreError::Conflict("member_not_found"));
        }
        commit(tx, audit, true).await?;
        Ok(updated)
    }
}
