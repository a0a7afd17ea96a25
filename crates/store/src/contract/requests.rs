//! The contract for requests: round trips with their timeline, optimistic changes that let
//! exactly one of several concurrent writers win, a member who reaches only their own requests,
//! and the operators' queue.

use domain::audit::Channel;
use domain::registry::MemberId;
use domain::requests::{Folio, ReasonCode, RequestKind, RequestStage, RequestState};
use time::macros::date;

use super::{at, audit_count, audit_entry, conflict, import_members, join_all, person};
use crate::{
    NewMessage, NewRequest, NewRequestEvent, OutboxChannel, QueueQuery, Request, StateChange,
    Store, Submission, stored_instant,
};

/// The folio "`stem`X" where X is the one check character that makes it valid.
pub fn folio(stem: &str) -> Folio {
    "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        .chars()
        .find_map(|check| Folio::parse(&format!("{stem}{check}")).ok())
        .unwrap_or_else(|| panic!("{stem} cannot be completed to a folio"))
}

fn event(seconds: i64, name: &str, actor: &str) -> NewRequestEvent {
    NewRequestEvent {
        at: at(seconds) + time::Duration::nanoseconds(321),
        event: name.into(),
        actor: actor.into(),
        channel: Channel::Web,
        details: "{}".into(),
    }
}

fn message(member: MemberId, text: &str) -> NewMessage {
    NewMessage {
        channel: OutboxChannel::Email,
        recipient: format!("m{}@example.mx", member.0),
        subject: text.into(),
        body: text.into(),
        created_at: at(0),
    }
}

/// A request of `member` submitted at `at(0)` and promised for `promised_on`.
pub(crate) fn submitted(
    member: MemberId,
    folio: &Folio,
    kind: RequestKind,
    promised_on: time::Date,
) -> NewRequest {
    NewRequest {
        member_id: member,
        folio: folio.clone(),
        kind,
        state: RequestState::Submitted,
        answers: r#"{"notary":"Notaría 12","deed":"4512"}"#.into(),
        channel: Channel::Web,
        created_by: format!("member:{}", member.0),
        created_at: at(0),
        submitted: Some(Submission {
            at: at(0),
            promised_on,
        }),
        event: event(0, "submitted", &format!("member:{}", member.0)),
    }
}

pub(crate) fn change(
    expected: RequestState,
    new: RequestState,
    seconds: i64,
    name: &str,
) -> StateChange {
    StateChange {
        expected,
        new,
        submitted: None,
        event: event(seconds, name, "operator:7"),
    }
}

async fn outbox_count(store: &impl Store) -> usize {
    store.recent_messages(1000).await.unwrap().len()
}

fn reason(code: &str) -> ReasonCode {
    ReasonCode::parse(code).unwrap()
}

