//! The record of issued documents on PostgreSQL.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use store::{DocumentRepo, IssuedDocument, NewDocument, StoreError, stored_instant};
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec};
use crate::columns::{get, hash32};
use crate::error::db;

fn document(r: &Row) -> Result<IssuedDocument, StoreError> {
    const T: &str = "issued_documents";
    Ok(IssuedDocument {
        member_id: MemberId(get(r, 0, T)?),
        code: get(r, 1, T)?,
        kind: get(r, 2, T)?,
        sha256: hash32(get(r, 3, T)?, T)?,
        issued_at: get(r, 4, T)?,
    })
}

#[async_trait]
impl DocumentRepo for PgStore {
    async fn record_document(
        &self,
        new: &NewDocument,
        audit: &[AuditEntry],
    ) -> Result<IssuedDocument, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let issued_at = stored_instant(new.issued_at);
        let inserted = exec(
            &tx,
            "INSERT INTO issued_documents (member_id, code, kind, sha256, issued_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
            &[
                &new.member_id.0,
                &new.code,
                &new.kind,
                &new.sha256.as_slice(),
                &issued_at,
            ],
        )
        .await?;
        if inserted == 0 {
            return Err(StoreError::Conflict("document_code_taken"));
        }
        commit(tx, audit, true).await?;
        Ok(IssuedDocument {
            member_id: new.member_id,
            code: new.code.clone(),
            kind: new.kind.clone(),
            sha256: new.sha256,
            issued_at,
        })
    }

    async fn document_by_code(&self, code: &str) -> Result<Option<IssuedDocument>, StoreError> {
        let rows = self
            .fetch(
                "SELECT member_id, code, kind, sha256, issued_at
                 FROM issued_documents WHERE code = $1",
                &[&code],
            )
            .await?;
        rows.first().map(document).transpose()
    }
}
