//! Requests through the real use cases and a real SQLite store: filing with a folio and a
//! promised date, operators and the system moving them, the member told at each step, the
//! service clock, and a member who reaches only their own.

use std::sync::Arc;

use app::accounts::Caller;
use app::requests::{Acting, RequestError, Requests};
use domain::audit::Channel;
use domain::ids::Nss;
use domain::registry::MemberId;
use domain::requests::{
    Action, Holidays, Owner, ReasonCode, RequestKind, RequestStage, RequestState, ServiceStandards,
};
use serde_json::json;
use store::{AuditRepo, OutboxChannel, OutboxRepo, RegistryRepo, RequestRepo};
use time::Duration;
use time::macros::date;

use crate::accounts::{MARIA_NSS, World, active_member, web, world};
use crate::messages;

const JUAN_NSS: &str = "38957812340";
const OPERATOR: i64 = 7;

fn requests(w: &World) -> Requests {
    Requests::new(
        w.store.clone(),
        w.clock.clone(),
        Arc::new(ServiceStandards::embedded().unwrap()),
        Holidays::federal(),
        Arc::new(messages()),
    )
}

async fn member(w: &World, nss: &str) -> MemberId {
    w.store
        .member_by_nss(&Nss::parse(nss).unwrap())
        .await
        .unwrap()
        .unwrap()
        .member_id
}

fn back_office() -> Caller {
    Caller {
        channel: Channel::Web,
        origin: "10.9.0.1".into(),
        device: "back office".into(),
    }
}

fn reason(code: &str) -> ReasonCode {
    ReasonCode::parse(code).unwrap()
}

#[tokio::test]
async fn a_filed_request_has_a_folio_a_promised_date_a_notice_and_a_running_clock() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let requests = requests(&w);
    let caller = web("10.0.3.1");
    let answers = json!({"route": "notary", "notary": "Notaría 12 de Toluca"});
    let filed = requests
        .submit(
            maria,
            RequestKind::CancellationLetter,
            &answers,
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    assert_eq!(filed.folio.kind(), Some(RequestKind::CancellationLetter));
    assert_eq!(filed.folio.year(), Some(2026));
    // Filed on Wednesday 25 November 2026: 20 business days, 10 more at the latest.
    assert_eq!(filed.submitted_on, date!(2026 - 11 - 25));
    assert_eq!(filed.promised_on, date!(2026 - 12 - 23));
    assert_eq!(filed.latest_on, date!(2027 - 01 - 08));
    assert!(!filed.estimate);

    let sent = w.store.recent_messages(2).await.unwrap();
    let sms = sent
        .iter()
        .find(|m| m.channel == OutboxChannel::Sms)
        .unwrap();
    let mail = sent
        .iter()
        .find(|m| m.channel == OutboxChannel::Email)
        .unwrap();
    assert_eq!(mail.recipient, "maria.garcia@example.mx");
    assert!(mail.body.contains(filed.folio.as_str()), "{}", mail.body);
    assert!(
        mail.body.contains("23 de diciembre de 2026"),
        "{}",
        mail.body
    );
    assert_eq!(sms.recipient, "5512345678");
    assert!(sms.body.contains(filed.folio.as_str()));

    let audit = w.store.recent_audit(maria, 1).await.unwrap();
    assert_eq!(audit[0].entry.action, "request_submitted");
    assert_eq!(audit[0].entry.actor, format!("member:{}", maria.0));
    assert!(audit[0].entry.details.contains(filed.folio.as_str()));

    let stored = w
        .store
        .request_by_folio(maria, &filed.folio)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored.answers).unwrap(),
        answers
    );
    assert_eq!(stored.channel, Channel::Web);

    let status = requests.status(maria, &filed.folio, &caller).await.unwrap();
    assert_eq!(status.state, RequestState::Submitted);
    assert_eq!(status.next_owner, Owner::Fund);
    let clock = status.clock.unwrap();
    assert_eq!(
        (clock.business_days_elapsed, clock.business_days_left),
        (0, 20)
    );
    assert_eq!(status.timeline.len(), 1);
    assert_eq!(
        (status.timeline[0].event.as_str(), status.timeline[0].by),
        ("submitted", "member")
    );

    // Six calendar days later (Tuesday 1 December): Nov 26, 27, 30 and Dec 1.
    w.clock.advance(Duration::days(6));
    let clock = requests
        .status(maria, &filed.folio, &caller)
        .await
        .unwrap()
        .clock
        .unwrap();
    assert_eq!(
        (clock.business_days_elapsed, clock.business_days_left),
        (4, 16)
    );
    assert_eq!(clock.calendar_days_elapsed, 6);
    assert!(!clock.overdue);
    w.clock.advance(Duration::days(30));
    let clock = requests
        .status(maria, &filed.folio, &caller)
        .await
        .unwrap()
        .clock
        .unwrap();
    assert!(clock.overdue);
}

