//! Prometheus metrics: requests by route and status, and a latency histogram by route.
//!
//! Kept per application instance rather than in a global recorder, so tests can run several
//! servers in one process and read each one's figures.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct RouteStats {
    by_status: HashMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let stats = match routes.get_mut(route) {
            Some(s) => s,
            None => routes.entry(route.to_owned()).or_default(),
        };
        *stats.by_status.entry(status).or_default() += 1;
        stats.count += 1;
        stats.sum_seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            stats.buckets[i] += 1;
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP vivienda_build_info The running version.");
        let _ = writeln!(out, "# TYPE vivienda_build_info gauge");
        let _ = writeln!(
            out,
            "vivienda_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let Ok(routes) = self.routes.lock() else {
            return out;
        };
        let mut names: Vec<&String> = routes.keys().collect();
        names.sort();
        let _ = writeln!(
            out,
            "# HELP vivienda_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE vivienda_http_requests_total counter");
        for name in &names {
            let mut statuses: Vec<_> = routes[*name].by_status.iter().collect();
            statuses.sort();
            for (status, n) in statuses {
                let _ = writeln!(
                    out,
                    "vivienda_http_requests_total{{route=\"{name}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP vivienda_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(
            out,
            "# TYPE vivienda_http_request_duration_seconds histogram"
        );
        for name in &names {
            let s = &routes[*name];
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "vivienda_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "vivienda_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "vivienda_http_request_duration_seconds_sum{{route=\"{name}\"}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "vivienda_http_request_duration_seconds_count{{route=\"{name}\"}} {}",
                s.count
            );
        }
        out
    }
}

/// The replica's counters, when the store reads from one.
fn replica(out: &mut String, reads: store::ReplicaReads) {
    let counters = [
        (
            "vivienda_replica_reads_total",
            "Reads that may lag a little, answered by the streaming replica.",
            reads.answered,
        ),
        (
            "vivienda_replica_behind_total",
            "Such reads answered by the primary: the replica had not replayed the reader's last write.",
            reads.behind,
        ),
        (
            "vivienda_replica_failures_total",
            "Such reads that failed on the replica and were answered by the primary.",
            reads.failed,
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        let _ = writeln!(out, "{name} {value}");
    }
}

pub(crate) async fn metrics_get(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = state.metrics.render();
    if let Some(reads) = state.lagging.replica_reads() {
        replica(&mut out, reads);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_replica_counters_are_written_as_prometheus_counters() {
        let mut out = String::new();
        super::replica(
            &mut out,
            store::ReplicaReads {
                answered: 7,
                behind: 2,
                failed: 1,
            },
        );
        assert!(out.contains(
            "# TYPE vivienda_replica_reads_total counter\nvivienda_replica_reads_total 7\n"
        ));
        assert!(out.contains("vivienda_replica_behind_total 2\n"));
        assert!(out.contains("vivienda_replica_failures_total 1\n"));
    }
}
