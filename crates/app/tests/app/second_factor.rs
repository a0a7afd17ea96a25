//! The authenticator app and recovery codes, through the real use cases.

use app::accounts::{RecoveryError, SignInError};
use domain::auth::totp;
use store::{AuditRepo, AuditVerdict, OutboxRepo};
use time::Duration;

use crate::accounts::{MARIA_NSS, PASSWORD, World, active_member, web, world};

/// The app's code for the test clock's current time.
fn app_code(w: &World, secret: &str) -> String {
    let secret = base32_decode(secret);
    let step = totp::step_of(w.clock_now().unix_timestamp());
    format!("{:06}", totp::code_at_step(&secret, step))
}

fn base32_decode(text: &str) -> Vec<u8> {
    totp::decode_base32(text).unwrap()
}

trait Now {
    fn clock_now(&self) -> time::OffsetDateTime;
}

impl Now for World {
    fn clock_now(&self) -> time::OffsetDateTime {
        use app::clock::Clock;
        self.clock.now()
    }
}

/// Signs María in with her password alone and turns the app on; returns the secret and the
/// recovery codes.
async fn enrolled(w: &World) -> (String, Vec<String>) {
    active_member(w).await;
    let caller = web("10.0.1.1");
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
    assert_eq!(
        w.accounts
            .start_totp_enrolment(&ctx, "not my password")
            .await
            .unwrap_err(),
        RecoveryError::Password("current_password_wrong")
    );
    let enrolment = w
        .accounts
        .start_totp_enrolment(&ctx, PASSWORD)
        .await
        .unwrap();
    assert!(enrolment.uri.starts_with("otpauth://totp/Vivienda:"));
    assert!(enrolment.uri.contains(&enrolment.secret));
    assert_eq!(
        w.accounts
            .finish_totp_enrolment(&ctx, &enrolment.token, "000000", &caller)
            .await
            .unwrap_err(),
        RecoveryError::Code("second_factor_wrong"),
        "a wrong first code turns nothing on"
    );
    assert!(!w.accounts.second_factor_status(&ctx).await.unwrap().enabled);
    let mut forged = enrolment.token.clone();
    forged.replace_range(60..62, if &forged[60..62] == "00" { "11" } else { "00" });
    assert_eq!(
        w.accounts
            .finish_totp_enrolment(&ctx, &forged, &app_code(w, &enrolment.secret), &caller)
            .await
            .unwrap_err(),
        RecoveryError::Code("enrolment_expired"),
        "an altered enrolment is refused"
    );
    let codes = w
        .accounts
        .finish_totp_enrolment(
            &ctx,
            &enrolment.token,
            &app_code(w, &enrolment.secret),
            &caller,
        )
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    let status = w.accounts.second_factor_status(&ctx).await.unwrap();
    assert!(status.enabled);
    assert_eq!(status.recovery_codes_left, 10);
    let notice = w.store.recent_messages(1).await.unwrap().remove(0);
    assert!(notice.subject.contains("dos pasos"), "{}", notice.subject);
    (enrolment.secret, codes)
}

fn ticket_of(e: SignInError) -> String {
    match e {
        SignInError::SecondFactorRequired { ticket } => ticket,
        other => panic!("expected a second-factor ticket, got {other:?}"),
    }
}

#[tokio::test]
async fn with_the_app_on_the_password_alone_no_longer_opens_a_session() {
    let w = world().await;
    let (secret, _) = enrolled(&w).await;
    w.clock.advance(Duration::seconds(90));
    let caller = web("10.0.1.2");
    let ticket = ticket_of(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&ticket, "123456", &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorWrong
    );
    let code = app_code(&w, &secret);
    let signed_in = w
        .accounts
        .sign_in_second_factor(&ticket, &code, &caller)
        .await
        .unwrap();
    assert!(
        w.accounts
            .session(&signed_in.token, &caller)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&ticket, &code, &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorExpired,
        "a ticket opens one session"
    );
    // The same app code cannot be used again, even with a new ticket.
    let again = ticket_of(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&again, &code, &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorWrong
    );
    // A ticket lasts ten minutes.
    w.clock.advance(Duration::minutes(11));
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&again, &app_code(&w, &secret), &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorExpired
    );
    assert_eq!(
        w.accounts
            .sign_in_second_factor("17.abc", "123456", &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorExpired
    );
}