#[tokio::test]
async fn operators_take_a_correction_to_done_and_the_member_is_told_at_each_step() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let requests = requests(&w);
    let caller = web("10.0.3.2");
    let filed = requests
        .submit(
            maria,
            RequestKind::DataCorrection,
            &json!({"field": "rfc"}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let folio = &filed.folio;
    let operator = Acting::Operator(OPERATOR);
    let office = back_office();
    requests
        .act(folio, Action::StartReview, operator, &office)
        .await
        .unwrap();
    let messages_before = w.store.recent_messages(100).await.unwrap().len();
    let asked = requests
        .act(
            folio,
            Action::AskForCorrection {
                what: reason("data_mismatch"),
            },
            operator,
            &office,
        )
        .await
        .unwrap();
    assert_eq!(
        asked.state,
        RequestState::NeedsCorrection {
            what: reason("data_mismatch")
        }
    );
    let sent = w.store.recent_messages(100).await.unwrap();
    assert_eq!(
        sent.len(),
        messages_before + 2,
        "e-mail and SMS: the member must act"
    );
    assert!(
        sent[0..2]
            .iter()
            .any(|m| m.body.contains("no coinciden con los del registro"))
    );
    let status = requests.status(maria, folio, &caller).await.unwrap();
    assert_eq!(status.next_owner, Owner::Member);

    // Only the member resubmits, and the member never decides.
    let refused = requests
        .act(folio, Action::Resubmit, operator, &office)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "request_not_permitted");
    requests
        .act(folio, Action::Resubmit, Acting::Member(maria), &caller)
        .await
        .unwrap();
    requests
        .act(folio, Action::StartReview, operator, &office)
        .await
        .unwrap();
    let refused = requests
        .act(folio, Action::Approve, Acting::Member(maria), &caller)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "request_not_permitted");
    requests
        .act(folio, Action::Approve, operator, &office)
        .await
        .unwrap();
    // A correction is applied by a person, not by the system.
    let refused = requests
        .act(folio, Action::Complete, Acting::System, &office)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "request_not_permitted");
    // Nor can the member cancel once it is decided.
    let refused = requests
        .act(folio, Action::Cancel, Acting::Member(maria), &caller)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "request_wrong_state");
    w.clock.advance(Duration::days(2));
    let done = requests
        .act(folio, Action::Complete, operator, &office)
        .await
        .unwrap();
    assert_eq!(done.state, RequestState::Done);
    let refused = requests
        .act(folio, Action::Cancel, Acting::Member(maria), &caller)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "request_closed");

    let status = requests.status(maria, folio, &caller).await.unwrap();
    assert_eq!(status.next_owner, Owner::Nobody);
    assert_eq!(
        status
            .timeline
            .iter()
            .map(|e| (e.event.as_str(), e.by))
            .collect::<Vec<_>>(),
        [
            ("submitted", "member"),
            ("review_started", "operator"),
            ("correction_requested", "operator"),
            ("resubmitted", "member"),
            ("review_started", "operator"),
            ("approved", "operator"),
            ("completed", "operator"),
        ]
    );
    // The clock stopped when the request closed: Thursday 26 and Friday 27 November.
    let stopped = status.clock.unwrap();
    assert_eq!(
        (stopped.as_of, stopped.business_days_elapsed),
        (date!(2026 - 11 - 27), 2)
    );
    w.clock.advance(Duration::days(10));
    let later = requests
        .status(maria, folio, &caller)
        .await
        .unwrap()
        .clock
        .unwrap();
    assert_eq!(later, stopped);

    let actions: Vec<String> = w
        .store
        .recent_audit(maria, 8)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| format!("{} {}", e.entry.actor, e.entry.action))
        .collect();
    let operator_label = format!("operator:{OPERATOR}");
    assert_eq!(
        actions.last().unwrap(),
        &format!("{operator_label} request_completed")
    );
    assert!(actions.contains(&format!("{operator_label} request_correction_requested")));
    assert!(actions.contains(&format!("member:{} request_resubmitted", maria.0)));
}

