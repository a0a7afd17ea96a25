//! Account journeys through the real use cases and a real SQLite store.

use std::path::Path;
use std::sync::Arc;

use app::accounts::{
    Accounts, ActivationError, Caller, HashCost, Passwords, SessionPolicy, SignInError,
    SignUpError, SignUpForm,
};
use app::clock::TestClock;
use domain::audit::Channel;
use domain::auth::throttle::MAX_DELAY;
use store::{AuditRepo, AuditVerdict, ImportKind, OutboxRepo};
use time::Duration;
use time::macros::datetime;

use crate::{messages, scratch};

pub(crate) const MARIA_NSS: &str = "01908567892";
const MARIA_CURP: &str = "GAHM850312MDFRRR09";
const MARIA_RFC: &str = "GAHM850312K40";
pub(crate) const PASSWORD: &str = "una casa con jardín y dos árboles";

pub(crate) struct World {
    pub(crate) accounts: Accounts,
    pub(crate) clock: Arc<TestClock>,
    pub(crate) store: Arc<store_sqlite::SqliteStore>,
}

pub(crate) async fn world() -> World {
    let (dir, store) = scratch();
    let members = dir.join("members.csv");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/members.csv"),
        &members,
    )
    .unwrap();
    app::import::import_file(
        &store,
        ImportKind::Members,
        &members,
        &messages(),
        &mut |_| {},
    )
    .await
    .unwrap();
    let store = Arc::new(store);
    let clock = Arc::new(TestClock::at(datetime!(2026-11-25 18:00 UTC)));
    let accounts = Accounts::new(
        store.clone(),
        Passwords::new(HashCost::cheapest(), 2).unwrap(),
        b"test key",
        clock.clone(),
        SessionPolicy::default(),
    );
    World {
        accounts,
        clock,
        store,
    }
}

pub(crate) fn web(origin: &str) -> Caller {
    Caller {
        channel: Channel::Web,
        origin: origin.into(),
        device: "Firefox en Android".into(),
    }
}

fn form() -> SignUpForm {
    SignUpForm {
        nss: MARIA_NSS.into(),
        curp: MARIA_CURP.into(),
        rfc: MARIA_RFC.into(),
        email: "Maria.Garcia@Example.mx".into(),
        mobile: "55 1234 5678".into(),
        password: PASSWORD.into(),
        accept_terms: true,
    }
}

async fn last_code(w: &World) -> String {
    let message = w.store.recent_messages(1).await.unwrap().remove(0);
    let at = message.body.find("código es ").unwrap() + "código es ".len();
    message.body[at..at + 6].to_owned()
}

