//! The contract for the pensioner refund's data: pension resolutions and holds loaded by
//! imports and read per member, the member's bank account, and a request completed with a
//! ledger posting that is booked exactly once, with its change, or not at all.

use domain::audit::Channel;
use domain::ids::Clabe;
use domain::money::Money;
use domain::refund::{HoldKind, PensionKind, PensionOutcome, PensionResolution, SubaccountHold};
use domain::registry::{Bucket, MemberId, Movement, MovementKind};
use domain::requests::{RequestKind, RequestState};
use time::macros::date;

use super::requests::folio;
use super::{at, audit_count, audit_entry, conflict, contribution, file, import_members, person};
use crate::{
    BankAccount, ImportKind, ImportTotals, LedgerPosting, NewMessage, NewRequest, NewRequestEvent,
    OutboxChannel, StateChange, Store, Submission, stored_instant,
};

fn resolution(member: MemberId, outcome: PensionOutcome, on: time::Date) -> PensionResolution {
    PensionResolution {
        member_id: member,
        outcome,
        kind: PensionKind::OldAge,
        resolved_on: on,
    }
}

fn hold(
    member: MemberId,
    kind: HoldKind,
    placed: time::Date,
    lifted: Option<time::Date>,
) -> SubaccountHold {
    SubaccountHold {
        member_id: member,
        kind,
        placed_on: placed,
        lifted_on: lifted,
    }
}

pub async fn pensions_and_holds_are_imported_and_read_per_member(store: &impl Store) {
    let ids = import_members(store, "p1", &[person(60), person(61)]).await;
    let (a, b) = (ids[0], ids[1]);
    let mut batch = store
        .begin_import(&file(ImportKind::Pensions, "pen1"))
        .await
        .unwrap();
    let rows = [
        resolution(a, PensionOutcome::Granted, date!(2015 - 06 - 01)),
        resolution(a, PensionOutcome::Denied, date!(2010 - 02 - 03)),
        resolution(a, PensionOutcome::Granted, date!(2015 - 06 - 01)), // repeated
        resolution(b, PensionOutcome::Granted, date!(2011 - 12 - 30)),
    ];
    assert_eq!(batch.insert_pension_resolutions(&rows).await.unwrap(), 3);
    batch.commit(ImportTotals::default()).await.unwrap();
    assert_eq!(
        store.pension_resolutions(a).await.unwrap(),
        [rows[1].clone(), rows[0].clone()],
        "oldest first"
    );
    assert_eq!(
        store.pension_resolutions(b).await.unwrap(),
        [rows[3].clone()]
    );

    let mut batch = store
        .begin_import(&file(ImportKind::Holds, "hold1"))
        .await
        .unwrap();
    let placed = [
        hold(a, HoldKind::CourtOrder, date!(2024 - 01 - 10), None),
        hold(
            a,
            HoldKind::FraudReview,
            date!(2020 - 05 - 05),
            Some(date!(2020 - 09 - 01)),
        ),
    ];
    assert_eq!(batch.insert_subaccount_holds(&placed).await.unwrap(), 2);
    batch.commit(ImportTotals::default()).await.unwrap();
    // A later file lifts the court order; the review already lifted keeps its date, and a hold
    // reported again while still in force changes nothing.
    let mut batch = store
        .begin_import(&file(ImportKind::Holds, "hold2"))
        .await
        .unwrap();
    let later = [
        hold(
            a,
            HoldKind::CourtOrder,
            date!(2024 - 01 - 10),
            Some(date!(2026 - 03 - 01)),
        ),
        hold(
            a,
            HoldKind::FraudReview,
            date!(2020 - 05 - 05),
            Some(date!(2021 - 01 - 01)),
        ),
        hold(b, HoldKind::NssUnification, date!(2026 - 01 - 02), None),
        hold(b, HoldKind::NssUnification, date!(2026 - 01 - 02), None),
    ];
    assert_eq!(batch.insert_subaccount_holds(&later).await.unwrap(), 2);
    batch.commit(ImportTotals::default()).await.unwrap();
    assert_eq!(
        store.subaccount_holds(a).await.unwrap(),
        [placed[1].clone(), later[0].clone()]
    );
    assert_eq!(store.subaccount_holds(b).await.unwrap(), [later[2].clone()]);
    let none = MemberId(987_654);
    assert!(store.pension_resolutions(none).await.unwrap().is_empty());
    assert!(store.subaccount_holds(none).await.unwrap().is_empty());
}