pub async fn requests_round_trip_with_their_timeline(store: &impl Store) {
    let member = import_members(store, "r1", &[person(60)]).await[0];
    let letter = folio("CAN-2026-7KQ2M9XA");
    let new = submitted(
        member,
        &letter,
        RequestKind::CancellationLetter,
        date!(2026 - 12 - 23),
    );
    let audit = [audit_entry(Some(member.0), "request_submitted", at(0))];
    let created = store
        .create_request(&new, &audit, &[message(member, "recibido")])
        .await
        .unwrap();
    let expected = Request {
        member_id: member,
        folio: letter.clone(),
        kind: RequestKind::CancellationLetter,
        state: RequestState::Submitted,
        answers: new.answers.clone(),
        channel: Channel::Web,
        created_by: format!("member:{}", member.0),
        created_at: stored_instant(at(0)),
        submitted_at: Some(stored_instant(at(0))),
        promised_on: Some(date!(2026 - 12 - 23)),
        updated_at: stored_instant(new.event.at),
        version: 1,
    };
    assert_eq!(created, expected);
    assert_eq!(
        store.request_by_folio(member, &letter).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(store.folio_owner(&letter).await.unwrap(), Some(member));
    assert_eq!(
        (audit_count(store).await, outbox_count(store).await),
        (1, 1)
    );

    // A folio drawn twice is refused, and the refusal leaves no audit row and sends nothing.
    let other = import_members(store, "r2", &[person(61)]).await[0];
    let twice = submitted(
        other,
        &letter,
        RequestKind::CancellationLetter,
        date!(2026 - 12 - 24),
    );
    let refused = store
        .create_request(&twice, &audit, &[message(other, "recibido")])
        .await;
    assert_eq!(conflict(refused), "request_folio_taken");
    assert_eq!(
        (audit_count(store).await, outbox_count(store).await),
        (1, 1)
    );

    // Review, a correction asked for, a resubmission, then a refusal with its reason.
    let steps = [
        (
            RequestState::Submitted,
            RequestState::InReview,
            "review_started",
        ),
        (
            RequestState::InReview,
            RequestState::NeedsCorrection {
                what: reason("deed_scan_illegible"),
            },
            "correction_requested",
        ),
        (
            RequestState::NeedsCorrection {
                what: reason("deed_scan_illegible"),
            },
            RequestState::Submitted,
            "resubmitted",
        ),
        (
            RequestState::Submitted,
            RequestState::InReview,
            "review_started",
        ),
        (
            RequestState::InReview,
            RequestState::Rejected {
                reason: reason("balance_not_zero"),
            },
            "rejected",
        ),
    ];
    for (i, (from, to, name)) in steps.iter().enumerate() {
        let seconds = 60 * (i as i64 + 1);
        let audit = [audit_entry(Some(member.0), "request_changed", at(seconds))];
        let moved = store
            .transition_request(
                member,
                &letter,
                &change(from.clone(), to.clone(), seconds, name),
                &audit,
                &[message(member, name)],
            )
            .await
            .unwrap();
        assert_eq!(&moved.state, to);
        assert_eq!(moved.version, i as u32 + 2);
        assert_eq!(
            moved.updated_at,
            stored_instant(at(seconds) + time::Duration::nanoseconds(321))
        );
        assert_eq!(
            moved.promised_on,
            Some(date!(2026 - 12 - 23)),
            "the promise stays"
        );
    }
    assert_eq!(
        (audit_count(store).await, outbox_count(store).await),
        (6, 6)
    );

    let timeline = store.request_events(member, &letter).await.unwrap();
    assert_eq!(
        timeline.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        timeline
            .iter()
            .map(|e| e.event.as_str())
            .collect::<Vec<_>>(),
        [
            "submitted",
            "review_started",
            "correction_requested",
            "resubmitted",
            "review_started",
            "rejected"
        ]
    );
    assert_eq!(timeline[0].actor, format!("member:{}", member.0));
    assert_eq!(timeline[0].at, stored_instant(new.event.at));
    assert_eq!(timeline[0].state, RequestState::Submitted);
    assert_eq!(
        timeline[2].state,
        RequestState::NeedsCorrection {
            what: reason("deed_scan_illegible")
        }
    );
    assert_eq!(timeline[5].actor, "operator:7");
    assert_eq!(timeline[5].channel, Channel::Web);
    let stored = store
        .request_by_folio(member, &letter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.state,
        RequestState::Rejected {
            reason: reason("balance_not_zero")
        }
    );
    assert_eq!(stored.version, 6);

    // A change from a state the request is no longer in changes nothing and records nothing.
    let stale = store
        .transition_request(
            member,
            &letter,
            &change(
                RequestState::InReview,
                RequestState::Approved,
                900,
                "approved",
            ),
            &[audit_entry(Some(member.0), "request_changed", at(900))],
            &[message(member, "aprobado")],
        )
        .await;
    assert_eq!(conflict(stale), "request_state_changed");
    // The same stage with another reason is another state.
    let other_reason = store
        .transition_request(
            member,
            &letter,
            &change(
                RequestState::Rejected {
                    reason: reason("something_else"),
                },
                RequestState::Done,
                900,
                "completed",
            ),
            &[],
            &[],
        )
        .await;
    assert_eq!(conflict(other_reason), "request_state_changed");
    let unknown = store
        .transition_request(
            member,
            &folio("CAN-2026-00000000"),
            &change(
                RequestState::Submitted,
                RequestState::InReview,
                900,
                "review_started",
            ),
            &[],
            &[],
        )
        .await;
    assert_eq!(conflict(unknown), "request_not_found");
    assert_eq!(
        (audit_count(store).await, outbox_count(store).await),
        (6, 6)
    );
    assert_eq!(
        store.request_events(member, &letter).await.unwrap().len(),
        6
    );

    // A draft has no promise until it is submitted; then it keeps the first one.
    let draft_folio = folio("COR-2026-AAAAAAAA");
    let draft = NewRequest {
        state: RequestState::Draft,
        submitted: None,
        kind: RequestKind::DataCorrection,
        created_at: at(1000),
        event: event(1000, "draft_saved", &format!("member:{}", member.0)),
        ..submitted(
            member,
            &draft_folio,
            RequestKind::DataCorrection,
            date!(2026 - 12 - 23),
        )
    };
    let saved = store.create_request(&draft, &[], &[]).await.unwrap();
    assert_eq!((saved.submitted_at, saved.promised_on), (None, None));
    let submit = StateChange {
        submitted: Some(Submission {
            at: at(2000),
            promised_on: date!(2027 - 01 - 05),
        }),
        ..change(
            RequestState::Draft,
            RequestState::Submitted,
            2000,
            "submitted",
        )
    };
    let filed = store
        .transition_request(member, &draft_folio, &submit, &[], &[])
        .await
        .unwrap();
    assert_eq!(filed.submitted_at, Some(stored_instant(at(2000))));
    assert_eq!(filed.promised_on, Some(date!(2027 - 01 - 05)));
    assert_eq!(filed.created_at, stored_instant(at(1000)));

    let mine = store.requests_of_member(member).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| r.folio.clone()).collect::<Vec<_>>(),
        [draft_folio.clone(), letter.clone()],
        "newest first"
    );
    assert_eq!(mine[0], filed);
}

