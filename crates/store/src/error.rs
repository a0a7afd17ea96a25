//! The storage layer's one error type, with stable codes the layers above map to messages.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A file with this content was already imported.
    #[error("file already imported as batch {batch_id}")]
    AlreadyImported { batch_id: i64 },
    /// A uniqueness or state rule of the data would be broken.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Stored data could not be turned back into domain types: a bug or a hand-edited database.
    #[error("corrupt row in {table}: {reason}")]
    Corrupt { table: &'static str, reason: String },
    /// Anything else the engine reported.
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "database_unavailable",
            StoreError::AlreadyImported { .. } => "already_imported",
            StoreError::Conflict(code) => code,
            StoreError::Corrupt { .. } => "corrupt_data",
            StoreError::Database(_) => "database_error",
        }
    }

    pub fn corrupt(table: &'static str, reason: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            table,
            reason: reason.to_string(),
        }
    }
}
