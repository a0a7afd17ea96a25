//! What a member typed survives a session time-out, for that member only, without secrets.

use time::Duration;

use crate::accounts::{MARIA_NSS, PASSWORD, active_member, web, world};

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_timed_out_form_is_kept_for_the_same_member_without_secrets() {
    let w = world().await;
    active_member(&w).await;
    let caller = web("10.0.2.1");
    let first = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let typed = fields(&[
        ("csrf", "abc"),
        ("email", "maria.nueva@example.mx"),
        ("current_password", PASSWORD),
        ("code", "123456"),
    ]);
    // A live session keeps nothing: the form is simply submitted.
    assert_eq!(
        w.accounts
            .keep_draft(&first.token, "/cuenta/correo", &typed)
            .await
            .unwrap(),
        None
    );
    w.clock.advance(Duration::minutes(31));
    assert!(
        w.accounts
            .session(&first.token, &caller)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        w.accounts
            .keep_draft(&first.token, "//elsewhere.example", &typed)
            .await
            .unwrap(),
        None,
        "only a path on this site"
    );
    let draft = w
        .accounts
        .keep_draft(&first.token, "/cuenta/correo", &typed)
        .await
        .unwrap()
        .unwrap();

    let second = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let ctx = w
        .accounts
        .session(&second.token, &caller)
        .await
        .unwrap()
        .unwrap();
    let (path, kept) = w.accounts.take_draft(&ctx, &draft).await.unwrap().unwrap();
    assert_eq!(path, "/cuenta/correo");
    assert_eq!(kept, fields(&[("email", "maria.nueva@example.mx")]));
    assert_eq!(
        w.accounts.take_draft(&ctx, &draft).await.unwrap(),
        None,
        "a draft is given back once"
    );

    // A session the member ended herself leaves no draft for whoever holds the cookie.
    w.accounts.sign_out(&ctx, &caller).await.unwrap();
    assert_eq!(
        w.accounts
            .keep_draft(&second.token, "/cuenta/correo", &typed)
            .await
            .unwrap(),
        None
    );
    // A draft older than an hour is gone.
    let third = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(31));
    assert!(
        w.accounts
            .session(&third.token, &caller)
            .await
            .unwrap()
            .is_none()
    );
    let stale = w
        .accounts
        .keep_draft(&third.token, "/cuenta/correo", &typed)
        .await
        .unwrap()
        .unwrap();
    w.clock.advance(Duration::minutes(61));
    let fourth = w
        .accounts
        .sign_in(MARIA_NSS, PASSWORD, &caller)
        .await
        .unwrap();
    let ctx = w
        .accounts
        .session(&fourth.token, &caller)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w.accounts.take_draft(&ctx, &stale).await.unwrap(), None);
}
