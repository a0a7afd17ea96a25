//! The contract for usage statistics: a refresh summarises accounts, sessions and requests by
//! Mexico City day, state and channel, counts distinct users per day and per month, can run
//! twice with the same result, and the sums read only the days asked for.

use domain::audit::Channel;
use domain::registry::StateCode;
use domain::requests::{RequestKind, RequestState};
use time::Duration;
use time::macros::date;

use super::requests::{change, folio, submitted};
use super::{at, conflict, import_members, new_account, new_session, person};
use crate::{ALL_STATES, LoadAccount, LoadSession, LoadUse, StatSum, Store};

const DAY: i64 = 86_400;

fn sum(sums: &[StatSum], metric: &str, state: i16, channel: &str) -> i64 {
    sums.iter()
        .filter(|s| s.metric == metric && s.state == state && s.channel == channel)
        .map(|s| s.value)
        .sum()
}

fn total(sums: &[StatSum], metric: &str) -> i64 {
    sums.iter()
        .filter(|s| s.metric == metric)
        .map(|s| s.value)
        .sum()
}

pub async fn statistics_summarise_by_day_state_and_channel(store: &impl Store) {
    let mut norte = person(72);
    norte.state = StateCode(19);
    let ids = import_members(store, "stats", &[person(70), person(71), norte]).await;
    // `at(0)` is 06:00 in Mexico City on 25 November; a second before six hours earlier is
    // still the 24th there.
    let ana = store
        .create_account(&new_account(ids[0], "ana"), &[])
        .await
        .unwrap();
    store
        .activate_account(ana.account_id, at(60), &[])
        .await
        .unwrap();
    let pending = crate::NewAccount {
        created_at: at(-6 * 3600 - 1),
        ..new_account(ids[1], "pendiente")
    };
    store.create_account(&pending, &[]).await.unwrap();
    let norte = crate::NewAccount {
        created_at: at(DAY),
        ..new_account(ids[2], "norte")
    };
    let norte = store.create_account(&norte, &[]).await.unwrap();
    store
        .activate_account(norte.account_id, at(DAY + 5), &[])
        .await
        .unwrap();

    let s1 = store
        .create_session(&new_session(ana.account_id, 1, Channel::Web, 0), &[])
        .await
        .unwrap();
    store.touch_session(s1.session_id, at(414)).await.unwrap();
    let s2 = store
        .create_session(&new_session(ana.account_id, 2, Channel::App, 100), &[])
        .await
        .unwrap();
    store.touch_session(s2.session_id, at(130)).await.unwrap();
    let s3 = store
        .create_session(&new_session(norte.account_id, 3, Channel::Web, DAY), &[])
        .await
        .unwrap();
    store
        .touch_session(s3.session_id, at(DAY + 600))
        .await
        .unwrap();
    // Forty days later: another month, outside the first refresh.
    store
        .create_session(&new_session(ana.account_id, 4, Channel::Web, 40 * DAY), &[])
        .await
        .unwrap();

    let letter = folio("CAN-2026-STATS001");
    let promised = date!(2026 - 12 - 01);
    store
        .create_request(
            &submitted(ids[0], &letter, RequestKind::CancellationLetter, promised),
            &[],
            &[],
        )
        .await
        .unwrap();
    store
        .transition_request(
            ids[0],
            &letter,
            &change(
                RequestState::Submitted,
                RequestState::Done,
                2 * DAY,
                "completed",
            ),
            &[],
            &[],
        )
        .await
        .unwrap();
    // Uses are added to what the store holds, flush after flush.
    let use_of = |day, channel, uses| LoadUse {
        day,
        procedure: "savings_balance".to_owned(),
        channel,
        uses,
    };
    for uses in [1, 2] {
        store
            .load_usage(
                &[],
                &[],
                &[use_of(date!(2026 - 11 - 25), Channel::Web, uses)],
            )
            .await
            .unwrap();
    }
    store
        .load_usage(&[], &[], &[use_of(date!(2026 - 11 - 26), Channel::App, 1)])
        .await
        .unwrap();

    assert_eq!(
        store.first_activity_day().await.unwrap(),
        Some(date!(2026 - 11 - 24))
    );
    assert_eq!(store.stats_refreshed_until().await.unwrap(), None);
    let (from, to) = (date!(2026 - 11 - 20), date!(2026 - 11 - 30));
    let first = store.refresh_stats(from, to).await.unwrap();
    assert_eq!(first.days, 11);
    // Twice writes the same cells.
    assert_eq!(store.refresh_stats(from, to).await.unwrap(), first);
    assert_eq!(store.stats_refreshed_until().await.unwrap(), Some(to));

    let by_25 = store.stats_sums(None, date!(2026 - 11 - 25)).await.unwrap();
    assert_eq!(sum(&by_25, "signups", 9, "web"), 2);
    assert_eq!(total(&by_25, "activations"), 1);
    assert_eq!(sum(&by_25, "sessions", 9, "web"), 1);
    assert_eq!(sum(&by_25, "sessions", 9, "app"), 1);
    assert_eq!(sum(&by_25, "session_seconds", 9, "web"), 414);
    assert_eq!(sum(&by_25, "session_seconds", 9, "app"), 30);
    assert_eq!(sum(&by_25, "users", 9, "web"), 1);
    assert_eq!(sum(&by_25, "users_all", ALL_STATES, "all"), 1);
    assert_eq!(sum(&by_25, "started:cancellation_letter", 9, "web"), 1);
    assert_eq!(total(&by_25, "completed:cancellation_letter"), 0);

    let only_24 = store
        .stats_sums(Some(date!(2026 - 11 - 24)), date!(2026 - 11 - 24))
        .await
        .unwrap();
    assert_eq!(total(&only_24, "signups"), 1);
    assert_eq!(total(&only_24, "sessions"), 0);

    let all = store.stats_sums(Some(from), to).await.unwrap();
    assert_eq!(sum(&all, "activations", 19, "web"), 1);
    assert_eq!(total(&all, "activations"), 2);
    assert_eq!(total(&all, "sessions"), 3);
    assert_eq!(total(&all, "completed:cancellation_letter"), 1);
    assert_eq!(total(&all, "on_time:cancellation_letter"), 1);
    assert_eq!(total(&all, "promised_days:cancellation_letter"), 6);
    assert_eq!(total(&all, "actual_days:cancellation_letter"), 2);

    assert_eq!(
        store.stats_by_day("users_all", from, to).await.unwrap(),
        vec![(date!(2026 - 11 - 25), 1), (date!(2026 - 11 - 26), 1)]
    );
    assert_eq!(
        store.session_lengths(from, to).await.unwrap(),
        vec![(3, 1), (41, 1), (60, 1)]
    );
    let november = date!(2026 - 11 - 01);
    assert_eq!(
        store.monthly_actives(november, november).await.unwrap(),
        vec![
            (november, ALL_STATES, 2),
            (november, 9, 1),
            (november, 19, 1)
        ]
    );
    assert_eq!(
        store
            .procedure_uses(date!(2026 - 11 - 25), date!(2026 - 11 - 25))
            .await
            .unwrap(),
        vec![("savings_balance".to_owned(), 3)]
    );
    assert_eq!(
        store.procedure_uses(from, to).await.unwrap(),
        vec![("savings_balance".to_owned(), 4)]
    );

    // The later month is summarised by a refresh of its own days; an older refresh never
    // moves the mark back.
    let january = date!(2027 - 01 - 01);
    let later = (at(40 * DAY) - Duration::hours(6)).date();
    store.refresh_stats(later, later).await.unwrap();
    assert_eq!(
        store.monthly_actives(january, january).await.unwrap(),
        vec![(january, ALL_STATES, 1), (january, 9, 1)]
    );
    store.refresh_stats(from, to).await.unwrap();
    assert_eq!(store.stats_refreshed_until().await.unwrap(), Some(later));
    assert_eq!(
        store
            .stats_by_day("sessions", from, later)
            .await
            .unwrap()
            .len(),
        3
    );

    // Generated usage: accounts, their sessions and consultation counts in one load.
    let more = import_members(store, "stats-load", &[person(73), person(74)]).await;
    let generated = LoadAccount {
        member_id: more[0],
        email: "generada@example.mx".into(),
        mobile: "5599999999".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: at(3 * DAY),
        activated_at: Some(at(3 * DAY + 10)),
    };
    let session = LoadSession {
        member_id: more[0],
        id_hash: [9; 32],
        channel: Channel::App,
        created_at: at(3 * DAY + 20),
        last_seen_at: at(3 * DAY + 80),
    };
    let counted = LoadUse {
        day: date!(2026 - 11 - 28),
        procedure: "prequalification".into(),
        channel: Channel::Web,
        uses: 5,
    };
    // A session of a member without an account loads nothing at all.
    let orphan = LoadSession {
        member_id: more[1],
        id_hash: [10; 32],
        ..session.clone()
    };
    assert_eq!(
        conflict(
            store
                .load_usage(
                    std::slice::from_ref(&generated),
                    &[session.clone(), orphan],
                    &[]
                )
                .await
        ),
        "unknown_member"
    );
    assert_eq!(store.account_by_member(more[0]).await.unwrap(), None);
    store
        .load_usage(
            std::slice::from_ref(&generated),
            std::slice::from_ref(&session),
            &[counted.clone(), counted],
        )
        .await
        .unwrap();
    let day = date!(2026 - 11 - 28);
    store.refresh_stats(day, day).await.unwrap();
    let sums = store.stats_sums(Some(day), day).await.unwrap();
    assert_eq!(sum(&sums, "activations", 9, "web"), 1);
    assert_eq!(sum(&sums, "sessions", 9, "app"), 1);
    assert_eq!(sum(&sums, "session_seconds", 9, "app"), 60);
    assert_eq!(
        store.procedure_uses(day, day).await.unwrap(),
        vec![("prequalification".to_owned(), 10)]
    );
}