pub async fn a_bank_account_is_kept_replaced_and_audited(store: &impl Store) {
    let ids = import_members(store, "ba1", &[person(62), person(63)]).await;
    let (a, b) = (ids[0], ids[1]);
    assert_eq!(store.bank_account(a).await.unwrap(), None);
    let first = BankAccount {
        member_id: a,
        clabe: Clabe::parse("002010077777777771").unwrap(),
        holder_declared_at: at(10),
        registered_at: at(10),
        changed_at: None,
    };
    let before = audit_count(store).await;
    let notice = NewMessage {
        channel: OutboxChannel::Email,
        recipient: "ana@example.mx".into(),
        subject: "Cuenta".into(),
        body: "Registraste tu cuenta".into(),
        created_at: at(10),
    };
    store
        .save_bank_account(
            &first,
            &[audit_entry(Some(a.0), "bank_account_registered", at(10))],
            std::slice::from_ref(&notice),
        )
        .await
        .unwrap();
    let read = store.bank_account(a).await.unwrap().unwrap();
    assert_eq!(
        read,
        BankAccount {
            holder_declared_at: stored_instant(at(10)),
            registered_at: stored_instant(at(10)),
            ..first.clone()
        }
    );
    let replaced = BankAccount {
        clabe: Clabe::parse("014027000005555558").unwrap(),
        holder_declared_at: at(500),
        changed_at: Some(at(500)),
        ..read
    };
    store
        .save_bank_account(
            &replaced,
            &[audit_entry(Some(a.0), "bank_account_changed", at(500))],
            &[],
        )
        .await
        .unwrap();
    let read = store.bank_account(a).await.unwrap().unwrap();
    assert_eq!(read.clabe.as_str(), "014027000005555558");
    assert_eq!(read.registered_at, stored_instant(at(10)));
    assert_eq!(read.changed_at, Some(stored_instant(at(500))));
    assert_eq!(audit_count(store).await, before + 2);
    let sent = store.recent_messages(10).await.unwrap();
    assert!(sent.iter().any(|m| m.body == "Registraste tu cuenta"));
    assert_eq!(
        store.bank_account(b).await.unwrap(),
        None,
        "only the owner's"
    );
}

fn withdrawal(member: MemberId, bucket: Bucket, centavos: i64, source: i64) -> Movement {
    Movement {
        member_id: member,
        bucket,
        kind: MovementKind::Withdrawal,
        period: 20_261_126,
        source,
        amount: Money::from_centavos(-centavos),
        booked_on: date!(2026 - 11 - 26),
    }
}

fn event(seconds: i64, name: &str) -> NewRequestEvent {
    NewRequestEvent {
        at: at(seconds),
        event: name.into(),
        actor: "system".into(),
        channel: Channel::System,
        details: "{}".into(),
    }
}

/// An approved refund request of `member`.
async fn approved(store: &impl Store, member: MemberId, stem: &str) -> domain::requests::Folio {
    let folio = folio(stem);
    let new = NewRequest {
        member_id: member,
        folio: folio.clone(),
        kind: RequestKind::PensionerRefund,
        state: RequestState::Approved,
        answers: "{}".into(),
        channel: Channel::Web,
        created_by: format!("member:{}", member.0),
        created_at: at(0),
        submitted: Some(Submission {
            at: at(0),
            promised_on: date!(2026 - 12 - 09),
        }),
        event: event(0, "approved"),
    };
    store.create_request(&new, &[], &[]).await.unwrap();
    folio
}

fn done(seconds: i64) -> StateChange {
    StateChange {
        expected: RequestState::Approved,
        new: RequestState::Done,
        submitted: None,
        event: event(seconds, "completed"),
    }
}

