//! The job queue on SQLite (`store::jobs`).

use async_trait::async_trait;
use domain::audit::AuditEntry;
use rusqlite::{Connection, Row, params};
use store::{Job, JobRepo, JobState, NewJob, StoreError};
use time::OffsetDateTime;

use crate::stamp::{collect, get, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db};

const T: &str = "jobs";

const COLUMNS: &str = "job_id, kind, args, state, created_by, created_at, started_at, \
     finished_at, lease_until, attempts, progress, summary, error";

fn job(r: &Row) -> Result<Job, StoreError> {
    let state: String = get(r, 3, T)?;
    Ok(Job {
        job_id: get(r, 0, T)?,
        kind: get(r, 1, T)?,
        args: get(r, 2, T)?,
        state: JobState::from_code(&state).ok_or_else(|| StoreError::corrupt(T, "bad state"))?,
        created_by: get(r, 4, T)?,
        created_at: get_ts(r, 5, T)?,
        started_at: get_ts_opt(r, 6, T)?,
        finished_at: get_ts_opt(r, 7, T)?,
        lease_until: get_ts_opt(r, 8, T)?,
        attempts: u32::try_from(get::<i64>(r, 9, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        progress: u64::try_from(get::<i64>(r, 10, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        summary: get(r, 11, T)?,
        error: get(r, 12, T)?,
    })
}

fn insert_files(
    c: &Connection,
    job_id: i64,
    files: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    for (name, bytes) in files {
        c.prepare_cached("INSERT INTO job_files (job_id, name, bytes) VALUES (?1, ?2, ?3)")
            .map_err(db)?
            .execute(params![job_id, name, bytes])
            .map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl JobRepo for SqliteStore {
    async fn enqueue_job(&self, new: &NewJob, audit: &[AuditEntry]) -> Result<Job, StoreError> {
        let new = new.clone();
        self.audited(audit, move |tx| {
            let sql = format!(
                "INSERT INTO jobs (kind, args, dedupe, state, created_by, created_at)
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?5) RETURNING {COLUMNS}"
            );
            let mut created = collect(
                tx,
                &sql,
                params![
                    new.kind,
                    new.args,
                    new.dedupe,
                    new.created_by,
                    ts(new.created_at)
                ],
                job,
            )
            .map_err(|e| match e {
                StoreError::Conflict("duplicate_key") => StoreError::Conflict("job_already_queued"),
                other => other,
            })?;
            let created = created
                .pop()
                .ok_or_else(|| StoreError::corrupt(T, "insert returned nothing"))?;
            insert_files(tx, created.job_id, &new.files)?;
            Ok((created, true))
        })
        .await
    }

    async fn claim_job(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Option<Job>, StoreError> {
        self.write(move |c| {
            // One statement on the one writer: no two workers claim the same job.
            let sql = format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?2,
                     started_at = coalesce(started_at, ?1)
                 WHERE job_id = (SELECT job_id FROM jobs
                                 WHERE state = 'queued'
                                    OR (state = 'running' AND lease_until <= ?1)
                                 ORDER BY job_id LIMIT 1)
                 RETURNING {COLUMNS}"
            );
            Ok(collect(c, &sql, params![ts(now), ts(lease_until)], job)?.pop())
        })
        .await
    }

    async fn job_progress(
        &self,
        job_id: i64,
        attempt: u32,
        progress: u64,
        lease_until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.write(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE jobs SET progress = ?3, lease_until = ?4
                     WHERE job_id = ?1 AND attempts = ?2 AND state = 'running'",
                )
                .map_err(db)?
                .execute(params![
                    job_id,
                    attempt,
                    i64::try_from(progress).unwrap_or(i64::MAX),
                    ts(lease_until)
                ])
                .map_err(db)?;
            Ok(n == 1)
        })
        .await
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
        let files = files.to_vec();
        self.audited(audit, move |tx| {
            let (state, summary, error) = match outcome {
                Ok(summary) => ("done", Some(summary), None),
                Err(error) => ("failed", None, Some(error)),
            };
            let n = tx
                .prepare_cached(
                    "UPDATE jobs SET state = ?3, summary = ?4, error = ?5, finished_at = ?6,
                         lease_until = NULL
                     WHERE job_id = ?1 AND attempts = ?2 AND state = 'running'",
                )
                .map_err(db)?
                .execute(params![job_id, attempt, state, summary, error, ts(at)])
                .map_err(db)?;
            if n != 1 {
                return Ok((false, false));
            }
            insert_files(tx, job_id, &files)?;
            Ok((true, true))
        })
        .await
    }

    async fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {COLUMNS} FROM jobs WHERE job_id = ?1");
            Ok(collect(c, &sql, [job_id], job)?.pop())
        })
    }

    async fn recent_jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {COLUMNS} FROM jobs ORDER BY job_id DESC LIMIT ?1");
            collect(c, &sql, [limit], job)
        })
    }

    async fn job_file(&self, job_id: i64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| {
            Ok(collect(
                c,
                "SELECT bytes FROM job_files WHERE job_id = ?1 AND name = ?2",
                params![job_id, name],
                |r| get(r, 0, "job_files"),
            )?
            .pop())
        })
    }

    async fn job_file_names(&self, job_id: i64) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT name FROM job_files WHERE job_id = ?1 ORDER BY name",
                [job_id],
                |r| get(r, 0, "job_files"),
            )
        })
    }
}
