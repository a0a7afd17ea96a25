//! `vivienda outbox` lists what was sent; `vivienda outbox send` delivers e-mail to a real SMTP
//! receiver (Python's aiosmtpd, which `./scripts/test` installs) and SMS to a real HTTP
//! webhook on loopback, retrying what the provider could not take and giving up on what it
//! refused.

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
        stderr.starts_with("vivienda: no SMTP server and no SMS provider are configured"),
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
        "outbox: 2 e-mail sent, 0 SMS sent, 0 to retry, 0 given up; SMS not sent: no SMS provider \
         is configured\n"
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
        sms.attempts, 0,
        "an SMS is not claimed while no provider is configured"
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

/// One request the SMS webhook received.
#[derive(Debug)]
struct Received {
    authorization: String,
    body: serde_json::Value,
}

/// An HTTP webhook on a loopback port that answers each request with the next status in
/// `answers` (then 202) and records what it got.
fn webhook(answers: Vec<u16>) -> (u16, std::sync::mpsc::Receiver<Received>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut answers = answers.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut authorization) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if lower.starts_with("authorization:") {
                    authorization = line["authorization:".len()..].trim().to_owned();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let status = answers.next().unwrap_or(202);
            let _ = tx.send(Received {
                authorization,
                body: serde_json::from_slice(&body).unwrap(),
            });
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (port, rx)
}

#[test]
fn send_delivers_sms_through_the_webhook_and_retries_only_what_can_succeed() {
    let dir = scratch("outbox-sms");
    block_on(async {
        let store = store_of(&dir);
        for m in [
            message(OutboxChannel::Sms, "5512345678", "310554"),
            message(OutboxChannel::Sms, "5587654321", "902211"),
            message(OutboxChannel::Sms, "5511112222", "000111"),
            message(OutboxChannel::Email, "maria.garcia@example.mx", "048213"),
        ] {
            store.enqueue_message(&m, &[]).await.unwrap();
        }
    });
    // The provider is busy for the first, refuses the second, takes the third.
    let (port, received) = webhook(vec![503, 400]);
    let send = || {
        vivienda(&dir)
            .args(["outbox", "send"])
            .env(
                "VIVIENDA_SMS_WEBHOOK_URL",
                format!("http://127.0.0.1:{port}/sms"),
            )
            .env("VIVIENDA_SMS_WEBHOOK_TOKEN", "007-secreto")
            .output()
            .unwrap()
    };
    let out = send();
    let (stdout, stderr) = text(&out);
    assert!(
        !out.status.success(),
        "a retry pending is a failure: {stdout}"
    );
    assert_eq!(
        stdout,
        "outbox: 0 e-mail sent, 1 SMS sent, 1 to retry, 1 given up; e-mail not sent: no SMTP \
         server is configured\n",
        "{stderr}"
    );
    let got: Vec<Received> = received.try_iter().collect();
    assert_eq!(got.len(), 3, "{got:?}");
    for r in &got {
        assert_eq!(
            r.authorization, "Bearer 007-secreto",
            "the token is taken verbatim"
        );
        assert!(r.body["to"].as_str().unwrap().starts_with("+52"), "{r:?}");
        assert!(r.body["reference"].as_str().unwrap().starts_with("outbox-"));
    }
    assert!(got[0].body["body"].as_str().unwrap().contains("310554"));

    // The second run sends only the one the provider was too busy for.
    let out = send();
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out)
            .0
            .starts_with("outbox: 0 e-mail sent, 1 SMS sent, 0 to retry, 0 given up")
    );
    let again: Vec<Received> = received
        .recv_timeout(Duration::from_secs(5))
        .into_iter()
        .collect();
    assert_eq!(again[0].body["to"], "+525512345678");
    let messages = block_on(async { store_of(&dir).recent_messages(10).await.unwrap() });
    let status = |to: &str| {
        messages
            .iter()
            .find(|m| m.recipient == to)
            .map(|m| (m.status, m.last_error.clone()))
            .unwrap()
    };
    assert_eq!(status("5512345678").0, OutboxStatus::Sent);
    assert_eq!(
        status("5587654321"),
        (
            OutboxStatus::Failed,
            Some("refused: the SMS provider answered 400 Bad Request".into())
        )
    );
    assert_eq!(status("5511112222").0, OutboxStatus::Sent);
    assert_eq!(status("maria.garcia@example.mx").0, OutboxStatus::Pending);
}

#[test]
fn the_running_server_sends_the_outbox_in_the_background() {
    use std::io::BufRead;
    let dir = scratch("outbox-serve");
    let (port, received) = webhook(vec![]);
    let mut child = vivienda(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env(
            "VIVIENDA_SMS_WEBHOOK_URL",
            format!("http://127.0.0.1:{port}/sms"),
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    block_on(async {
        store_of(&dir)
            .enqueue_message(&message(OutboxChannel::Sms, "5512345678", "445566"), &[])
            .await
            .unwrap();
    });
    let got = received.recv_timeout(Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    let got = got.expect("the server sent the SMS within seconds");
    assert!(got.body["body"].as_str().unwrap().contains("445566"));
    assert_eq!(got.authorization, "", "no token configured, none sent");
}
