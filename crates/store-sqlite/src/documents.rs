//! The record of issued documents on SQLite.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use rusqlite::{OptionalExtension, Row, params};
use store::{DocumentRepo, IssuedDocument, NewDocument, StoreError, stored_instant};

use crate::stamp::{get, get_ts, ts};
use crate::{SqliteStore, db};

fn document(r: &Row) -> Result<IssuedDocument, StoreError> {
    const T: &str = "issued_documents";
    let sha256: Vec<u8> = get(r, 3, T)?;
    Ok(IssuedDocument {
        member_id: MemberId(get(r, 0, T)?),
        code: get(r, 1, T)?,
        kind: get(r, 2, T)?,
        sha256: <[u8; 32]>::try_from(sha256)
            .map_err(|_| StoreError::corrupt(T, "hash is not 32 bytes"))?,
        issued_at: get_ts(r, 4, T)?,
    })
}

#[async_trait]
impl DocumentRepo for SqliteStore {
    async fn record_document(
        &self,
        new: &NewDocument,
        audit: &[AuditEntry],
    ) -> Result<IssuedDocument, StoreError> {
        let new = new.clone();
        self.audited(audit, move |tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO issued_documents (member_id, code, kind, sha256, issued_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    new.member_id.0,
                    new.code,
                    new.kind,
                    new.sha256.as_slice(),
                    ts(new.issued_at)
                ])
                .map_err(db)?;
            if inserted == 0 {
                return Err(StoreError::Conflict("document_code_taken"));
            }
            let issued = IssuedDocument {
                member_id: new.member_id,
                issued_at: stored_instant(new.issued_at),
                code: new.code,
                kind: new.kind,
                sha256: new.sha256,
            };
            Ok((issued, true))
        })
        .await
    }

    async fn document_by_code(&self, code: &str) -> Result<Option<IssuedDocument>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT member_id, code, kind, sha256, issued_at
                 FROM issued_documents WHERE code = ?1",
            )
            .map_err(db)?
            .query_row([code], |r| Ok(document(r)))
            .optional()
            .map_err(db)?
            .transpose()
        })
    }
}