pub async fn a_member_reaches_only_their_own_requests(store: &impl Store) {
    let ids = import_members(store, "r3", &[person(62), person(63)]).await;
    let (ana, luis) = (ids[0], ids[1]);
    let refund = folio("DEV-2026-QQQQ1111");
    store
        .create_request(
            &submitted(
                ana,
                &refund,
                RequestKind::PensionerRefund,
                date!(2026 - 12 - 09),
            ),
            &[],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(store.request_by_folio(luis, &refund).await.unwrap(), None);
    assert!(
        store
            .request_events(luis, &refund)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.requests_of_member(luis).await.unwrap().is_empty());
    let hijack = store
        .transition_request(
            luis,
            &refund,
            &change(
                RequestState::Submitted,
                RequestState::Cancelled,
                60,
                "cancelled",
            ),
            &[audit_entry(Some(luis.0), "request_changed", at(60))],
            &[message(luis, "cancelada")],
        )
        .await;
    assert_eq!(conflict(hijack), "request_not_found");
    assert_eq!(
        (audit_count(store).await, outbox_count(store).await),
        (0, 0)
    );
    let still = store.request_by_folio(ana, &refund).await.unwrap().unwrap();
    assert_eq!((still.state, still.version), (RequestState::Submitted, 1));
    assert_eq!(store.folio_owner(&refund).await.unwrap(), Some(ana));
    assert_eq!(
        store
            .folio_owner(&folio("DEV-2026-QQQQ1112"))
            .await
            .unwrap(),
        None
    );
}

pub async fn concurrent_changes_of_one_request_let_exactly_one_win(store: &impl Store) {
    let member = import_members(store, "r4", &[person(64)]).await[0];
    let deeds = folio("ESC-2026-RACE0000");
    store
        .create_request(
            &submitted(member, &deeds, RequestKind::Deeds, date!(2027 - 01 - 08)),
            &[],
            &[],
        )
        .await
        .unwrap();
    // Operators starting the review and the member cancelling, all at once from "submitted".
    let changes: Vec<StateChange> = (0..8)
        .map(|i| {
            let to = if i % 2 == 0 {
                RequestState::InReview
            } else {
                RequestState::Cancelled
            };
            change(RequestState::Submitted, to, 60 + i, "changed")
        })
        .collect();
    let attempts: Vec<_> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let audit = [audit_entry(
                Some(member.0),
                "request_changed",
                at(60 + i as i64),
            )];
            let notify = [message(member, "cambio")];
            let deeds = deeds.clone();
            async move {
                store
                    .transition_request(member, &deeds, c, &audit, &notify)
                    .await
            }
        })
        .collect();
    let results = join_all(attempts).await;
    let winners: Vec<&Request> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for result in &results {
        if let Err(e) = result {
            assert_eq!(e.code(), "request_state_changed", "{e:?}");
        }
    }
    let stored = store
        .request_by_folio(member, &deeds)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, winners[0].state);
    assert_eq!(stored.version, 2);
    let timeline = store.request_events(member, &deeds).await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[1].state, stored.state);
    assert_eq!(
        (audit_count(store).await, outbox_count(store).await),
        (1, 1)
    );
}

