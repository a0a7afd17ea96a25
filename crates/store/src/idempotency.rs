//! Idempotency keys: a client that retries a submission with the same `Idempotency-Key` gets the
//! first answer again instead of a second submission. Keys are kept per member until they
//! expire; a key is claimed before the request runs and answered after it.

use async_trait::async_trait;
use domain::registry::MemberId;
use time::OffsetDateTime;

use crate::StoreError;

/// The answer kept for a key: what the first request got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key was free (or had expired): the caller runs the request and then answers or
    /// releases the key.
    Claimed,
    /// Another request with this key is running, or its outcome is unknown (the process
    /// stopped before answering): the request must not run again.
    Pending { request_hash: [u8; 32] },
    /// A request with this key was answered.
    Answered {
        request_hash: [u8; 32],
        answer: IdempotentAnswer,
    },
}

#[async_trait]
pub trait IdempotencyRepo {
    /// Claims `key` for `member` and the request whose SHA-256 is `request_hash`, to hold until
    /// `expires_at`. A key of the member's that expired by `now` is forgotten first. Two claims
    /// of one key at once: exactly one gets `Claimed`.
    async fn claim_idempotency_key(
        &self,
        member: MemberId,
        key: &str,
        request_hash: &[u8; 32],
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<IdempotencyClaim, StoreError>;
    /// Keeps the answer of a claimed key; a key already answered keeps its first answer.
    async fn answer_idempotency_key(
        &self,
        member: MemberId,
        key: &str,
        answer: &IdempotentAnswer,
    ) -> Result<(), StoreError>;
    /// Frees a claimed key whose request did nothing (it failed before acting), so that a
    /// retry runs it. An answered key is kept.
    async fn release_idempotency_key(&self, member: MemberId, key: &str) -> Result<(), StoreError>;
}
