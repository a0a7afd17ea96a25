//! Supervisors start the batches that post money — a year's yield, the re-indexation of VSM
//! credits, a bimester's employer payments — and the appointment reminders from the back
//! office. They run through the job queue (`crate::jobs`), so a page never waits on one; the
//! page shows each job's progress, report and files.

use domain::operators::Permission;
use serde_json::json;
use store::{Job, StoreError};

use super::{BackOffice, BackOfficeError, OperatorContext};
use crate::accounts::Caller;
use crate::jobs::{JobRequest, MAX_UPLOAD};

/// Jobs listed on the page.
pub const JOBS_LISTED: u32 = 30;

impl BackOffice {
    /// Queues a batch. The same batch cannot wait twice (`job_already_queued`); one that ran
    /// before runs again as a no-op and says which batch posted it.
    pub async fn queue_batch(
        &self,
        operator: &OperatorContext,
        request: &JobRequest,
        caller: &Caller,
    ) -> Result<Job, BackOfficeError> {
        self.require(operator, Permission::RunBatches, "queue_batch", caller)
            .await?;
        let this_year = domain::dates::mexico_city_date(self.now()).year();
        match request {
            JobRequest::Yield { year } | JobRequest::Reindex { year }
                if !(1992..=this_year).contains(year) =>
            {
                return Err(BackOfficeError::BatchYear(this_year));
            }
            JobRequest::Contributions { bytes, .. } if bytes.is_empty() => {
                return Err(BackOfficeError::BatchFileEmpty);
            }
            JobRequest::Contributions { bytes, .. } if bytes.len() > MAX_UPLOAD => {
                return Err(BackOfficeError::BatchFileTooLarge);
            }
            _ => {}
        }
        let new = request.to_job(&operator.label(), self.now());
        let audit = self.audit(
            caller,
            operator.label(),
            "job_queued",
            None,
            json!({ "kind": new.kind, "args": serde_json::from_str::<serde_json::Value>(&new.args).unwrap_or_default() }),
        );
        self.store
            .enqueue_job(&new, &[audit])
            .await
            .map_err(|e| match e {
                StoreError::Conflict("job_already_queued") => BackOfficeError::BatchAlreadyQueued,
                other => BackOfficeError::Store(other),
            })
    }

    /// The newest jobs.
    pub async fn batches(
        &self,
        operator: &OperatorContext,
        caller: &Caller,
    ) -> Result<Vec<Job>, BackOfficeError> {
        self.require(operator, Permission::RunBatches, "read_batches", caller)
            .await?;
        Ok(self.store.recent_jobs(JOBS_LISTED).await?)
    }

    /// One job with the names of its files.
    pub async fn batch(
        &self,
        operator: &OperatorContext,
        job_id: i64,
        caller: &Caller,
    ) -> Result<(Job, Vec<String>), BackOfficeError> {
        self.require(operator, Permission::RunBatches, "read_batches", caller)
            .await?;
        let job = self
            .store
            .job(job_id)
            .await?
            .ok_or(BackOfficeError::BatchNotFound)?;
        let files = self.store.job_file_names(job_id).await?;
        Ok((job, files))
    }

    /// One of a job's files (the upload, the rejected rows, the arrears). Audited: the files
    /// name members by NSS.
    pub async fn batch_file(
        &self,
        operator: &OperatorContext,
        job_id: i64,
        name: &str,
        caller: &Caller,
    ) -> Result<Vec<u8>, BackOfficeError> {
        self.require(operator, Permission::RunBatches, "read_batches", caller)
            .await?;
        let bytes = self
            .store
            .job_file(job_id, name)
            .await?
            .ok_or(BackOfficeError::BatchNotFound)?;
        let audit = self.audit(
            caller,
            operator.label(),
            "job_file_opened",
            None,
            json!({ "job_id": job_id, "file": name }),
        );
        self.store.append_audit(&[audit]).await?;
        Ok(bytes)
    }
}