pub async fn a_completed_request_posts_its_withdrawal_exactly_once(store: &impl Store) {
    let ids = import_members(store, "wd1", &[person(64), person(65)]).await;
    let (a, b) = (ids[0], ids[1]);
    let mut batch = store
        .begin_import(&file(ImportKind::Contributions, "wdc1"))
        .await
        .unwrap();
    batch
        .insert_movements(&[
            contribution(a, "1995-2", 1, 1_000),
            contribution(a, "2001-2", 1, 3_000),
            contribution(b, "2001-2", 1, 50),
        ])
        .await
        .unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();

    let first = approved(store, a, "DEV-2026-AAAAAAA1").await;
    let posting = LedgerPosting {
        key: format!("pensioner_refund:{first}"),
        movements: vec![
            withdrawal(a, Bucket::Scv92, 100_000, 1),
            withdrawal(a, Bucket::Scv97, 300_000, 1),
        ],
    };
    let before = audit_count(store).await;
    let audit = [audit_entry(Some(a.0), "request_completed", at(60))];
    let notice = NewMessage {
        channel: OutboxChannel::Sms,
        recipient: "5500000064".into(),
        subject: String::new(),
        body: "Depositamos tu devolucion".into(),
        created_at: at(60),
    };
    let completed = store
        .transition_request_posting(
            a,
            &first,
            &done(60),
            &posting,
            &audit,
            std::slice::from_ref(&notice),
        )
        .await
        .unwrap();
    assert_eq!(completed.state, RequestState::Done);
    assert_eq!(completed.version, 2);
    let total = |member| async move {
        store
            .balances(member)
            .await
            .unwrap()
            .iter()
            .map(|b| b.balance)
            .sum::<Money>()
    };
    assert_eq!(total(a).await, Money::ZERO);
    let withdrawals = store
        .movements(
            a,
            &crate::MovementFilter {
                kinds: vec![MovementKind::Withdrawal],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(withdrawals.len(), 2);
    assert_eq!(audit_count(store).await, before + 1);
    assert!(
        store
            .recent_messages(5)
            .await
            .unwrap()
            .iter()
            .any(|m| m.body == "Depositamos tu devolucion")
    );
    let check = store.check_ledger().await.unwrap();
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);

    // The same completion again: the request has moved on, and nothing is posted twice.
    assert_eq!(
        conflict(
            store
                .transition_request_posting(a, &first, &done(61), &posting, &audit, &[])
                .await
        ),
        "request_state_changed"
    );
    // The same posting for another request: refused, and that request keeps its state.
    let second = approved(store, a, "DEV-2026-BBBBBBB2").await;
    assert_eq!(
        conflict(
            store
                .transition_request_posting(a, &second, &done(62), &posting, &audit, &[])
                .await
        ),
        "posting_already_made"
    );
    // One refund in process at a time: a third for the same member is refused whatever the
    // folio; another member's is not.
    let third_of_a = NewRequest {
        member_id: a,
        folio: folio("DEV-2026-DDDDDDD4"),
        kind: RequestKind::PensionerRefund,
        state: RequestState::Submitted,
        answers: "{}".into(),
        channel: Channel::Web,
        created_by: format!("member:{}", a.0),
        created_at: at(70),
        submitted: Some(Submission {
            at: at(70),
            promised_on: date!(2026 - 12 - 10),
        }),
        event: event(70, "submitted"),
    };
    assert_eq!(
        conflict(store.create_request(&third_of_a, &[], &[]).await),
        "request_already_open"
    );
    assert_eq!(
        conflict(
            store
                .create_request(
                    &NewRequest {
                        folio: second.clone(),
                        ..third_of_a.clone()
                    },
                    &[],
                    &[],
                )
                .await
        ),
        "request_folio_taken"
    );
    // More than there is: refused whole, the request unchanged.
    let third = approved(store, b, "DEV-2026-CCCCCCC3").await;
    let too_much = LedgerPosting {
        key: format!("pensioner_refund:{third}"),
        movements: vec![withdrawal(b, Bucket::Scv97, 5_001, 2)],
    };
    assert_eq!(
        conflict(
            store
                .transition_request_posting(b, &third, &done(63), &too_much, &audit, &[])
                .await
        ),
        "posting_overdraws"
    );
    for (member, folio) in [(a, &second), (b, &third)] {
        let request = store
            .request_by_folio(member, folio)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(request.state, RequestState::Approved);
        assert_eq!(store.request_events(member, folio).await.unwrap().len(), 1);
    }
    assert_eq!(total(a).await, Money::ZERO);
    assert_eq!(total(b).await, Money::from_centavos(5_000));
    assert_eq!(audit_count(store).await, before + 1);
    let withdrawals = store
        .movements(
            a,
            &crate::MovementFilter {
                kinds: vec![MovementKind::Withdrawal],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(withdrawals.len(), 2, "posted once");
    let check = store.check_ledger().await.unwrap();
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);
}