#[tokio::test]
async fn guessing_app_codes_is_slowed_down_like_guessing_passwords() {
    let w = world().await;
    enrolled(&w).await;
    let caller = web("10.0.1.3");
    let ticket = ticket_of(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
    );
    for _ in 0..3 {
        assert_eq!(
            w.accounts
                .sign_in_second_factor(&ticket, "000000", &caller)
                .await
                .unwrap_err(),
            SignInError::SecondFactorWrong
        );
    }
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&ticket, "000001", &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorWrong
    );
    assert!(matches!(
        w.accounts
            .sign_in_second_factor(&ticket, "000002", &caller)
            .await
            .unwrap_err(),
        SignInError::Wait(_)
    ));
    // Even the right password now waits: the counters were not reset by it.
    assert!(matches!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
        SignInError::Wait(_)
    ));
    // After five tries the ticket is spent.
    w.clock.advance(Duration::seconds(2));
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&ticket, "000003", &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorWrong
    );
    w.clock.advance(Duration::seconds(5));
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&ticket, "000004", &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorExpired
    );
}

#[tokio::test]
async fn a_recovery_code_works_once_and_the_member_is_told() {
    let w = world().await;
    let (_, codes) = enrolled(&w).await;
    let caller = web("10.0.1.4");
    let ticket = ticket_of(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
    );
    // Typed in lower case without dashes, as people do.
    let typed = codes[3].replace('-', "").to_lowercase();
    let signed_in = w
        .accounts
        .sign_in_second_factor(&ticket, &typed, &caller)
        .await
        .unwrap();
    let notice = w.store.recent_messages(1).await.unwrap().remove(0);
    assert!(notice.body.contains("Te quedan 9"), "{}", notice.body);
    let ticket = ticket_of(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        w.accounts
            .sign_in_second_factor(&ticket, &codes[3], &caller)
            .await
            .unwrap_err(),
        SignInError::SecondFactorWrong
    );

    // New codes replace the old ones; turning the app off needs the password.
    let ctx = w
        .accounts
        .session(&signed_in.token, &caller)
        .await
        .unwrap()
        .unwrap();
    let fresh = w
        .accounts
        .new_recovery_codes(&ctx, PASSWORD, &caller)
        .await
        .unwrap();
    assert!(fresh.iter().all(|c| !codes.contains(c)));
    assert_eq!(
        w.accounts
            .disable_totp(&ctx, "wrong", &caller)
            .await
            .unwrap_err(),
        RecoveryError::Password("current_password_wrong")
    );
    w.accounts
        .disable_totp(&ctx, PASSWORD, &caller)
        .await
        .unwrap();
    let status = w.accounts.second_factor_status(&ctx).await.unwrap();
    assert!(!status.enabled);
    assert_eq!(status.recovery_codes_left, 0);
    w.clock.advance(Duration::seconds(60));
    assert!(
        w.accounts
            .sign_in(MARIA_NSS, PASSWORD, &caller)
            .await
            .is_ok(),
        "the password alone suffices again"
    );

    let all = w.store.recent_audit_all(100).await.unwrap();
    let actions: Vec<&str> = all.iter().map(|e| e.entry.action.as_str()).collect();
    for expected in [
        "second_factor_enabled",
        "recovery_codes_issued",
        "sign_in_password_ok",
        "recovery_code_used",
        "second_factor_disabled",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    assert!(matches!(
        w.store.verify_audit().await.unwrap(),
        AuditVerdict::Intact(_)
    ));
    // No recovery code in the log.
    let text = format!("{all:?}");
    assert!(
        codes
            .iter()
            .chain(&fresh)
            .all(|c| !text.contains(c.as_str()))
    );
}
