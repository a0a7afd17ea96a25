//! `vivienda-load`: members' sessions arriving at a set rate (an open loop), for latency at a
//! given load rather than at saturation.
//!
//! wrk's scripts (`load/session.lua`) are a closed loop: each connection waits for its answer
//! before it sends the next request, so a slow server is offered less work and its queue never
//! shows in the figures. Here sessions start at the times of a Poisson process of `--rate`
//! sessions a second, whatever the server is doing; inside a session the member waits for each
//! answer and thinks before the next, as a person does. Each session is the mix of
//! `load/session.lua`: sign in, `--requests` consultations drawn with the published shares, one
//! PDF, a request's status, sign out. `/healthz`, the static JSON route, is asked at a steady
//! rate through the same run as the baseline. With `--pid`, the server's CPU time and its peak
//! resident memory (its own and mapped files apart) are read from /proc.

mod server;
mod session;
mod stats;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::time::{Instant, MissedTickBehavior};

use crate::session::{Client, Plan, Session};
use crate::stats::{Kind, Stats};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "vivienda-load",
    about = "Members' sessions arriving at a set rate"
)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080 (behind VIVIENDA_TRUSTED_PROXIES=127.0.0.1, each
    /// session comes from an address of its own)
    base: String,
    /// Sessions (sign-ins) starting a second, on average
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Seconds during which sessions start; the sessions still running then are waited for
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Consultations a session, between the sign-in and the PDF
    #[arg(long, default_value_t = 36)]
    requests: usize,
    /// Mean think time between two requests of a session, in milliseconds (drawn uniformly
    /// from 0 to twice this)
    #[arg(long, default_value_t = 1000)]
    think_ms: u64,
    /// `/healthz` requests a second through the run, the baseline
    #[arg(long, default_value_t = 20.0)]
    healthz_rate: f64,
    /// Seconds to wait for the sessions still running when the arrivals stop
    #[arg(long, default_value_t = 180)]
    grace: u64,
    /// The server's process id: its CPU time and peak memory are reported
    #[arg(long)]
    pid: Option<u32>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.rate > 0.0, "--rate must be above 0");
    anyhow::ensure!(args.healthz_rate > 0.0, "--healthz-rate must be above 0");
    // One thread: the generator shares the machine with the server and must stay small.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let client = Client::new(&args.base)?;
    let window = Duration::from_secs(args.duration);
    let start = Instant::now();
    let stats = Arc::new(Mutex::new(Stats::new(start)));
    let watcher = args.pid.map(server::Watcher::start);

    let baseline = tokio::spawn(healthz(
        client.clone(),
        stats.clone(),
        args.healthz_rate,
        start + window,
    ));

    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut sessions = Vec::new();
    let mut at = start;
    let mut index: u64 = 0;
    loop {
        // Exponential gaps: a Poisson process of `rate` arrivals a second.
        let uniform: f64 = rng.random_range(f64::EPSILON..1.0);
        at += Duration::from_secs_f64(-uniform.ln() / args.rate);
        if at >= start + window {
            break;
        }
        tokio::time::sleep_until(at).await;
        let lag = at.elapsed();
        index += 1;
        let plan = Plan::draw(&mut rng, index, args.requests, args.think_ms);
        let task_client = client.clone();
        let task_stats = stats.clone();
        sessions.push(tokio::spawn(async move {
            session::run(&task_client, plan, &task_stats).await;
        }));
        lock(&stats).lag(lag);
    }
    let arrivals_done = start.elapsed();
    let _ = baseline.await;

    let deadline = Instant::now() + Duration::from_secs(args.grace);
    let mut unfinished = 0;
    for task in sessions {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, task).await {
            Ok(_) => {}
            Err(_) => unfinished += 1,
        }
    }
    let elapsed = start.elapsed();
    let server = watcher.map(server::Watcher::stop);
    let stats = lock(&stats);
    print!(
        "{}",
        stats.report(&stats::Run {
            rate: args.rate,
            requests: args.requests,
            think_ms: args.think_ms,
            arrivals: arrivals_done,
            elapsed,
            started: index,
            unfinished,
        })
    );
    if let Some(server) = server {
        println!("{server}");
    }
    Ok(())
}

/// `/healthz` at a steady rate until `until`, each answer's time recorded as the baseline.
async fn healthz(client: Client, stats: Arc<Mutex<Stats>>, rate: f64, until: Instant) {
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut asked = Vec::new();
    while Instant::now() < until {
        tick.tick().await;
        let client = client.clone();
        let stats = stats.clone();
        asked.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = client
                .send(hyper::Method::GET, "/healthz", Session::None, None, None)
                .await;
            let status = answer.map_or(0, |a| a.status);
            lock(&stats).record(
                Kind::Healthz,
                sent.elapsed(),
                status == 200,
                "/healthz",
                status,
            );
        }));
    }
    for task in asked {
        let _ = task.await;
    }
}

/// The statistics stay usable if a task panicked while holding them.
fn lock(stats: &Mutex<Stats>) -> std::sync::MutexGuard<'_, Stats> {
    stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
