//! `vivienda outbox` lists what was sent; `vivienda outbox send` delivers e-mail to a real SMTP
//! receiver (Python's aiosmtpd, which `./scripts/test` installs) and leaves SMS pending.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use store::{NewMessage, OutboxChannel, OutboxRepo, OutboxStatus};
use time::OffsetDateTime;

use crate::{block_on, scratch, store_of, text, vivienda};

struct Receiver {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// aiosmtpd on a free loopback port, storing mail in a maildir. A missing receiver fails the
/// test rather than skipping it.
fn receiver(dir: &Path) -> Receiver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = dir.join("mail");
    let receiver = Receiver {
        child: Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for the SMTP receiver"),
        port,
        maildir,
    };
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return receiver;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("aiosmtpd did not start: run ./scripts/test, which installs it");
}

/// The files in the maildir's `new/`, waiting briefly for `count` of them.
fn delivered(maildir: &Path, count: usize) -> Vec<String> {
    let new = maildir.join("new");
    for _ in 0..100 {
        let files: Vec<PathBuf> = std::fs::read_dir(&new)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        if files.len() >= count {
            return files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("fewer than {count} messages arrived in {}", new.display());
}

fn message(channel: OutboxChannel, recipient: &str, code: &str) -> NewMessage {
    NewMessage {
        channel,
        recipient: recipient.into(),
        subject: "Tu código de activación".into(),
        body: format!("Tu código es {code}.\nVence en 10 minutos."),
        created_at: OffsetDateTime::now_utc(),
    }
}

fn outbox(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = vivienda(dir).arg("outbox").args(args).output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

/// The listing's row for a recipient.
fn row<'a>(listing: &'a str, recipient: &str) -> &'a str {
    listing
        .lines()
        .find(|l| l.contains(recipient))
        .unwrap_or_else(|| panic!("{recipient} is not listed:\n{listing}"))
}

#[test]
fn outbox_lists_messages_and_send_delivers_e_mail_through_smtp() {
    let dir = scratch("outbox");
    block_on(async {
        let store = store_of(&dir);
        for m in [
            message(OutboxChannel::Email, "maria.garcia@example.mx", "048213"),
            message(OutboxChannel::Email, "jose.perez@example.mx", "771902"),
            message(OutboxChannel::Sms, "+525512345678", "310554"),
        ] {
            store.enqueue_message(&m, &[]).await.unwrap();
        }
    });

    let (ok, listing, stderr) = outbox(&dir, &[]);
    assert!(ok, "{stderr}");
    assert_eq!(
        listing.lines().count(),
        4,
        "a header and three rows:\n{listing}"
    );
    for recipient in ["maria.garcia@example.mx", "jose.perez@example.mx"] {
        let row = row(&listing, recipient);
        assert!(row.contains(" email "), "{row}");
        assert!(row.contains(" pending "), "{row}");
        assert!(row.ends_with("Tu código de activación"), "{row}");
        assert!(row.contains(" UTC "), "{row}");
    }
    assert!(!listing.contains("048213"), "bodies only with --body");
    let (_, with_bodies, _) = outbox(&dir, &["--body"]);
    assert!(
        with_bodies.contains("Tu código es 048213."),
        "{with_bodies}"
    );
    let (_, newest, _) = outbox(&dir, &["--limit", "1"]);
    assert_eq!(newest.lines().count(), 2, "{newest}");
    assert!(newest.contains("+525512345678"), "newest first: {newest}");

    // Without an SMTP server: one clear line, non-zero, nothing claimed.
    let (ok, stdout, stderr) = outbox(&dir, &["send"]);
    assert!(!ok);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("vivienda: no SMTP server is configured"),
        "{stderr}"
    );

    let smtp = receiver(&dir);
    let out = vivienda(&dir)
        .args(["outbox", "send"])
        .env("VIVIENDA_SMTP_HOST", "127.0.0.1")
        .env("VIVIENDA_SMTP_PORT", smtp.port.to_string())
        .env("VIVIENDA_SMTP_FROM", "Vivienda <avisos@vivienda.example>")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "outbox: 2 e-mail sent, 0 to retry, 0 given up; 1 SMS left pending: no SMS provider is \
         configured\n"
    );
    let mail = delivered(&smtp.maildir, 2);
    assert_eq!(mail.len(), 2);
    for (to, code) in [
        ("maria.garcia@example.mx", "048213"),
        ("jose.perez@example.mx", "771902"),
    ] {
        let one = mail
            .iter()
            .find(|m| m.contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("nothing delivered to {to}"));
        assert!(one.contains(code), "{one}");
        assert!(
            one.contains("From: Vivienda <avisos@vivienda.example>"),
            "{one}"
        );
    }

    let (_, listing, _) = outbox(&dir, &[]);
    for recipient in ["maria.garcia@example.mx", "jose.perez@example.mx"] {
        assert!(row(&listing, recipient).contains(" sent "), "{listing}");
    }
    assert!(
        row(&listing, "+525512345678").contains(" pending "),
        "{listing}"
    );
    let sms = block_on(async { store_of(&dir).recent_messages(10).await.unwrap() })
        .into_iter()
        .find(|m| m.channel == OutboxChannel::Sms)
        .unwrap();
    assert_eq!(sms.status, OutboxStatus::Pending);
    assert_eq!(
        sms.last_error.as_deref(),
        Some("no SMS provider is configured")
    );

    // A second run finds nothing new to send.
    let out = vivienda(&dir)
        .args(["outbox", "send"])
        .env("VIVIENDA_SMTP_HOST", "127.0.0.1")
        .env("VIVIENDA_SMTP_PORT", smtp.port.to_string())
        .env("VIVIENDA_SMTP_FROM", "Vivienda <avisos@vivienda.example>")
        .output()
        .unwrap();
    assert!(
        text(&out).0.starts_with("outbox: 0 e-mail sent"),
        "{:?}",
        text(&out)
    );
    assert_eq!(delivered(&smtp.maildir, 2).len(), 2);
}