pub async fn the_queue_lists_open_requests_by_promised_date(store: &impl Store) {
    let ids = import_members(store, "r5", &[person(65), person(66), person(67)]).await;
    // (member, folio, kind, promised, where it ends up)
    let rows = [
        (
            0,
            "CAN-2026-Q0000001",
            RequestKind::CancellationLetter,
            date!(2026 - 12 - 10),
            RequestStage::Submitted,
        ),
        (
            1,
            "COR-2026-Q0000002",
            RequestKind::DataCorrection,
            date!(2026 - 12 - 03),
            RequestStage::InReview,
        ),
        (
            2,
            "CAN-2026-Q0000003",
            RequestKind::CancellationLetter,
            date!(2026 - 12 - 03),
            RequestStage::Submitted,
        ),
        (
            0,
            "ESC-2026-Q0000004",
            RequestKind::Deeds,
            date!(2026 - 12 - 01),
            RequestStage::Cancelled,
        ),
        (
            1,
            "DEV-2026-Q0000005",
            RequestKind::PensionerRefund,
            date!(2026 - 12 - 07),
            RequestStage::Approved,
        ),
        (
            2,
            "COR-2026-Q0000006",
            RequestKind::DataCorrection,
            date!(2026 - 12 - 20),
            RequestStage::Submitted,
        ),
    ];
    let mut folios = Vec::new();
    for (who, stem, kind, promised, stage) in rows {
        let member = ids[who];
        let f = folio(stem);
        store
            .create_request(&submitted(member, &f, kind, promised), &[], &[])
            .await
            .unwrap();
        let path = match stage {
            RequestStage::InReview => vec![RequestState::InReview],
            RequestStage::Cancelled => vec![RequestState::Cancelled],
            RequestStage::Approved => vec![RequestState::InReview, RequestState::Approved],
            _ => vec![],
        };
        let mut from = RequestState::Submitted;
        for (i, to) in path.iter().enumerate() {
            store
                .transition_request(
                    member,
                    &f,
                    &change(from, to.clone(), 60 + i as i64, "changed"),
                    &[],
                    &[],
                )
                .await
                .unwrap();
            from = to.clone();
        }
        folios.push(f);
    }
    // A draft has no promise and is nobody's work yet.
    let draft = NewRequest {
        state: RequestState::Draft,
        submitted: None,
        ..submitted(
            ids[0],
            &folio("COR-2026-Q0000007"),
            RequestKind::DataCorrection,
            date!(2026 - 11 - 01),
        )
    };
    store.create_request(&draft, &[], &[]).await.unwrap();

    let queue =
        |kind, stages: &[RequestStage], limit, after: Option<(time::Date, Folio)>| QueueQuery {
            kind,
            stages: stages.to_vec(),
            limit,
            after,
        };
    let open = [
        RequestStage::Submitted,
        RequestStage::InReview,
        RequestStage::NeedsCorrection,
        RequestStage::Approved,
    ];
    let names = |rows: Vec<Request>| rows.into_iter().map(|r| r.folio).collect::<Vec<_>>();
    let all = names(
        store
            .requests_queue(&queue(None, &open, 10, None))
            .await
            .unwrap(),
    );
    // Equal promises are ordered by folio.
    assert_eq!(
        all,
        [
            folios[2].clone(),
            folios[1].clone(),
            folios[4].clone(),
            folios[0].clone(),
            folios[5].clone()
        ]
    );

    let first = store
        .requests_queue(&queue(None, &open, 2, None))
        .await
        .unwrap();
    assert_eq!(names(first.clone()), all[..2]);
    let last = first.last().unwrap();
    let after = Some((last.promised_on.unwrap(), last.folio.clone()));
    let second = names(
        store
            .requests_queue(&queue(None, &open, 2, after))
            .await
            .unwrap(),
    );
    assert_eq!(second, all[2..4]);

    let submitted_only = [RequestStage::Submitted];
    assert_eq!(
        names(
            store
                .requests_queue(&queue(None, &submitted_only, 10, None))
                .await
                .unwrap()
        ),
        [folios[2].clone(), folios[0].clone(), folios[5].clone()]
    );
    let letters = Some(RequestKind::CancellationLetter);
    assert_eq!(
        names(
            store
                .requests_queue(&queue(letters, &open, 10, None))
                .await
                .unwrap()
        ),
        [folios[2].clone(), folios[0].clone()]
    );
    // Closed requests and drafts are never in the queue, whatever is asked.
    let closed = [
        RequestStage::Cancelled,
        RequestStage::Draft,
        RequestStage::Done,
    ];
    assert!(
        store
            .requests_queue(&queue(None, &closed, 10, None))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .requests_queue(&queue(None, &[], 10, None))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .requests_queue(&queue(None, &open, 0, None))
            .await
            .unwrap()
            .is_empty()
    );
}