fn field_codes(err: SignUpError) -> Vec<(&'static str, &'static str)> {
    match err {
        SignUpError::Invalid(fields) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn sign_up_says_which_identifier_disagrees_and_creates_nothing() {
    let w = world().await;
    let caller = web("10.0.0.1");
    let unknown = SignUpForm {
        nss: "12345678903".into(),
        ..form()
    };
    assert_eq!(
        field_codes(w.accounts.sign_up(&unknown, &caller).await.unwrap_err()),
        [("nss", "registry_nss_unknown")]
    );
    let curp = SignUpForm {
        curp: "HEGG560427MVZRRL04".into(),
        ..form()
    };
    assert_eq!(
        field_codes(w.accounts.sign_up(&curp, &caller).await.unwrap_err()),
        [("curp", "registry_curp_mismatch")]
    );
    let rfc = SignUpForm {
        rfc: "GODE561231GR8".into(),
        ..form()
    };
    assert_eq!(
        field_codes(w.accounts.sign_up(&rfc, &caller).await.unwrap_err()),
        [("rfc", "registry_rfc_mismatch")]
    );
    let everything = SignUpForm {
        nss: "01908567891".into(),
        email: "maria".into(),
        mobile: "123".into(),
        password: "password1".into(),
        accept_terms: false,
        ..form()
    };
    assert_eq!(
        field_codes(w.accounts.sign_up(&everything, &caller).await.unwrap_err()),
        [
            ("nss", "nss_check_digit"),
            ("email", "email_invalid"),
            ("mobile", "mobile_invalid"),
            ("accept_terms", "terms_required"),
            ("password", "password_common")
        ]
    );
    let own_data = SignUpForm {
        password: format!("mi nss {MARIA_NSS}"),
        ..form()
    };
    assert_eq!(
        field_codes(w.accounts.sign_up(&own_data, &caller).await.unwrap_err()),
        [("password", "password_personal_data")]
    );
    assert!(
        w.store.recent_messages(10).await.unwrap().is_empty(),
        "no code was sent"
    );
}

#[tokio::test]
async fn activation_codes_are_single_use_bound_and_limited() {
    let w = world().await;
    let caller = web("10.0.0.1");
    let started = w.accounts.sign_up(&form(), &caller).await.unwrap();
    assert_eq!(started.email_masked, "m•••@example.mx");
    let code = last_code(&w).await;
    // A code for another attempt, or a wrong code, does not activate.
    assert_eq!(
        w.accounts
            .activate(started.member_id, "another attempt", &code, &caller)
            .await,
        Err(ActivationError::NotIssued)
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        w.accounts
            .activate(started.member_id, &started.attempt, wrong, &caller)
            .await,
        Err(ActivationError::Wrong { attempts_left: 4 })
    );
    w.accounts
        .activate(started.member_id, &started.attempt, &code, &caller)
        .await
        .unwrap();
    assert_eq!(
        w.accounts
            .activate(started.member_id, &started.attempt, &code, &caller)
            .await,
        Err(ActivationError::Used)
    );
    // A second sign-up for the same member points to recovery instead.
    assert!(matches!(
        w.accounts.sign_up(&form(), &caller).await,
        Err(SignUpError::AccountExists)
    ));
}

#[tokio::test]
async fn an_expired_code_or_too_many_tries_needs_a_new_code() {
    let w = world().await;
    let caller = web("10.0.0.1");
    let started = w.accounts.sign_up(&form(), &caller).await.unwrap();
    let code = last_code(&w).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        assert_eq!(
            w.accounts
                .activate(started.member_id, &started.attempt, wrong, &caller)
                .await,
            Err(ActivationError::Wrong {
                attempts_left: left
            })
        );
    }
    assert_eq!(
        w.accounts
            .activate(started.member_id, &started.attempt, &code, &caller)
            .await,
        Err(ActivationError::TooManyAttempts)
    );

    let w = world().await;
    let started = w.accounts.sign_up(&form(), &caller).await.unwrap();
    let code = last_code(&w).await;
    w.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    assert_eq!(
        w.accounts
            .activate(started.member_id, &started.attempt, &code, &caller)
            .await,
        Err(ActivationError::Expired)
    );
}

pub(crate) async fn active_member(w: &World) {
    let caller = web("10.0.0.1");
    let started = w.accounts.sign_up(&form(), &caller).await.unwrap();
    let code = last_code(w).await;
    w.accounts
        .activate(started.member_id, &started.attempt, &code, &caller)
        .await
        .unwrap();
}

#[tokio::test]
async fn sign_in_by_nss_or_email_gives_a_fresh_session_each_time() {
    let w = world().await;
    let caller = web("10.0.0.2");
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
    let started = w.accounts.sign_up(&form(), &caller).await.unwrap();
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::NotActivated
    );
    let code = last_code(&w).await;
    w.accounts
        .activate(started.member_id, &started.attempt, &code, &caller)
        .await
        .unwrap();
    let a = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let b = w
        .accounts
        .sign_in("maria.garcia@EXAMPLE.mx", PASSWORD, &caller)
        .await
        .unwrap();
    assert_ne!(a.token, b.token, "a new session id at every sign-in");
    assert!(a.token.len() >= 32);
    let session = w
        .accounts
        .session(&a.token, &caller)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.session.channel, Channel::Web);
    // The first sign-in from this device sent an alert; the second did not.
    let alerts = w
        .store
        .recent_messages(10)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with("Nuevo inicio"))
        .count();
    assert_eq!(alerts, 1);
    // Wrong password and unknown account get the same answer.
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, "otra frase cualquiera", &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
    assert_eq!(
        w.accounts
            .sign_in("12345678903", PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
    assert_eq!(
        w.accounts
            .sign_in("nadie@example.mx", PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
}

#[tokio::test]
async fn failures_slow_down_then_a_correct_sign_in_resets_the_count() {
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.0.3");
    for _ in 0..4 {
        assert_eq!(
            w.accounts
                .sign_in(MARIA_NSS, "no es esta frase", &caller)
                .await
                .unwrap_err(),
            SignInError::Failed
        );
    }
    // Four failures impose one second; during it even the right password is not checked.
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Wait(Duration::seconds(1))
    );
    w.clock.advance(Duration::seconds(1));
    w.accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    // The count was reset: a wrong password costs no wait again.
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, "no es esta frase", &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, "no es esta frase", &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
}

#[tokio::test]
async fn a_flood_from_many_addresses_delays_the_member_by_at_most_the_ceiling() {
    let w = world().await;
    active_member(&w).await;
    for i in 0..60 {
        let attacker = web(&format!("203.0.113.{i}"));
        let _ = w
            .accounts
            .sign_in(MARIA_NSS, "adivinanza equivocada", &attacker)
            .await;
        w.clock.advance(MAX_DELAY);
    }
    let member = web("10.0.0.9");
    w.accounts
        .sign_in(MARIA_NSS, PASSWORD, &member)
        .await
        .unwrap();
}

#[tokio::test]
async fn sessions_expire_when_idle_or_too_old_and_end_on_request() {
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.0.4");
    let s = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(29));
    assert!(
        w.accounts
            .session(&s.token, &caller)
            .await
            .unwrap()
            .is_some()
    );
    w.clock.advance(Duration::minutes(30));
    assert!(
        w.accounts
            .session(&s.token, &caller)
            .await
            .unwrap()
            .is_none(),
        "idle for 30 minutes"
    );

    // Active all along, but 12 hours old.
    let s = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    for _ in 0..25 {
        w.clock.advance(Duration::minutes(29));
        let _ = w.accounts.session(&s.token, &caller).await.unwrap();
    }
    assert!(
        w.accounts
            .session(&s.token, &caller)
            .await
            .unwrap()
            .is_none(),
        "absolute time-out"
    );

    let phone = web("10.0.0.5");
    let a = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let b = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &phone)
        .await
        .unwrap();
    let ctx = w
        .accounts
        .session(&a.token, &caller)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        w.accounts.end_other_sessions(&ctx, &caller).await.unwrap(),
        1
    );
    assert!(
        w.accounts
            .session(&b.token, &phone)
            .await
            .unwrap()
            .is_none()
    );
    w.accounts.sign_out(&ctx, &caller).await.unwrap();
    assert!(
        w.accounts
            .session(&a.token, &caller)
            .await
            .unwrap()
            .is_none()
    );
    let listed = w.accounts.my_sessions(&ctx).await.unwrap();
    assert!(listed.iter().all(|s| s.ended_at.is_some()));
    assert!(
        listed
            .iter()
            .any(|s| s.end_reason.as_deref() == Some("idle_timeout"))
    );
}

