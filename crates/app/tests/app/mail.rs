//! Mail really leaves: a real SMTP receiver (Python's aiosmtpd) on loopback gets the message.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use app::notify::{Mailer, SmtpConfig, SmtpMailer};

struct Receiver {
    child: Child,
    port: u16,
    mailbox: std::path::PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts aiosmtpd storing mail in a maildir. `./scripts/test` installs it; a missing
/// receiver fails the test rather than skipping it.
async fn receiver() -> Receiver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (dir, _store) = crate::scratch();
    let mailbox = dir.join("mail");
    let receiver = Receiver {
        child: Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&mailbox)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for the SMTP receiver"),
        port,
        mailbox,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return receiver;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("aiosmtpd did not start: run ./scripts/test, which installs it");
}

#[tokio::test]
async fn a_message_is_delivered_to_a_real_smtp_server() {
    let smtp = receiver().await;
    let mailer = SmtpMailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp.port,
        from: "Vivienda <avisos@vivienda.example>".into(),
        username: None,
        password: None,
    })
    .unwrap();
    mailer
        .send(
            "maria.garcia@example.mx",
            "Tu código de activación",
            "Tu código es 048213. Vence en 10 minutos.",
        )
        .await
        .unwrap();
    let new = smtp.mailbox.join("new");
    let mut text = String::new();
    for _ in 0..50 {
        if let Some(entry) = std::fs::read_dir(&new).ok().and_then(|mut d| d.next()) {
            text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains("To: maria.garcia@example.mx"), "{text}");
    assert!(text.contains("048213"), "{text}");
    assert!(mailer.send("not an address", "x", "y").await.is_err());
}
