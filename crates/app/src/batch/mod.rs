//! The batches that post money to the ledger: a year's yield, a bimester's employer
//! payments and the yearly re-indexation of VSM credits. Each runs as one import batch (applied whole or not at all) whose identity makes a
//! second run a no-op, and every movement has a natural key, so nothing is ever posted twice.

pub mod contributions;
pub mod reindex;
pub mod yields;

use store::{FileIdentity, ImportBatch, ImportKind, Store, StoreError};

/// Opens the batch that posts `kind` for `year`, or says which batch already did.
pub(crate) async fn begin_yearly(
    store: &dyn Store,
    kind: ImportKind,
    year: i32,
) -> Result<Result<Box<dyn ImportBatch>, i64>, StoreError> {
    use sha2::Digest;
    let name = format!("{}-{year}", kind.code());
    let identity = FileIdentity {
        kind,
        sha256: hex::encode(sha2::Sha256::digest(name.as_bytes())),
        file_name: name,
    };
    match store.begin_import(&identity).await {
        Ok(batch) => Ok(Ok(batch)),
        Err(StoreError::AlreadyImported { batch_id }) => Ok(Err(batch_id)),
        Err(e) => Err(e),
    }
}
