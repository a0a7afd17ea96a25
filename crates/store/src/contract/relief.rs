//! The contract for relief grants: a grant, its movements on the credit, the credit's balance,
//! the audit row and the notice are written together or not at all; a grant starting in a month
//! is made once however often it is sent; another member's credit is out of reach.

use domain::credit::relief::{Effect, Family, ReliefGrant};
use domain::money::Money;
use domain::registry::{
    Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, MemberId,
};
use time::macros::date;

use super::{at, audit_count, audit_entry, conflict, file, import_members, person};
use crate::{ImportKind, ImportTotals, NewMessage, OutboxChannel, Store};

fn credit(member: MemberId, number: &str) -> Credit {
    Credit {
        credit_number: CreditNumber::parse(number).unwrap(),
        member_id: member,
        product: CreditProduct::Tradicional,
        denomination: Denomination::Pesos,
        originated_on: date!(2015 - 03 - 01),
        amount: Money::from_centavos(50_000_000),
        amount_vsm: None,
        rate: "0.12".parse().unwrap(),
        term_months: 360,
        status: CreditStatus::Active,
    }
}

fn movement(credit: &Credit, reference: &str, kind: CreditMovementKind, c: i64) -> CreditMovement {
    CreditMovement {
        member_id: credit.member_id,
        credit_number: credit.credit_number.clone(),
        reference: reference.into(),
        kind,
        booked_on: date!(2020 - 05 - 01),
        amount: Money::from_centavos(c),
    }
}

pub async fn relief_is_granted_once_with_its_movements_and_audit(store: &impl Store) {
    let ids = import_members(store, "rl1", &[person(70), person(71)]).await;
    let (a, b) = (ids[0], ids[1]);
    let (ca, cb) = (credit(a, "1915000070"), credit(b, "1915000071"));
    let mut batch = store
        .begin_import(&file(ImportKind::Synthetic, "rl2"))
        .await
        .unwrap();
    batch
        .insert_credits(&[ca.clone(), cb.clone()])
        .await
        .unwrap();
    batch
        .insert_credit_movements(&[
            movement(&ca, "D", CreditMovementKind::Disbursement, 50_000_000),
            movement(&cb, "D", CreditMovementKind::Disbursement, 50_000_000),
        ])
        .await
        .unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();
    let before = audit_count(store).await;

    let grant = ReliefGrant {
        member_id: a,
        credit_number: ca.credit_number.clone(),
        programme: "covid_unemployment".into(),
        family: Family::Covid2020,
        effect: Effect::InsurancePays,
        start: date!(2020 - 05 - 01),
        months: 3,
        renewal: false,
        suspends_discount: false,
        decided_on: date!(2020 - 05 - 10),
        balance: Money::from_centavos(50_000_000),
        instalment: Money::from_centavos(617_168),
    };
    let posted = [
        movement(
            &ca,
            "relief:202005:202005:fund",
            CreditMovementKind::ReliefPayment,
            -617_168,
        ),
        movement(
            &ca,
            "relief:202005:202005:interest",
            CreditMovementKind::InterestWaiver,
            -500_000,
        ),
    ];
    let notice = NewMessage {
        channel: OutboxChannel::Email,
        recipient: "relief@example.mx".into(),
        subject: "Apoyo".into(),
        body: "Te dimos el apoyo".into(),
        created_at: at(1),
    };
    store
        .grant_relief(
            &grant,
            &posted,
            &[audit_entry(Some(a.0), "relief_granted", at(1))],
            std::slice::from_ref(&notice),
        )
        .await
        .unwrap();
    assert_eq!(
        store.relief_grants(a, &ca.credit_number).await.unwrap(),
        std::slice::from_ref(&grant)
    );
    assert_eq!(
        store.credit_balance(a, &ca.credit_number).await.unwrap(),
        Some(Money::from_centavos(50_000_000 - 617_168 - 500_000))
    );
    let moves = store.credit_movements(a, &ca.credit_number).await.unwrap();
    assert_eq!(moves.len(), 3);
    assert!(moves.contains(&posted[0]) && moves.contains(&posted[1]));
    assert_eq!(audit_count(store).await, before + 1);
    assert!(
        store
            .recent_messages(10)
            .await
            .unwrap()
            .iter()
            .any(|m| m.body == "Te dimos el apoyo")
    );

    // Sent again: nothing more is granted, posted or audited.
    let again = store
        .grant_relief(
            &grant,
            &posted,
            &[audit_entry(Some(a.0), "relief_granted", at(2))],
            &[],
        )
        .await;
    assert_eq!(conflict(again), "relief_already_granted");
    // The same start month with other movements is still the same grant.
    let other = ReliefGrant {
        months: 1,
        ..grant.clone()
    };
    assert_eq!(
        conflict(store.grant_relief(&other, &[], &[], &[]).await),
        "relief_already_granted"
    );
    assert_eq!(
        store
            .relief_grants(a, &ca.credit_number)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .credit_movements(a, &ca.credit_number)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(audit_count(store).await, before + 1);

    // A movement already on the credit rolls the whole grant back.
    let clash = ReliefGrant {
        start: date!(2020 - 08 - 01),
        ..grant.clone()
    };
    assert_eq!(
        conflict(
            store
                .grant_relief(
                    &clash,
                    &posted[..1],
                    &[audit_entry(Some(a.0), "x", at(3))],
                    &[]
                )
                .await
        ),
        "relief_already_granted"
    );
    assert_eq!(
        store
            .relief_grants(a, &ca.credit_number)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(audit_count(store).await, before + 1);

    // Another member's credit: nothing read, nothing granted.
    assert!(
        store
            .relief_grants(b, &ca.credit_number)
            .await
            .unwrap()
            .is_empty()
    );
    let foreign = ReliefGrant {
        member_id: b,
        ..grant.clone()
    };
    assert_eq!(
        conflict(store.grant_relief(&foreign, &[], &[], &[]).await),
        "credit_not_found"
    );
    assert_eq!(
        store.credit_balance(b, &cb.credit_number).await.unwrap(),
        Some(Money::from_centavos(50_000_000))
    );
}
