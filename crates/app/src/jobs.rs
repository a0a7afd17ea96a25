//! Batches started from the back office run here, through the job queue (`store::JobRepo`):
//! any instance's worker claims the oldest waiting job with a lease, renews the lease while the
//! batch runs, and finishes the job with the batch's report. A worker that dies leaves its job
//! to be claimed again when the lease runs out; the batches are idempotent (each is one import
//! batch with an identity, every movement has a natural key), so running one twice posts once.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration as StdDuration;

use domain::audit::{AuditEntry, Channel};
use domain::reference::ReferenceTables;
use serde_json::json;
use store::{Job, NewJob, Store, StoreError};
use time::Duration;

use crate::appointments::Appointments;
use crate::clock::Clock;
use crate::stats::ReportCache;

/// How long a claim lasts without news from its worker.
pub const LEASE: Duration = Duration::seconds(60);

/// The largest contributions file taken from the back office; bigger files go through
/// `vivienda batch contributions`.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// The name the uploaded file is kept under with its job.
pub const INPUT_FILE: &str = "aportaciones.csv";

/// A batch an operator can start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobRequest {
    /// A year's yield on every balance that earns one.
    Yield { year: i32 },
    /// The yearly re-indexation of VSM credits.
    Reindex { year: i32 },
    /// One bimester's employer payments, from an uploaded file.
    Contributions { file_name: String, bytes: Vec<u8> },
    /// Tomorrow's CESI appointment reminders.
    Reminders,
    /// The usage statistics' summaries brought up to today (`stats::Statistics::refresh`).
    Stats,
}

impl JobRequest {
    pub fn kind(&self) -> &'static str {
        match self {
            JobRequest::Yield { .. } => "yield",
            JobRequest::Reindex { .. } => "reindex",
            JobRequest::Contributions { .. } => "contributions",
            JobRequest::Reminders => "reminders",
            JobRequest::Stats => "stats",
        }
    }

    /// The job to queue. The same batch cannot wait twice: a year for the yearly batches, the
    /// file's SHA-256 for contributions, the day for reminders.
    pub fn to_job(&self, created_by: &str, now: time::OffsetDateTime) -> NewJob {
        let (args, dedupe, files) = match self {
            JobRequest::Yield { year } | JobRequest::Reindex { year } => (
                json!({ "year": year }),
                format!("{}:{year}", self.kind()),
                Vec::new(),
            ),
            JobRequest::Contributions { file_name, bytes } => {
                use sha2::Digest;
                let sha = hex::encode(sha2::Sha256::digest(bytes));
                (
                    json!({ "file_name": file_name, "sha256": sha, "size": bytes.len() }),
                    format!("contributions:{sha}"),
                    vec![(INPUT_FILE.to_owned(), bytes.clone())],
                )
            }
            JobRequest::Reminders => (
                json!({}),
                format!(
                    "reminders:{}",
                    domain::dates::iso(domain::dates::mexico_city_date(now))
                ),
                Vec::new(),
            ),
            JobRequest::Stats => (json!({}), "stats".to_owned(), Vec::new()),
        };
        NewJob {
            kind: self.kind().to_owned(),
            args: args.to_string(),
            dedupe,
            created_by: created_by.to_owned(),
            created_at: now,
            files,
        }
    }
}

/// Runs queued jobs.
#[derive(Clone)]
pub struct JobRunner {
    store: Arc<dyn Store>,
    tables: Arc<ReferenceTables>,
    appointments: Option<Appointments>,
    clock: Arc<dyn Clock>,
    /// Emptied when the `stats` job has rewritten the summaries.
    reports: Option<Arc<ReportCache>>,
}

/// What a batch produced: its report, and files to keep with the job.
type Outcome = Result<(serde_json::Value, Vec<(String, Vec<u8>)>), String>;