#[tokio::test]
async fn every_step_is_in_the_audit_log_and_the_chain_verifies() {
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.0.6");
    let _ = w
        .accounts
        .sign_in(MARIA_NSS, "no es esta frase", &caller)
        .await;
    w.accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let actions: Vec<String> = w
        .store
        .recent_audit_all(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    for expected in [
        "sign_up",
        "code_sent",
        "code_accepted",
        "account_activated",
        "sign_in_failed",
        "sign_in",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert!(matches!(
        w.store.verify_audit().await.unwrap(),
        AuditVerdict::Intact(_)
    ));
    // No secret in the log: neither the password nor any code.
    let all = format!("{:?}", w.store.recent_audit_all(100).await.unwrap());
    assert!(!all.contains(PASSWORD));
}

#[tokio::test]
async fn resending_waits_longer_each_time_and_stops_at_the_hourly_limit() {
    use app::accounts::ResendError;
    let w = world().await;
    let caller = web("10.0.0.7");
    let started = w.accounts.sign_up(&form(), &caller).await.unwrap();
    let first = last_code(&w).await;
    assert!(matches!(
        w.accounts
            .resend_activation(started.member_id, &started.attempt, &caller)
            .await,
        Err(ResendError::Wait(_))
    ));
    w.clock.advance(Duration::seconds(60));
    w.accounts
        .resend_activation(started.member_id, &started.attempt, &caller)
        .await
        .unwrap();
    w.clock.advance(Duration::seconds(119));
    assert!(matches!(
        w.accounts
            .resend_activation(started.member_id, &started.attempt, &caller)
            .await,
        Err(ResendError::Wait(_))
    ));
    for _ in 0..3 {
        w.clock.advance(Duration::minutes(8));
        w.accounts
            .resend_activation(started.member_id, &started.attempt, &caller)
            .await
            .unwrap();
    }
    w.clock.advance(Duration::minutes(9));
    assert_eq!(
        w.accounts
            .resend_activation(started.member_id, &started.attempt, &caller)
            .await,
        Err(ResendError::Limit)
    );
    // Only the latest code works: the first one was superseded.
    let latest = last_code(&w).await;
    if first != latest {
        assert!(matches!(
            w.accounts
                .activate(started.member_id, &started.attempt, &first, &caller)
                .await,
            Err(ActivationError::Wrong { .. })
        ));
    }
    w.accounts
        .activate(started.member_id, &started.attempt, &latest, &caller)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_code_and_every_session_ends() {
    use app::accounts::RecoveryError;
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.0.8");
    let session = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    // An unknown account gets an attempt too, and no code is sent.
    let before = w.store.recent_messages(100).await.unwrap().len();
    w.accounts
        .start_password_reset("nadie@example.mx", &caller)
        .await
        .unwrap();
    assert_eq!(w.store.recent_messages(100).await.unwrap().len(), before);

    let attempt = w
        .accounts
        .start_password_reset(MARIA_NSS, &caller)
        .await
        .unwrap();
    let code = last_code(&w).await;
    let new = "otra frase nueva para mi cuenta";
    assert_eq!(
        w.accounts
            .finish_password_reset(MARIA_NSS, &attempt, &code, "password", &caller)
            .await,
        Err(RecoveryError::Password("password_common"))
    );
    assert_eq!(
        w.accounts
            .finish_password_reset(MARIA_NSS, "otro intento", &code, new, &caller)
            .await,
        Err(RecoveryError::Code("code_wrong")),
        "a code works only for the attempt that asked for it"
    );
    w.accounts
        .finish_password_reset(MARIA_NSS, &attempt, &code, new, &caller)
        .await
        .unwrap();
    assert!(
        w.accounts
            .session(&session.token, &caller)
            .await
            .unwrap()
            .is_none(),
        "sessions end"
    );
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
    w.accounts.sign_in(MARIA_NSS, new, &caller).await.unwrap();
    let notice = w.store.recent_messages(1).await.unwrap().remove(0);
    // The same device signed in before, so no new-device alert: the last message is the notice.
    assert_eq!(notice.subject, "Cambiaste tu contraseña de Vivienda");
    assert_eq!(notice.recipient, "maria.garcia@example.mx");
}

#[tokio::test]
async fn a_frozen_account_cannot_be_used_until_unfrozen_with_password_and_code() {
    use app::accounts::RecoveryError;
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.0.9");
    let s = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let ctx = w
        .accounts
        .session(&s.token, &caller)
        .await
        .unwrap()
        .unwrap();
    w.accounts.freeze(&ctx, &caller).await.unwrap();
    assert!(
        w.accounts
            .session(&s.token, &caller)
            .await
            .unwrap()
            .is_none(),
        "freezing ends every session"
    );
    assert_eq!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Frozen
    );
    assert_eq!(
        w.accounts
            .start_unfreeze(MARIA_NSS, "no es esta frase", &caller)
            .await,
        Err(RecoveryError::Code("sign_in_failed"))
    );
    let attempt = w
        .accounts
        .start_unfreeze(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let code = last_code(&w).await;
    w.accounts
        .finish_unfreeze(MARIA_NSS, &attempt, &code, &caller)
        .await
        .unwrap();
    w.accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let actions: Vec<String> = w
        .store
        .recent_audit_all(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "account_frozen")
            && actions.iter().any(|a| a == "account_unfrozen")
    );
}

#[tokio::test]
async fn changing_password_or_email_needs_the_current_password_and_tells_the_old_address() {
    use app::accounts::RecoveryError;
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.1.1");
    let phone = web("10.0.1.2");
    let here = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let there = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &phone)
        .await
        .unwrap();
    let ctx = w
        .accounts
        .session(&here.token, &caller)
        .await
        .unwrap()
        .unwrap();

    let new = "otra frase para entrar a mi cuenta";
    assert_eq!(
        w.accounts
            .change_password(&ctx, "no es la actual", new, &caller)
            .await,
        Err(RecoveryError::Password("current_password_wrong"))
    );
    w.accounts
        .change_password(&ctx, PASSWORD, new, &caller)
        .await
        .unwrap();
    assert!(
        w.accounts
            .session(&there.token, &phone)
            .await
            .unwrap()
            .is_none(),
        "other sessions end"
    );
    assert!(
        w.accounts
            .session(&here.token, &caller)
            .await
            .unwrap()
            .is_some(),
        "this one stays"
    );

    assert_eq!(w.accounts.cooling_off_until(&ctx).await.unwrap(), None);
    let attempt = w
        .accounts
        .start_email_change(&ctx, new, "maria.nueva@example.mx", &caller)
        .await
        .unwrap();
    let to_new = w.store.recent_messages(1).await.unwrap().remove(0);
    assert_eq!(
        to_new.recipient, "maria.nueva@example.mx",
        "the code goes to the new address"
    );
    let code = last_code(&w).await;
    w.accounts
        .finish_email_change(&ctx, &attempt, &code, &caller)
        .await
        .unwrap();
    let notice = w.store.recent_messages(1).await.unwrap().remove(0);
    assert_eq!(
        notice.recipient, "maria.garcia@example.mx",
        "the old address is told"
    );
    let until = w.accounts.cooling_off_until(&ctx).await.unwrap().unwrap();
    assert_eq!(
        until - app::clock::Clock::now(w.clock.as_ref()),
        app::accounts::COOLING_OFF
    );
    w.accounts
        .sign_in("maria.nueva@example.mx", new, &caller)
        .await
        .unwrap();
}

#[tokio::test]
async fn after_a_hundred_failures_the_member_signs_in_with_password_and_a_code() {
    let w = world().await;
    active_member(&w).await;
    for i in 0..100 {
        let attacker = web(&format!("198.51.100.{}", i % 250));
        let _ = w
            .accounts
            .sign_in(MARIA_NSS, "adivinanza equivocada", &attacker)
            .await;
        w.clock.advance(MAX_DELAY);
    }
    let member = web("10.0.2.1");
    let attempt = match w.accounts.sign_in(MARIA_NSS, PASSWORD, &member).await {
        Err(SignInError::CodeRequired { attempt }) => attempt,
        other => panic!("expected a code to be required, got {other:?}"),
    };
    let code = last_code(&w).await;
    assert_eq!(
        w.accounts
            .sign_in_with_code(MARIA_NSS, PASSWORD, &attempt, "000000", &member)
            .await
            .unwrap_err(),
        SignInError::Failed
    );
    w.clock.advance(MAX_DELAY);
    w.accounts
        .sign_in_with_code(MARIA_NSS, PASSWORD, &attempt, &code, &member)
        .await
        .unwrap();
    // The count is reset: the password alone works again.
    w.accounts
        .sign_in(MARIA_NSS, PASSWORD, &member)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_new_mobile_is_confirmed_by_sms_and_the_email_is_told() {
    use store::OutboxChannel;
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.3.1");
    let s = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let ctx = w
        .accounts
        .session(&s.token, &caller)
        .await
        .unwrap()
        .unwrap();
    let attempt = w
        .accounts
        .start_mobile_change(&ctx, PASSWORD, "33 9876 5432", &caller)
        .await
        .unwrap();
    let sms = w.store.recent_messages(1).await.unwrap().remove(0);
    assert_eq!(
        (sms.channel, sms.recipient.as_str()),
        (OutboxChannel::Sms, "3398765432")
    );
    let code = last_code(&w).await;
    w.accounts
        .finish_mobile_change(&ctx, &attempt, &code, &caller)
        .await
        .unwrap();
    let notice = w.store.recent_messages(1).await.unwrap().remove(0);
    assert_eq!(
        (notice.channel, notice.recipient.as_str()),
        (OutboxChannel::Email, "maria.garcia@example.mx")
    );
    assert!(w.accounts.cooling_off_until(&ctx).await.unwrap().is_some());
}
