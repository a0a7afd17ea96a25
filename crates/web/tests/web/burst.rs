//! A burst of 10,000 wrong passwords against one account, each from its own address behind a
//! trusted load balancer, does not lock the real member out: their next correct sign-in waits
//! at most the configured ceiling and then needs the code sent to their e-mail.

use domain::auth::throttle::{MAX_DELAY, STEP_UP_AFTER};
use reqwest::StatusCode;
use time::Duration;

use crate::accounts::{Browser, NSS, PASSWORD, code_from_outbox, sign_up_and_activate};
use crate::{Engine, Options, spawn_app_with};

const BURST: u32 = 10_000;

async fn ten_thousand_wrong_passwords_delay_the_member_by_at_most_the_ceiling(engine: Engine) {
    let app = spawn_app_with(Options {
        engine,
        clock_by_hand: true,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    let sign_in = |from: String, password: &'static str, step_up: Option<(String, String)>| {
        let mut body = serde_json::json!({ "identifier": NSS, "password": password });
        if let Some((attempt, code)) = step_up {
            body["attempt"] = attempt.into();
            body["code"] = code.into();
        }
        app.client
            .post(format!("{}/api/v1/sessions", app.address))
            .header("x-forwarded-for", from)
            .json(&body)
            .send()
    };
    let (mut checked, mut refused) = (0u32, 0u32);
    for i in 0..BURST {
        let from = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
        let r = sign_in(from, "una contraseña equivocada", None)
            .await
            .unwrap();
        match r.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refused += 1;
                // The attacker keeps going while time passes: a second between tries.
                app.advance(Duration::seconds(1));
            }
            other => panic!("attempt {i}: {other}"),
        }
    }
    assert_eq!(checked + refused, BURST);
    assert!(
        checked > STEP_UP_AFTER,
        "the burst went past the step-up: {checked} checked"
    );
    println!("burst of {BURST}: {checked} passwords checked, {refused} refused unchecked");

    // The member, from home: at most the ceiling to wait, then password and e-mailed code.
    let home = || "203.0.113.25".to_owned();
    let r = sign_in(home(), PASSWORD, None).await.unwrap();
    let waited = if r.status() == StatusCode::TOO_MANY_REQUESTS {
        let wait: i64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait <= MAX_DELAY.whole_seconds(), "waited {wait} s");
        app.advance(Duration::seconds(wait));
        wait
    } else {
        0
    };
    let r = sign_in(home(), PASSWORD, None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "sign_in_code_required");
    let attempt = body["attempt"].as_str().unwrap().to_owned();
    let code = code_from_outbox(&app).await;
    let r = sign_in(home(), PASSWORD, Some((attempt, code)))
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "signed in after {waited} s"
    );
}

crate::on_both_engines!(ten_thousand_wrong_passwords_delay_the_member_by_at_most_the_ceiling);