#[tokio::test]
async fn the_cancellation_letter_can_be_decided_and_issued_by_the_system() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let requests = requests(&w);
    let caller = web("10.0.3.3");
    let filed = requests
        .submit(
            maria,
            RequestKind::CancellationLetter,
            &json!({}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let system = Caller {
        channel: Channel::System,
        origin: "batch".into(),
        device: String::new(),
    };
    requests
        .act(&filed.folio, Action::Approve, Acting::System, &system)
        .await
        .unwrap();
    let done = requests
        .act(&filed.folio, Action::Complete, Acting::System, &system)
        .await
        .unwrap();
    assert_eq!(done.state, RequestState::Done);
    let status = requests.status(maria, &filed.folio, &caller).await.unwrap();
    assert_eq!(
        status.timeline.iter().map(|e| e.by).collect::<Vec<_>>(),
        ["member", "system", "system"]
    );
    // Deeds always need a person to decide.
    let deeds = requests
        .submit(
            maria,
            RequestKind::Deeds,
            &json!({}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let refused = requests
        .act(&deeds.folio, Action::Approve, Acting::System, &system)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "request_wrong_state");
}

#[tokio::test]
async fn a_member_reaches_only_their_own_requests_and_a_try_at_another_is_audited() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let juan = member(&w, JUAN_NSS).await;
    let requests = requests(&w);
    let caller = web("10.0.3.4");
    let filed = requests
        .submit(
            maria,
            RequestKind::PensionerRefund,
            &json!({}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let nosy = web("10.6.6.6");
    let err = requests
        .status(juan, &filed.folio, &nosy)
        .await
        .unwrap_err();
    assert!(matches!(err, RequestError::NotFound), "{err:?}");
    let err = requests
        .act(&filed.folio, Action::Cancel, Acting::Member(juan), &nosy)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "request_not_found");
    let denied = w.store.recent_audit(juan, 5).await.unwrap();
    assert_eq!(denied.len(), 2);
    assert!(
        denied
            .iter()
            .all(|e| e.entry.action == "access_denied" && e.entry.origin == "10.6.6.6")
    );
    assert!(requests.list(juan).await.unwrap().is_empty());
    let mine = requests.list(maria).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].state.clone(), mine[0].next_owner),
        (RequestState::Submitted, Owner::Fund)
    );
    // A folio nobody has is simply not found, and is not an attempt on anyone.
    let unknown = domain::requests::Folio::generate(RequestKind::Deeds, 2026, &mut rand::rng());
    let err = requests.status(juan, &unknown, &nosy).await.unwrap_err();
    assert_eq!(err.code(), "request_not_found");
    assert_eq!(w.store.recent_audit(juan, 5).await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_agent_on_the_phone_files_for_the_member_and_is_recorded() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let juan = member(&w, JUAN_NSS).await;
    let requests = requests(&w);
    let phone = Caller {
        channel: Channel::Phone,
        origin: "infonatel".into(),
        device: String::new(),
    };
    let agent = Acting::ForMember {
        member: maria,
        operator: 12,
    };
    let filed = requests
        .submit(
            maria,
            RequestKind::Deeds,
            &json!({"credit": "1972-0001"}),
            agent,
            &phone,
        )
        .await
        .unwrap();
    let stored = w
        .store
        .request_by_folio(maria, &filed.folio)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.created_by.as_str(), stored.channel),
        ("operator:12", Channel::Phone)
    );
    let audit = &w.store.recent_audit(maria, 1).await.unwrap()[0].entry;
    assert_eq!(
        (audit.actor.as_str(), audit.member_id, audit.channel),
        ("operator:12", Some(maria.0), Channel::Phone)
    );
    let events = w.store.request_events(maria, &filed.folio).await.unwrap();
    assert_eq!(events[0].details, r#"{"for_member":true}"#);
    // The agent acts in the member's role: cancelling is allowed, deciding is not.
    requests
        .act(
            &filed.folio,
            Action::StartReview,
            Acting::Operator(OPERATOR),
            &back_office(),
        )
        .await
        .unwrap();
    let err = requests
        .act(&filed.folio, Action::Approve, agent, &phone)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "request_not_permitted");
    // An agent files only for the member named, and an operator alone files for nobody.
    let err = requests
        .submit(juan, RequestKind::Deeds, &json!({}), agent, &phone)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "request_not_permitted");
    let err = requests
        .submit(
            maria,
            RequestKind::Deeds,
            &json!({}),
            Acting::Operator(12),
            &phone,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "request_not_permitted");
    requests
        .act(&filed.folio, Action::Cancel, agent, &phone)
        .await
        .unwrap();
    // Juan has no account: his request is filed, and there is nobody to notify.
    let before = w.store.recent_messages(100).await.unwrap().len();
    requests
        .submit(
            juan,
            RequestKind::Deeds,
            &json!({}),
            Acting::ForMember {
                member: juan,
                operator: 12,
            },
            &phone,
        )
        .await
        .unwrap();
    assert_eq!(w.store.recent_messages(100).await.unwrap().len(), before);
}

