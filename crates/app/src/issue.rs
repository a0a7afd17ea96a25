//! Issuing a document: render it with a fresh verification code, record the code, the kind
//! and the SHA-256 of the bytes with the member and an audit row, and hand back the PDF. Every
//! PDF the portal gives a member goes through here, so every one can be verified.

use std::sync::Arc;

use domain::registry::MemberId;
use store::{Store, StoreError};
use time::OffsetDateTime;

use crate::accounts::Caller;

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Document(#[from] documents::DocumentError),
}

impl IssueError {
    pub fn code(&self) -> &'static str {
        match self {
            IssueError::Store(_) => "service_unavailable",
            IssueError::Document(e) => e.code(),
        }
    }
}

/// Renders at once: one per core. A render is a few to tens of milliseconds of one core and
/// some megabytes; more at a time than there are cores would only hold more memory and make
/// every render slower, so the rest wait their turn.
static RENDERS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// Renders `data` for `member` and records it as issued at `now`.
pub async fn issue<D>(
    store: &dyn Store,
    renderer: Arc<documents::Renderer>,
    member: MemberId,
    data: Arc<D>,
    now: OffsetDateTime,
    caller: &Caller,
) -> Result<documents::Rendered, IssueError>
where
    D: documents::Document + Send + Sync + 'static,
{
    let kind = data.kind().code();
    // Codes are random; the rare one already taken is drawn again.
    for _ in 0..3 {
        let verification = documents::Verification::new(now);
        let (r, d, v) = (renderer.clone(), data.clone(), verification.clone());
        let turn = RENDERS
            .acquire()
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let rendered = tokio::task::spawn_blocking(move || r.render(d.as_ref(), &v))
            .await
            .map_err(|e| StoreError::Database(e.to_string()))??;
        drop(turn);
        let audit = [domain::audit::AuditEntry {
            at: store::stored_instant(now),
            actor: format!("member:{}", member.0),
            action: "document_issued".into(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: format!(
                "{{\"kind\":\"{kind}\",\"code\":\"{}\"}}",
                verification.code.as_str()
            ),
        }];
        let new = store::NewDocument {
            member_id: member,
            code: verification.code.as_str().to_owned(),
            kind: kind.to_owned(),
            sha256: rendered.sha256,
            issued_at: now,
        };
        match store.record_document(&new, &audit).await {
            Ok(_) => return Ok(rendered),
            Err(StoreError::Conflict("document_code_taken")) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict("document_code_taken").into())
}
