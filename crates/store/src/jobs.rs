//! The job queue: batches started from the back office and run by a worker of any instance.
//! A worker claims one job with a lease, renews the lease as it reports progress, and finishes
//! it; a job whose worker died is claimed again once its lease has run out.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use time::OffsetDateTime;

use crate::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn code(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A job to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// What to run: "yield", "reindex", "contributions", "reminders".
    pub kind: String,
    /// Its arguments as JSON.
    pub args: String,
    /// Two jobs with the same key cannot wait or run at once (`Conflict("job_already_queued")`).
    pub dedupe: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    /// Files that go in with it (the uploaded file of a contributions batch).
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub job_id: i64,
    pub kind: String,
    pub args: String,
    pub state: JobState,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub lease_until: Option<OffsetDateTime>,
    /// How many times a worker has claimed it.
    pub attempts: u32,
    pub progress: u64,
    /// The batch's report as JSON, once done.
    pub summary: Option<String>,
    pub error: Option<String>,
}

#[async_trait]
pub trait JobRepo {
    /// Queues a job with its files, and `audit`, in one transaction.
    async fn enqueue_job(&self, new: &NewJob, audit: &[AuditEntry]) -> Result<Job, StoreError>;
    /// Claims the oldest job that is queued, or running with its lease run out (its worker
    /// died): it becomes `running` until `lease_until`. No two workers get the same job.
    async fn claim_job(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Option<Job>, StoreError>;
    /// Records progress and extends the lease; `false` when the job is no longer this claim's
    /// (another worker took it over after the lease ran out).
    async fn job_progress(
        &self,
        job_id: i64,
        attempt: u32,
        progress: u64,
        lease_until: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Ends the job as done (with its summary and output files) or failed (with its error),
    /// with `audit`; `false` when the job is no longer this claim's.
    #[allow(clippy::too_many_arguments)]
    async fn finish_job(
        &self,
        job_id: i64,
        attempt: u32,
        outcome: Result<String, String>,
        files: &[(String, Vec<u8>)],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError>;
    async fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError>;
    /// The newest jobs first.
    async fn recent_jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError>;
    /// One of the job's files.
    async fn job_file(&self, job_id: i64, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The names of the job's files.
    async fn job_file_names(&self, job_id: i64) -> Result<Vec<String>, StoreError>;
}
