//! Hostile clients at the socket: slow headers, stalled bodies, huge bodies, floods of headers,
//! deeply nested JSON and idle connections that try to take every slot. Each limit holds, and a
//! well-behaved member is served while the abuse goes on.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Options, TestApp, spawn_app_with};

/// Short limits, so a test sees them act in a second or two.
fn tight() -> web::Limits {
    web::Limits {
        header_read: Duration::from_secs(1),
        body_idle: Duration::from_secs(1),
        request: Duration::from_secs(5),
        connections: 16,
        max_headers: 64,
        max_header_bytes: 16 * 1024,
        max_body: 4 * 1024 * 1024,
    }
}

async fn tight_app() -> TestApp {
    spawn_app_with(Options {
        limits: Some(tight()),
        ..Options::default()
    })
    .await
}

fn host_port(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Sends `request` on a fresh connection and reads until the server answers and closes, or
/// until `within` has passed. Returns what came back.
async fn raw(app: &TestApp, request: &[u8], within: Duration) -> String {
    let mut stream = TcpStream::connect(host_port(app)).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_until_closed(&mut stream, within).await
}

async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open past {within:?}; it sent {:?}",
        String::from_utf8_lossy(&answer)
    );
    String::from_utf8_lossy(&answer).into_owned()
}

/// A member's ordinary request, answered while the abuse is under way.
async fn member_is_served(app: &TestApp) {
    let answer = tokio::time::timeout(
        Duration::from_secs(3),
        app.client.get(format!("{}/healthz", app.address)).send(),
    )
    .await
    .expect("a member waited more than 3 s while the server was under abuse")
    .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn clients_that_trickle_their_headers_are_cut_off_and_members_are_served() {
    let app = tight_app().await;
    let mut slow = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(host_port(&app)).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    member_is_served(&app).await;
    for mut stream in slow {
        // The header-read limit is 1 s: every one of them is closed well within 4 s.
        let answer = read_until_closed(&mut stream, Duration::from_secs(4)).await;
        assert!(!answer.contains("200 OK"), "{answer}");
    }
}

#[tokio::test]
async fn idle_connections_cannot_take_every_slot() {
    let app = tight_app().await;
    // Twice the connections the server serves at once, each sending nothing at all.
    let mut idle = Vec::new();
    for _ in 0..(tight().connections * 2) {
        idle.push(TcpStream::connect(host_port(&app)).await.unwrap());
    }
    // The idle ones are dropped after the header-read limit, so the member gets in.
    let answer = tokio::time::timeout(
        Duration::from_secs(8),
        app.client.get(format!("{}/healthz", app.address)).send(),
    )
    .await
    .expect("idle connections kept a member out")
    .unwrap();
    assert_eq!(answer.status(), 200);
    drop(idle);
}

#[tokio::test]
async fn a_stalled_body_is_given_up_and_members_are_served() {
    let app = tight_app().await;
    let mut stream = TcpStream::connect(host_port(&app)).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"identifier\":",
        )
        .await
        .unwrap();
    member_is_served(&app).await;
    let answer = read_until_closed(&mut stream, Duration::from_secs(6)).await;
    assert!(
        !answer.starts_with("HTTP/1.1 5") && !answer.contains("201 Created"),
        "{answer}"
    );
}

#[tokio::test]
async fn huge_bodies_are_refused_before_they_are_read() {
    let app = tight_app().await;
    // Declared: refused on the length alone.
    let declared = raw(
        &app,
        b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\nConnection: close\r\n\r\n",
        Duration::from_secs(4),
    )
    .await;
    assert!(declared.starts_with("HTTP/1.1 413"), "{declared}");
    // Sent for real, chunked, without a length: refused once it passes the limit, and the
    // rest is never read.
    let mut stream = TcpStream::connect(host_port(&app)).await.unwrap();
    stream
        .write_all(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let chunk = format!("10000\r\n{}\r\n", "9".repeat(0x10000));
    for _ in 0..128 {
        // 8 MiB in all, unless the server has stopped listening first.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let answer = read_until_closed(&mut stream, Duration::from_secs(4)).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 413"),
        "{answer}"
    );
    member_is_served(&app).await;
}

#[tokio::test]
async fn floods_of_headers_are_refused() {
    let app = tight_app().await;
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for i in 0..500 {
        many.push_str(&format!("X-Flood-{i}: {i}\r\n"));
    }
    many.push_str("\r\n");
    let answer = raw(&app, many.as_bytes(), Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let answer = raw(&app, big.as_bytes(), Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    member_is_served(&app).await;
}

#[tokio::test]
async fn deeply_nested_json_is_refused_without_harm() {
    let app = tight_app().await;
    for depth in [200usize, 100_000] {
        let body = format!(
            "{{\"identifier\":{}1{},\"password\":\"x\"}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let answer = app
            .client
            .post(format!("{}/api/v1/sessions", app.address))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_client_error(),
            "depth {depth}: {}",
            answer.status()
        );
    }
    member_is_served(&app).await;
}

/// Guessing the six-digit activation code: five wrong tries use the code up, so even the right
/// one is refused afterwards and the member must ask for a new code (five an hour at most).
#[tokio::test]
async fn guessing_the_activation_code_uses_it_up() {
    use crate::accounts::{Browser, code_from_outbox};
    let app = crate::spawn_app().await;
    let mut browser = Browser::new(&app);
    crate::accounts::sign_up(&mut browser).await;
    let code = code_from_outbox(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..domain::auth::code::MAX_ATTEMPTS {
        let r = browser.post("/activar", &[("code", wrong)]).await;
        assert_ne!(crate::accounts::location(&r), "/entrar?activada=1");
    }
    let r = browser.post("/activar", &[("code", &code)]).await;
    assert_ne!(
        crate::accounts::location(&r),
        "/entrar?activada=1",
        "the right code still worked after {} wrong ones",
        domain::auth::code::MAX_ATTEMPTS
    );
}
