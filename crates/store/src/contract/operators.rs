//! The contract for operators: accounts with unique usernames, a code step used once, sessions
//! that end on sign-out, idleness or disabling, and request assignment.

use domain::operators::Role;
use domain::requests::{RequestKind, RequestState};
use time::macros::date;

use super::requests::folio;
use super::{at, audit_count, audit_entry, conflict, import_members, join_all, person};
use crate::{NewOperator, NewRequest, NewRequestEvent, Store, Submission, stored_instant};

fn new_operator(username: &str, role: Role) -> NewOperator {
    NewOperator {
        username: username.into(),
        display_name: format!("Operadora {username}"),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        totp_sealed: vec![7; 40],
        created_at: at(0),
        created_by: "cli".into(),
    }
}

pub async fn operators_sign_in_once_per_code_and_sessions_end(store: &impl Store) {
    let before = audit_count(store).await;
    let ana = store
        .create_operator(
            &new_operator("ana", Role::Agent),
            &[audit_entry(None, "operator_created", at(0))],
        )
        .await
        .unwrap();
    assert_eq!(ana.username, "ana");
    assert_eq!(ana.role, Role::Agent);
    assert!(ana.active);
    assert_eq!(ana.totp_last_step, None);
    assert_eq!(ana.totp_sealed, vec![7; 40]);
    assert_eq!(ana.created_at, stored_instant(at(0)));
    assert_eq!(
        conflict(
            store
                .create_operator(&new_operator("ana", Role::Admin), &[])
                .await
        ),
        "operator_username_taken"
    );
    let luis = store
        .create_operator(&new_operator("luis", Role::Admin), &[])
        .await
        .unwrap();
    assert_ne!(ana.operator_id, luis.operator_id);
    assert_eq!(
        store.operator_by_username("ana").await.unwrap(),
        Some(ana.clone())
    );
    assert_eq!(store.operator(luis.operator_id).await.unwrap(), Some(luis));
    assert_eq!(store.operator_by_username("nadie").await.unwrap(), None);
    let names: Vec<_> = store
        .operators()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.username)
        .collect();
    assert_eq!(names, ["ana", "luis"]);

    // A code's step is used once; only a later step is accepted, also under a race.
    let results = join_all(
        (0..8)
            .map(|_| store.use_operator_totp_step(ana.operator_id, 100))
            .collect(),
    )
    .await;
    assert_eq!(
        results.into_iter().filter(|r| *r.as_ref().unwrap()).count(),
        1
    );
    assert!(
        !store
            .use_operator_totp_step(ana.operator_id, 99)
            .await
            .unwrap()
    );
    assert!(
        store
            .use_operator_totp_step(ana.operator_id, 101)
            .await
            .unwrap()
    );

    // Sessions: found while fresh, not after idling, not after sign-out.
    let (one, two) = ([1u8; 32], [2u8; 32]);
    store
        .create_operator_session(&one, ana.operator_id, at(10), "127.0.0.1", &[])
        .await
        .unwrap();
    store
        .create_operator_session(&two, ana.operator_id, at(10), "127.0.0.1", &[])
        .await
        .unwrap();
    let found = store
        .operator_session(&one, at(0), at(20))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.operator.operator_id, ana.operator_id);
    assert_eq!(found.created_at, stored_instant(at(10)));
    // Seen at 20: idle since 15 still finds it, idle since 25 does not.
    assert!(
        store
            .operator_session(&one, at(15), at(30))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .operator_session(&one, at(31), at(40))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .operator_session(&[9; 32], at(0), at(40))
            .await
            .unwrap()
            .is_none()
    );
    store
        .end_operator_session(
            &one,
            at(41),
            &[audit_entry(None, "operator_signed_out", at(41))],
        )
        .await
        .unwrap();
    assert!(
        store
            .operator_session(&one, at(0), at(42))
            .await
            .unwrap()
            .is_none()
    );
    // Ending it again changes nothing and writes no audit entry.
    store
        .end_operator_session(
            &one,
            at(43),
            &[audit_entry(None, "operator_signed_out", at(43))],
        )
        .await
        .unwrap();

    // Disabling ends the operator's sessions and keeps them out; the role changes too.
    let disabled = store
        .update_operator(ana.operator_id, Role::Supervisor, false, at(50), &[])
        .await
        .unwrap();
    assert!(!disabled.active);
    assert_eq!(disabled.role, Role::Supervisor);
    assert!(
        store
            .operator_session(&two, at(0), at(51))
            .await
            .unwrap()
            .is_none()
    );
    store
        .update_operator(ana.operator_id, Role::Supervisor, true, at(52), &[])
        .await
        .unwrap();
    assert!(
        store
            .operator_session(&two, at(0), at(53))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        conflict(
            store
                .update_operator(9_999, Role::Agent, true, at(54), &[])
                .await
        ),
        "operator_not_found"
    );
    assert_eq!(audit_count(store).await, before + 2);
}

async fn by_name(
    store: &impl Store,
    first: &str,
    second: Option<&str>,
    given: Option<&str>,
) -> Vec<domain::registry::MemberId> {
    store
        .members_by_name(first, second, given, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.member_id)
        .collect()
}

pub async fn requests_are_assigned_to_an_operator(store: &impl Store) {
    let members = import_members(store, "assign", &[person(1), person(2)]).await;
    let f = folio("CAN-2026-ASSIGN01");
    store
        .create_request(
            &NewRequest {
                member_id: members[0],
                folio: f.clone(),
                kind: RequestKind::CancellationLetter,
                state: RequestState::Submitted,
                answers: "{}".into(),
                channel: domain::audit::Channel::Web,
                created_by: format!("member:{}", members[0].0),
                created_at: at(0),
                submitted: Some(Submission {
                    at: at(0),
                    promised_on: date!(2026 - 12 - 20),
                }),
                event: NewRequestEvent {
                    at: at(0),
                    event: "submitted".into(),
                    actor: format!("member:{}", members[0].0),
                    channel: domain::audit::Channel::Web,
                    details: "{}".into(),
                },
            },
            &[],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(store.request_assignee(members[0], &f).await.unwrap(), None);
    store
        .assign_request(members[0], &f, Some(7), &[])
        .await
        .unwrap();
    assert_eq!(
        store.request_assignee(members[0], &f).await.unwrap(),
        Some(7)
    );
    store
        .assign_request(members[0], &f, None, &[])
        .await
        .unwrap();
    assert_eq!(store.request_assignee(members[0], &f).await.unwrap(), None);
    // Look-up by name: the first surname, then the second, then the start of given names.
    let people = [person(1), person(2)];
    let p0 = &people[0];
    assert!(
        by_name(store, &p0.first_surname, None, None)
            .await
            .contains(&members[0])
    );
    let exact = store
        .members_by_name(
            &p0.first_surname,
            Some(&p0.second_surname),
            Some(&p0.given_names[..2]),
            10,
        )
        .await
        .unwrap();
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0].member_id, members[0]);
    assert_eq!(exact[0].person, *p0);
    assert!(by_name(store, "NADIE", None, None).await.is_empty());
    assert!(
        store
            .members_by_name(&p0.first_surname, Some("NADIE"), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Another member's folio is not theirs to assign.
    assert_eq!(
        conflict(store.assign_request(members[1], &f, Some(7), &[]).await),
        "request_not_found"
    );
    assert_eq!(store.request_assignee(members[1], &f).await.unwrap(), None);
}
