//! The server's CPU time and memory over the run, read from /proc (Linux).
//!
//! Resident memory is sampled ten times a second and split as the kernel splits it: the
//! process's own memory (`RssAnon`) and the pages of files it maps (`RssFile`, SQLite's
//! memory-mapped database among them), which the kernel can drop and read again.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Watcher {
    pid: u32,
    ticks_before: Option<u64>,
    stop: Arc<AtomicBool>,
    sampler: JoinHandle<Peaks>,
}

#[derive(Default, Clone, Copy)]
struct Peaks {
    rss_kb: u64,
    anon_kb: u64,
    file_kb: u64,
}

pub struct Report {
    cpu_seconds: Option<f64>,
    peaks: Peaks,
    high_water_kb: Option<u64>,
}

impl Watcher {
    pub fn start(pid: u32) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let sampler = std::thread::spawn(move || {
            let mut peaks = Peaks::default();
            while !flag.load(Ordering::Relaxed) {
                if let Some(status) = status(pid) {
                    let field = |name| kb(&status, name).unwrap_or(0);
                    peaks.rss_kb = peaks.rss_kb.max(field("VmRSS:"));
                    peaks.anon_kb = peaks.anon_kb.max(field("RssAnon:"));
                    peaks.file_kb = peaks.file_kb.max(field("RssFile:"));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            peaks
        });
        Watcher {
            pid,
            ticks_before: cpu_ticks(pid),
            stop,
            sampler,
        }
    }

    pub fn stop(self) -> Report {
        let after = cpu_ticks(self.pid);
        self.stop.store(true, Ordering::Relaxed);
        let peaks = self.sampler.join().unwrap_or_default();
        let hz = clock_ticks();
        Report {
            cpu_seconds: self
                .ticks_before
                .zip(after)
                .map(|(b, a)| a.saturating_sub(b) as f64 / hz),
            peaks,
            high_water_kb: status(self.pid).and_then(|s| kb(&s, "VmHWM:")),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |kb: u64| kb as f64 / 1024.0;
        match self.cpu_seconds {
            Some(s) => write!(f, "server CPU {s:.1} s over the run; ")?,
            None => write!(f, "server CPU unknown; ")?,
        }
        write!(
            f,
            "peak resident {:.0} MB sampled (its own memory {:.0} MB, mapped files {:.0} MB)",
            mb(self.peaks.rss_kb),
            mb(self.peaks.anon_kb),
            mb(self.peaks.file_kb),
        )?;
        if let Some(hwm) = self.high_water_kb {
            write!(f, ", since it started {:.0} MB", mb(hwm))?;
        }
        Ok(())
    }
}

fn status(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/status")).ok()
}

/// `VmRSS:    1234 kB` → 1234.
fn kb(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// User and system time in clock ticks: fields 14 and 15 of /proc/PID/stat, counted after the
/// command name, which may itself hold spaces and parentheses.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_own_process_is_read() {
        let pid = std::process::id();
        assert!(cpu_ticks(pid).is_some());
        let status = status(pid).unwrap_or_default();
        assert!(kb(&status, "VmRSS:").is_some_and(|kb| kb > 0));
        assert_eq!(kb("VmHWM:\t  2048 kB\n", "VmHWM:"), Some(2048));
    }
}
