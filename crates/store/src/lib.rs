//! Repository traits in domain types. The SQLite and PostgreSQL adapters implement them and both
//! pass the same contract suite (`contract` feature), so the app never knows which one it has.

mod accounts;
mod applications;
mod appointments;
mod audit;
mod conversions;
mod corrections;
mod documents;
mod error;
mod idempotency;
mod identity;
mod import;
mod jobs;
mod operators;
mod refunds;
mod registry;
mod relief;
mod requests;
mod stats;

#[cfg(feature = "contract")]
pub mod contract;

pub use accounts::{
    Account, AccountId, AccountRepo, AccountState, CodeCheck, CodeKey, CodeRepo, ContactChange,
    Draft, DraftRepo, NewAccount, NewCode, NewMessage, NewSession, OneTimeCode, OutboxChannel,
    OutboxMessage, OutboxRepo, OutboxStatus, Session, SessionRepo, Throttle, ThrottleRepo,
    stored_instant,
};
pub use applications::{ApplicationRepo, CourseCompletion, NewStoredFile};
pub use appointments::{
    Appointment, AppointmentChange, AppointmentRepo, AppointmentStatus, NewAppointment, SlotClaim,
};
pub use audit::{
    AuditRepo, AuditRow, AuditTotals, AuditVerdict, AuditWalk, ChainHead, StoredAuditEntry,
    in_append_order,
};
pub use conversions::{ConversionRepo, CreditConversion};
pub use corrections::{Attachment, CorrectionRepo, NewAttachment};
pub use documents::{DocumentRepo, IssuedDocument, NewDocument};
pub use error::StoreError;
pub use idempotency::{IdempotencyClaim, IdempotencyRepo, IdempotentAnswer};
pub use identity::{
    IdentityRepo, MEMBER_TABLES, MergeCount, MergeRule, MergeStatement, NssAlias, Unification,
    Unified, merge_statements,
};
pub use import::{FileIdentity, ImportBatch, ImportKind, ImportRecord, ImportRepo, ImportTotals};
pub use jobs::{Job, JobRepo, JobState, NewJob};
pub use operators::{NewOperator, Operator, OperatorRepo, OperatorSession};
pub use refunds::{BankAccount, RefundRepo};
pub use registry::{
    CreditDiscount, LEDGER_CHECK_SQL, LedgerCheck, LedgerMismatch, MovementFilter, PointsRecord,
    RegistryCounts, RegistryRepo, ReindexBase, SavingsOverview, YieldBase,
};
pub use relief::ReliefRepo;
pub use requests::{
    LedgerPosting, NewRequest, NewRequestEvent, QueueQuery, Request, RequestEvent, RequestRepo,
    StateChange, Submission,
};
pub use stats::{
    ALL_STATES, LoadAccount, LoadSession, LoadUse, MAX_SESSION_BUCKET, SESSION_BUCKET_SECONDS,
    StatSum, StatsRefresh, StatsRepo, day_start, metric, month_start, next_month,
};

/// Everything the application needs from a database.
pub trait Store:
    RegistryRepo
    + ImportRepo
    + AccountRepo
    + CodeRepo
    + SessionRepo
    + DraftRepo
    + ThrottleRepo
    + OutboxRepo
    + AuditRepo
    + DocumentRepo
    + RequestRepo
    + OperatorRepo
    + CorrectionRepo
    + ApplicationRepo
    + AppointmentRepo
    + RefundRepo
    + IdentityRepo
    + JobRepo
    + ConversionRepo
    + ReliefRepo
    + StatsRepo
    + IdempotencyRepo
    + Health
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: RegistryRepo
        + ImportRepo
        + AccountRepo
        + CodeRepo
        + SessionRepo
        + DraftRepo
        + ThrottleRepo
        + OutboxRepo
        + AuditRepo
        + DocumentRepo
        + RequestRepo
        + OperatorRepo
        + CorrectionRepo
        + ApplicationRepo
        + AppointmentRepo
        + RefundRepo
        + IdentityRepo
        + JobRepo
        + ConversionRepo
        + ReliefRepo
        + StatsRepo
        + IdempotencyRepo
        + Health
        + Send
        + Sync
        + 'static
{
}

/// `columns` ("a, b") with each name prefixed by `alias` ("s.a, s.b"), for a join that reads
/// two tables' column lists at once.
pub fn qualified_columns(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Liveness of the database, for `/readyz`.
#[async_trait::async_trait]
pub trait Health {
    /// A round trip to the database.
    async fn ping(&self) -> Result<(), StoreError>;
    /// The engine's name for logs and the start-up line: "sqlite" or "postgres".
    fn engine(&self) -> &'static str;
    /// How the reads that may lag have fared on a streaming replica since the store was
    /// opened; `None` without one.
    fn replica_reads(&self) -> Option<ReplicaReads> {
        None
    }
}

/// What the replica did with the reads offered to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaReads {
    /// Answered there.
    pub answered: u64,
    /// Answered by the primary because the replica had not replayed the reader's last write.
    pub behind: u64,
    /// Failed there (and answered by the primary).
    pub failed: u64,
}