#[tokio::test]
async fn two_operators_at_once_one_of_them_wins() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let requests = requests(&w);
    let caller = web("10.0.3.5");
    let filed = requests
        .submit(
            maria,
            RequestKind::OverpaymentRefund,
            &json!({}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let office = back_office();
    let (a, b) = tokio::join!(
        requests.act(
            &filed.folio,
            Action::StartReview,
            Acting::Operator(1),
            &office
        ),
        requests.act(
            &filed.folio,
            Action::StartReview,
            Acting::Operator(2),
            &office
        ),
    );
    let outcomes = [a, b];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1);
    let loser = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        ["request_state_changed", "request_wrong_state"].contains(&loser.code()),
        "{loser:?}"
    );
    let timeline = w.store.request_events(maria, &filed.folio).await.unwrap();
    assert_eq!(timeline.len(), 2);
}

#[tokio::test]
async fn the_queue_shows_open_work_by_promised_date_and_big_answers_are_refused() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let requests = requests(&w);
    let caller = web("10.0.3.6");
    // A refund promised in 10 business days comes before a letter promised in 20, filed later.
    let letter = requests
        .submit(
            maria,
            RequestKind::CancellationLetter,
            &json!({}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    w.clock.advance(Duration::days(1));
    let refund = requests
        .submit(
            maria,
            RequestKind::PensionerRefund,
            &json!({}),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let open = [RequestStage::Submitted, RequestStage::InReview];
    let queue = requests.queue(None, &open, 10, None).await.unwrap();
    let folios: Vec<_> = queue.iter().map(|(r, _)| r.folio.clone()).collect();
    assert_eq!(folios, [refund.folio.clone(), letter.folio.clone()]);
    assert_eq!(queue[0].1.unwrap().promised_on, refund.promised_on);
    let letters = requests
        .queue(Some(RequestKind::CancellationLetter), &open, 10, None)
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);

    let huge = json!({"text": "x".repeat(70_000)});
    let err = requests
        .submit(
            maria,
            RequestKind::DataCorrection,
            &huge,
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "request_answers_too_large");
}
