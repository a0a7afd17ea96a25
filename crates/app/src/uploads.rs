//! Receiving an uploaded file without holding it: the bytes are written to a staging file as
//! they arrive, hashed (SHA-256) and measured on the way, and only the first and last bytes are
//! kept to judge the type (`domain::application::files`). A file over the limit is cut off as
//! soon as it passes it. The staging file is removed on every path that does not keep it.
//!
//! Then the virus-scan hook: a trait with two implementations, [`NoScan`] (nothing installed:
//! the upload is accepted and the audit row says it was not scanned) and [`CommandScan`], an
//! external command such as `clamdscan --no-summary` run on the staged file.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use domain::application::Sniffed;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Writes to the staging file are gathered into pieces this large.
const WRITE_BUFFER: usize = 256 * 1024;

/// Why a file could not be received.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// It passed the limit; reading stopped there.
    #[error("file_too_large")]
    TooLarge,
    /// The upload broke off (the connection closed, the body was malformed).
    #[error("upload interrupted: {0}")]
    Interrupted(String),
    /// The staging file could not be written.
    #[error("staging failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A file received whole into the staging directory. Dropping it removes the file unless it
/// was handed on with [`Staged::keep`].
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    pub sha256: [u8; 32],
    pub sniffed: Sniffed,
    kept: bool,
}

impl Staged {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file has been handed to the blob store, which now owns it.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Removes a partly written staging file on every early return.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Receives `chunks` into a new file in `dir`, stopping at `max_bytes`.
pub async fn receive<S, E>(dir: &Path, chunks: S, max_bytes: u64) -> Result<Staged, ReceiveError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let name = format!("upload-{}", hex::encode(rand::random::<[u8; 16]>()));
    let path = dir.join(name);
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .await?;
    let mut guard = Partial(Some(path.clone()));
    let mut out = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut hasher = Sha256::new();
    let mut sniffed = Sniffed::default();
    let mut chunks = std::pin::pin!(chunks);
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| ReceiveError::Interrupted(e.to_string()))?;
        if sniffed.size + chunk.len() as u64 > max_bytes {
            return Err(ReceiveError::TooLarge);
        }
        hasher.update(&chunk);
        sniffed.push(&chunk);
        out.write_all(&chunk).await?;
    }
    out.flush().await?;
    // Durable before it is named as a blob.
    out.into_inner().sync_all().await?;
    guard.0 = None;
    Ok(Staged {
        path,
        sha256: hasher.finalize().into(),
        sniffed,
        kept: false,
    })
}

/// What a scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Infected, with what the scanner named it.
    Infected(String),
}

#[derive(Debug, thiserror::Error)]
#[error("virus scan failed: {0}")]
pub struct ScanError(pub String);

/// The virus-scan hook, run on every staged upload before it is kept.
#[async_trait]
pub trait VirusScan: Send + Sync {
    /// What the audit row records as the scanner: "none", or the command's name.
    fn name(&self) -> String;
    async fn scan(&self, file: &Path) -> Result<Verdict, ScanError>;
}

/// No scanner installed: every file passes, and the audit row says "none".
#[derive(Clone, Copy, Debug, Default)]
pub struct NoScan;

#[async_trait]
impl VirusScan for NoScan {
    fn name(&self) -> String {
        "none".to_owned()
    }

    async fn scan(&self, _file: &Path) -> Result<Verdict, ScanError> {
        Ok(Verdict::Clean)
    }
}

/// An external scanner run as `PROGRAM ARGS… FILE`, with clamdscan's exit codes: 0 clean, 1
/// infected (the first line of its output names what was found), anything else a failure —
/// and a failed scan keeps the file out.
#[derive(Clone, Debug)]
pub struct CommandScan {
    program: PathBuf,
    args: Vec<String>,
}

impl CommandScan {
    /// From a command line such as `clamdscan --no-summary --fdpass`: the first word is the
    /// program, the rest its arguments (split on spaces; no quoting).
    pub fn parse(command: &str) -> Option<CommandScan> {
        let mut words = command.split_whitespace();
        let program = PathBuf::from(words.next()?);
        Some(CommandScan {
            program,
            args: words.map(str::to_owned).collect(),
        })
    }
}

