//! The job queue on PostgreSQL (`store::jobs`).

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use store::{Job, JobRepo, JobState, NewJob, StoreError, qualified_columns};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;

const T: &str = "jobs";

const COLUMNS: &str = "job_id, kind, args, state, created_by, created_at, started_at, \
     finished_at, lease_until, attempts, progress, summary, error";

fn job(r: &Row) -> Result<Job, StoreError> {
    let state: &str = get(r, 3, T)?;
    Ok(Job {
        job_id: get(r, 0, T)?,
        kind: get(r, 1, T)?,
        args: get(r, 2, T)?,
        state: JobState::from_code(state).ok_or_else(|| StoreError::corrupt(T, "bad state"))?,
        created_by: get(r, 4, T)?,
        created_at: get(r, 5, T)?,
        started_at: get(r, 6, T)?,
        finished_at: get(r, 7, T)?,
        lease_until: get(r, 8, T)?,
        attempts: u32::try_from(get::<i32>(r, 9, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        progress: u64::try_from(get::<i64>(r, 10, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        summary: get(r, 11, T)?,
        error: get(r, 12, T)?,
    })
}

async fn insert_files(
    tx: &Transaction<'_>,
    job_id: i64,
    files: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    for (name, bytes) in files {
        exec(
            tx,
            "INSERT INTO job_files (job_id, name, bytes) VALUES ($1, $2, $3)",
            &[&job_id, name, bytes],
        )
        .await?;
    }
    Ok(())
}

fn attempt_param(attempt: u32) -> i32 {
    i32::try_from(attempt).unwrap_or(i32::MAX)
}

#[async_trait]
impl JobRepo for PgStore {
    async fn enqueue_job(&self, new: &NewJob, audit: &[AuditEntry]) -> Result<Job, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let sql = format!(
            "INSERT INTO jobs (kind, args, dedupe, state, created_by, created_at)
             VALUES ($1, $2, $3, 'queued', $4, $5) RETURNING {COLUMNS}"
        );
        let rows = query(
            &tx,
            &sql,
            &[
                &new.kind,
                &new.args,
                &new.dedupe,
                &new.created_by,
                &new.created_at,
            ],
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict("duplicate_key") => StoreError::Conflict("job_already_queued"),
            other => other,
        })?;
        let created = rows
            .first()
            .map(job)
            .transpose()?
            .ok_or_else(|| StoreError::corrupt(T, "insert returned nothing"))?;
        insert_files(&tx, created.job_id, &new.files).await?;
        commit(tx, audit, true).await?;
        Ok(created)
    }

    async fn claim_job(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Option<Job>, StoreError> {
        let sql = format!(
            "WITH claimed AS (
                 SELECT job_id FROM jobs
                 WHERE state = 'queued' OR (state = 'running' AND lease_until <= $1)
                 ORDER BY job_id LIMIT 1
                 FOR UPDATE SKIP LOCKED)
             UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_until = $2,
                 started_at = coalesce(j.started_at, $1)
             FROM claimed WHERE j.job_id = claimed.job_id
             RETURNING {}",
            qualified_columns("j", COLUMNS)
        );
        self.fetch(&sql, &[&now, &lease_until])
            .await?
            .first()
            .map(job)
            .transpose()
    }

    async fn job_progress(
        &self,
        job_id: i64,
        attempt: u32,
        progress: u64,
        lease_until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let n = self
            .change(
                "UPDATE jobs SET progress = $3, lease_until = $4
                 WHERE job_id = $1 AND attempts = $2 AND state = 'running'",
                &[
                    &job_id,
                    &attempt_param(attempt),
                    &i64::try_from(progress).unwrap_or(i64::MAX),
                    &lease_until,
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn finish_job(
        &self,
        job_id: i64,
        attempt: u32,
        outcome: Result<String, String>,
        files: &[(String, Vec<u8>)],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let (state, summary, error) = match outcome {
            Ok(summary) => ("done", Some(summary), None),
            Err(error) => ("failed", None, Some(error)),
        };
        let n = exec(
            &tx,
            "UPDATE jobs SET state = $3, summary = $4, error = $5, finished_at = $6,
                 lease_until = NULL
             WHERE job_id = $1 AND attempts = $2 AND state = 'running'",
            &[
                &job_id,
                &attempt_param(attempt),
                &state,
                &summary,
                &error,
                &at,
            ],
        )
        .await?;
        if n != 1 {
            return Ok(false);
        }
        insert_files(&tx, job_id, files).await?;
        commit(tx, audit, true).await?;
        Ok(true)
    }

    async fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE job_id = $1");
        self.fetch(&sql, &[&job_id])
            .await?
            .first()
            .map(job)
            .transpose()
    }

    async fn recent_jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs ORDER BY job_id DESC LIMIT $1");
        self.fetch(&sql, &[&i64::from(limit)])
            .await?
            .iter()
            .map(job)
            .collect()
    }

    async fn job_file(&self, job_id: i64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.fetch(
            "SELECT bytes FROM job_files WHERE job_id = $1 AND name = $2",
            &[&job_id, &name],
        )
        .await?
        .first()
        .map(|r| get(r, 0, "job_files"))
        .transpose()
    }

    async fn job_file_names(&self, job_id: i64) -> Result<Vec<String>, StoreError> {
        self.fetch(
            "SELECT name FROM job_files WHERE job_id = $1 ORDER BY name",
            &[&job_id],
        )
        .await?
        .iter()
        .map(|r| get(r, 0, "job_files"))
        .collect()
    }
}