impl JobRunner {
    pub fn new(
        store: Arc<dyn Store>,
        tables: Arc<ReferenceTables>,
        appointments: Option<Appointments>,
        clock: Arc<dyn Clock>,
    ) -> JobRunner {
        JobRunner {
            store,
            tables,
            appointments,
            clock,
            reports: None,
        }
    }

    /// Empties `reports` whenever this runner has run the `stats` job, so the next report
    /// read through it shows the new summaries at once.
    pub fn with_report_cache(mut self, reports: Arc<ReportCache>) -> JobRunner {
        self.reports = Some(reports);
        self
    }

    /// Claims the oldest waiting job, runs it and finishes it; `None` when nothing waits.
    pub async fn run_next(&self) -> Result<Option<Job>, StoreError> {
        let now = self.clock.now();
        let Some(job) = self.store.claim_job(now, now + LEASE).await? else {
            return Ok(None);
        };
        tracing::info!(job = job.job_id, kind = %job.kind, attempt = job.attempts, "job claimed");
        let progress = Arc::new(AtomicU64::new(job.progress));
        let renew = {
            let (store, clock, progress) =
                (self.store.clone(), self.clock.clone(), progress.clone());
            let (id, attempt) = (job.job_id, job.attempts);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(StdDuration::from_secs(10)).await;
                    let now = clock.now();
                    let n = progress.load(Ordering::Relaxed);
                    match store.job_progress(id, attempt, n, now + LEASE).await {
                        Ok(true) => {}
                        // Taken over, or the database is away: stop renewing.
                        Ok(false) | Err(_) => break,
                    }
                }
            })
        };
        let outcome = self.run(&job, &progress).await;
        renew.abort();
        let at = self.clock.now();
        let (result, files, state) = match outcome {
            Ok((report, files)) => (Ok(report.to_string()), files, "done"),
            Err(error) => (Err(error), Vec::new(), "failed"),
        };
        let audit = AuditEntry {
            at: store::stored_instant(at),
            actor: "system:jobs".into(),
            action: "job_finished".into(),
            member_id: None,
            channel: Channel::System,
            origin: "worker".into(),
            details: json!({ "job_id": job.job_id, "kind": job.kind, "state": state }).to_string(),
        };
        let finished = self
            .store
            .finish_job(job.job_id, job.attempts, result, &files, at, &[audit])
            .await?;
        if !finished {
            tracing::warn!(job = job.job_id, "job was taken over by another worker");
        }
        self.store.job(job.job_id).await
    }

    /// Runs jobs as they come, checking every `every` when idle. Never returns.
    pub async fn keep_running(self, every: StdDuration) {
        loop {
            match self.run_next().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "job queue unavailable"),
            }
            tokio::time::sleep(every).await;
        }
    }

    async fn run(&self, job: &Job, progress: &Arc<AtomicU64>) -> Outcome {
        let args: serde_json::Value =
            serde_json::from_str(&job.args).map_err(|e| format!("bad arguments: {e}"))?;
        let year = || {
            args["year"]
                .as_i64()
                .and_then(|y| i32::try_from(y).ok())
                .ok_or_else(|| "no year".to_owned())
        };
        let today = domain::dates::mexico_city_date(self.clock.now());
        let count = |n: u64| progress.store(n, Ordering::Relaxed);
        let report =
            |r: Result<serde_json::Value, serde_json::Error>| r.map_err(|e| format!("report: {e}"));
        match job.kind.as_str() {
            "yield" => {
                let done = crate::batch::yields::post_yield(
                    self.store.as_ref(),
                    &self.tables,
                    year()?,
                    today,
                    &mut |n| count(n),
                )
                .await
                .map_err(|e| e.to_string())?;
                Ok((report(serde_json::to_value(&done))?, Vec::new()))
            }
            "reindex" => {
                let done = crate::batch::reindex::reindex_vsm_credits(
                    self.store.as_ref(),
                    &self.tables,
                    year()?,
                    today,
                    &mut |n| count(n),
                )
                .await
                .map_err(|e| e.to_string())?;
                Ok((report(serde_json::to_value(&done))?, Vec::new()))
            }
            "contributions" => self.contributions(job).await,
            "reminders" => {
                let appointments = self
                    .appointments
                    .as_ref()
                    .ok_or_else(|| "appointments are not configured".to_owned())?;
                let run = appointments
                    .remind_tomorrow()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((
                    json!({
                        "day": run.day.map(domain::dates::iso),
                        "queued": run.queued,
                        "skipped": run.skipped,
                    }),
                    Vec::new(),
                ))
            }
            "stats" => {
                let stats = crate::stats::Statistics::new(self.store.clone(), self.tables.clone());
                let done = stats.refresh(today).await.map_err(|e| e.to_string())?;
                if let Some(reports) = &self.reports {
                    reports.clear();
                }
                Ok((
                    json!({ "until": domain::dates::iso(today), "refresh": done }),
                    Vec::new(),
                ))
            }
            other => Err(format!("unknown job kind {other}")),
        }
    }

    /// The uploaded file goes through the same batch as `vivienda batch contributions`, in a
    /// directory of its own; the rejects and arrears files it writes are kept with the job.
    async fn contributions(&self, job: &Job) -> Outcome {
        let bytes = self
            .store
            .job_file(job.job_id, INPUT_FILE)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the uploaded file is missing".to_owned())?;
        let dir = std::env::temp_dir().join(format!(
            "vivienda-job-{}-{}-{}",
            std::process::id(),
            job.job_id,
            job.attempts
        ));
        let result = async {
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let input: PathBuf = dir.join(INPUT_FILE);
            std::fs::write(&input, &bytes).map_err(|e| e.to_string())?;
            let done = crate::batch::contributions::post_contributions(
                self.store.as_ref(),
                &self.tables,
                &input,
            )
            .await
            .map_err(|e| e.to_string())?;
            let mut files = Vec::new();
            for (name, path) in [
                ("rechazos.csv", &done.rejects_file),
                ("adeudos.csv", &done.arrears_file),
            ] {
                if let Some(path) = path {
                    let written = std::fs::read(path).map_err(|e| e.to_string())?;
                    files.push((name.to_owned(), written));
                }
            }
            let mut summary = serde_json::to_value(&done).map_err(|e| e.to_string())?;
            // The paths were the worker's own; the files now live with the job.
            if let Some(map) = summary.as_object_mut() {
                map.remove("rejects_file");
                map.remove("arrears_file");
            }
            Ok((summary, files))
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        result
    }
}

/// Queues the `stats` job every `every`, so the summaries stay current without an operator.
/// Every instance may run this: the queue holds one waiting `stats` job at a time, and a
/// second one is refused as already queued. Never returns.
pub async fn keep_refreshing_stats(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    every: StdDuration,
) {
    // The first one an interval after start: an instance that restarts does not queue it anew.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = queue_stats(store.as_ref(), clock.now()).await {
            tracing::warn!(error = %e, "the statistics refresh was not queued");
        }
    }
}

/// Queues the `stats` job unless one is waiting already; `true` when this call queued it.
pub async fn queue_stats(store: &dyn Store, now: time::OffsetDateTime) -> Result<bool, StoreError> {
    let new = JobRequest::Stats.to_job("system:schedule", now);
    let audit = AuditEntry {
        at: store::stored_instant(now),
        actor: "system:schedule".into(),
        action: "job_queued".into(),
        member_id: None,
        channel: Channel::System,
        origin: "schedule".into(),
        details: json!({ "kind": new.kind }).to_string(),
    };
    match store.enqueue_job(&new, &[audit]).await {
        Ok(_) => Ok(true),
        Err(StoreError::Conflict("job_already_queued")) => Ok(false),
        Err(e) => Err(e),
    }
}