#[async_trait]
impl VirusScan for CommandScan {
    fn name(&self) -> String {
        self.program.file_name().map_or_else(
            || "command".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    async fn scan(&self, file: &Path) -> Result<Verdict, ScanError> {
        let (program, args, file) = (self.program.clone(), self.args.clone(), file.to_owned());
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new(&program)
                .args(&args)
                .arg(&file)
                .stdin(std::process::Stdio::null())
                .output()
        })
        .await
        .map_err(|e| ScanError(e.to_string()))?
        .map_err(|e| ScanError(format!("cannot run {}: {e}", self.program.display())))?;
        match output.status.code() {
            Some(0) => Ok(Verdict::Clean),
            Some(1) => {
                let said = String::from_utf8_lossy(&output.stdout);
                let found = said
                    .lines()
                    .next()
                    .and_then(|l| l.rsplit(": ").next())
                    .unwrap_or("")
                    .trim()
                    .chars()
                    .take(120)
                    .collect::<String>();
                Ok(Verdict::Infected(found))
            }
            other => Err(ScanError(format!(
                "{} exited with {other:?}",
                self.program.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: Vec<&'static [u8]>) -> impl Stream<Item = Result<Bytes, String>> {
        futures_util::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from_static(p))))
    }

    fn files_in(dir: &Path) -> usize {
        std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
    }

    #[tokio::test]
    async fn a_file_is_hashed_while_written_and_cut_off_past_the_limit() {
        let dir = std::env::temp_dir().join(format!("vivienda-uploads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let staged = receive(&dir, chunks(vec![b"%PDF-1.7\n", b"...\n%%EOF\n"]), 100)
            .await
            .unwrap();
        let whole = b"%PDF-1.7\n...\n%%EOF\n";
        assert_eq!(staged.sha256, <[u8; 32]>::from(Sha256::digest(whole)));
        assert_eq!(std::fs::read(staged.path()).unwrap(), whole);
        assert_eq!(staged.sniffed.size, whole.len() as u64);
        drop(staged);
        assert_eq!(files_in(&dir), 0, "a staged file not kept is removed");
        let too_large = receive(&dir, chunks(vec![b"0123456789", b"0123456789"]), 15).await;
        assert!(matches!(too_large, Err(ReceiveError::TooLarge)));
        assert_eq!(files_in(&dir), 0, "nothing is left of a refused file");
        let broken = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"%PDF-")),
            Err("connection reset".to_owned()),
        ]);
        assert!(matches!(
            receive(&dir, broken, 100).await,
            Err(ReceiveError::Interrupted(_))
        ));
        assert_eq!(files_in(&dir), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn an_external_scanner_flags_a_test_signature_and_a_broken_one_keeps_files_out() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("vivienda-scan-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("scan.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nif grep -q TEST-SIGNATURE \"$1\"; then echo \"$1: Test.Signature FOUND\"; exit 1; fi\nexit 0\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let scan = CommandScan::parse(script.to_str().unwrap()).unwrap();
        assert_eq!(scan.name(), "scan.sh");
        let clean = dir.join("clean.pdf");
        std::fs::write(&clean, b"%PDF-1.4 nothing here %%EOF").unwrap();
        assert_eq!(scan.scan(&clean).await.unwrap(), Verdict::Clean);
        let infected = dir.join("infected.pdf");
        std::fs::write(&infected, b"%PDF-1.4 TEST-SIGNATURE %%EOF").unwrap();
        assert_eq!(
            scan.scan(&infected).await.unwrap(),
            Verdict::Infected("Test.Signature FOUND".into())
        );
        let missing = CommandScan::parse("/nonexistent/clamdscan --no-summary").unwrap();
        assert!(missing.scan(&clean).await.is_err());
        assert_eq!(NoScan.scan(&infected).await.unwrap(), Verdict::Clean);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
