//! The contract for Responsabilidad Compartida: a VSM credit converts to fixed pesos once, with
//! its discount movement, its new denomination and rate, its fixed payment, its audit row and
//! its notice all in one transaction — and never a second time, not even when several
//! conversions of the same credit arrive at once.

use domain::credit::conversion::{DISCOUNT_REFERENCE, OfferFacts, offer};
use domain::credit::{DiscountChangeReason, DiscountKind};
use domain::money::Money;
use domain::registry::{
    Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, MemberId,
};
use time::Date;
use time::macros::date;

use super::{at, audit_count, audit_entry, conflict, file, import_members, join_all, person};
use crate::{
    CreditConversion, ImportKind, ImportTotals, NewMessage, OutboxChannel, Store, stored_instant,
};

const TODAY: Date = date!(2026 - 11 - 20);

fn vsm_credit(member: MemberId, number: &str) -> Credit {
    Credit {
        credit_number: CreditNumber::parse(number).unwrap(),
        member_id: member,
        product: CreditProduct::Tradicional,
        denomination: Denomination::Vsm,
        originated_on: date!(2005 - 02 - 01),
        amount: Money::from_centavos(15_000_000),
        amount_vsm: None,
        rate: "0.06".parse().unwrap(),
        term_months: 360,
        status: CreditStatus::Active,
    }
}

fn movement(
    c: &Credit,
    reference: &str,
    kind: CreditMovementKind,
    on: Date,
    centavos: i64,
) -> CreditMovement {
    CreditMovement {
        member_id: c.member_id,
        credit_number: c.credit_number.clone(),
        reference: reference.into(),
        kind,
        booked_on: on,
        amount: Money::from_centavos(centavos),
    }
}

/// Lent 150,000; re-indexation added 80,000; 20,000 paid: 210,000 owed.
async fn import_credits(store: &impl Store, credits: &[Credit]) {
    let mut batch = store
        .begin_import(&file(ImportKind::Synthetic, "conv"))
        .await
        .unwrap();
    batch.insert_credits(credits).await.unwrap();
    let mut moves = Vec::new();
    for c in credits {
        moves.push(movement(
            c,
            "D",
            CreditMovementKind::Disbursement,
            c.originated_on,
            15_000_000,
        ));
        moves.push(movement(
            c,
            "R2020",
            CreditMovementKind::Reindexation,
            date!(2020 - 01 - 01),
            8_000_000,
        ));
        moves.push(movement(
            c,
            "P1",
            CreditMovementKind::PayrollPayment,
            date!(2026 - 10 - 31),
            -2_000_000,
        ));
    }
    batch.insert_credit_movements(&moves).await.unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();
}

fn conversion_of(c: &Credit, balance_centavos: i64, seconds: i64) -> CreditConversion {
    let offer = offer(&OfferFacts {
        balance: Money::from_centavos(balance_centavos),
        reindexation: Money::from_centavos(8_000_000),
        current_payment: Money::from_centavos(250_000),
        current_rate: "0.06".parse().unwrap(),
        rate_for_income: "0.0355".parse().unwrap(),
        yearly_unit_growth: "0.03".parse().unwrap(),
        today: TODAY,
    })
    .unwrap();
    CreditConversion {
        member_id: c.member_id,
        credit_number: c.credit_number.clone(),
        converted_at: at(seconds),
        channel: domain::audit::Channel::Web,
        offer,
    }
}

fn notice(member: MemberId) -> NewMessage {
    NewMessage {
        channel: OutboxChannel::Email,
        recipient: format!("m{}@example.mx", member.0),
        subject: "Tu crédito ya está en pesos".into(),
        body: "conversion".into(),
        created_at: at(0),
    }
}

pub async fn a_credit_converts_once_atomically_even_when_asked_at_once(store: &impl Store) {
    let ids = import_members(store, "cv", &[person(81), person(82)]).await;
    let (owner, other) = (ids[0], ids[1]);
    let first = vsm_credit(owner, "0500000081");
    let raced = vsm_credit(owner, "0500000082");
    let stale = vsm_credit(owner, "0500000083");
    import_credits(store, &[first.clone(), raced.clone(), stale.clone()]).await;

    let audit_before = audit_count(store).await;
    let outbox_before = store.recent_messages(1000).await.unwrap().len();
    let conversion = conversion_of(&first, 21_000_000, 10);
    // 80,000 of re-indexation, under 55% of 210,000: all of it is the discount.
    assert_eq!(conversion.offer.discount, Money::from_centavos(8_000_000));
    assert_eq!(
        conversion.offer.new_balance,
        Money::from_centavos(13_000_000)
    );
    let audit = [audit_entry(Some(owner.0), "credit_converted", at(10))];
    store
        .convert_credit(&conversion, &audit, &[notice(owner)])
        .await
        .unwrap();

    // The credit is in pesos at the new rate and owes the new balance.
    let credit = store
        .credits(owner)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.credit_number == first.credit_number)
        .unwrap();
    assert_eq!(credit.denomination, Denomination::Pesos);
    assert_eq!(credit.rate, conversion.offer.rate);
    assert_eq!(
        store
            .credit_balance(owner, &first.credit_number)
            .await
            .unwrap(),
        Some(Money::from_centavos(13_000_000))
    );
    let discount_moves: Vec<_> = store
        .credit_movements(owner, &first.credit_number)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.reference == DISCOUNT_REFERENCE)
        .collect();
    assert_eq!(discount_moves.len(), 1);
    assert_eq!(discount_moves[0].kind, CreditMovementKind::Discount);
    assert_eq!(discount_moves[0].booked_on, TODAY);
    assert_eq!(discount_moves[0].amount, Money::from_centavos(-8_000_000));
    let discounts = store
        .credit_discounts(owner, &first.credit_number)
        .await
        .unwrap();
    let last = discounts.last().unwrap();
    assert_eq!(last.valid_from, TODAY);
    assert_eq!(last.reason, DiscountChangeReason::Conversion);
    assert_eq!(last.discount.kind, DiscountKind::FixedPesos);
    assert_eq!(
        Money::from_decimal(last.discount.value).unwrap(),
        conversion.offer.monthly_payment
    );
    // The record reads back whole, for its owner only.
    let stored = store
        .credit_conversion(owner, &first.credit_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored,
        CreditConversion {
            converted_at: stored_instant(conversion.converted_at),
            ..conversion.clone()
        }
    );
    assert!(
        store
            .credit_conversion(other, &first.credit_number)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(audit_count(store).await, audit_before + 1);
    assert_eq!(
        store.recent_messages(1000).await.unwrap().len(),
        outbox_before + 1
    );

    // Asked again: refused, and nothing more is written.
    assert_eq!(
        conflict(
            store
                .convert_credit(
                    &conversion_of(&first, 21_000_000, 11),
                    &audit,
                    &[notice(owner)]
                )
                .await
        ),
        "already_converted"
    );
    assert_eq!(audit_count(store).await, audit_before + 1);
    assert_eq!(
        store
            .credit_balance(owner, &first.credit_number)
            .await
            .unwrap(),
        Some(Money::from_centavos(13_000_000))
    );
    // Another member cannot convert it.
    let mut theirs = conversion_of(&first, 21_000_000, 12);
    theirs.member_id = other;
    assert_eq!(
        conflict(store.convert_credit(&theirs, &[], &[]).await),
        "credit_not_found"
    );
    // An offer made on a balance that has since moved is refused whole.
    assert_eq!(
        conflict(
            store
                .convert_credit(
                    &conversion_of(&stale, 20_000_000, 13),
                    &audit,
                    &[notice(owner)]
                )
                .await
        ),
        "credit_changed"
    );
    assert!(
        store
            .credit_conversion(owner, &stale.credit_number)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .credit_balance(owner, &stale.credit_number)
            .await
            .unwrap(),
        Some(Money::from_centavos(21_000_000))
    );
    assert_eq!(audit_count(store).await, audit_before + 1);

    // Eight conversions of one credit at once: exactly one applies.
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let c = conversion_of(&raced, 21_000_000, 20 + i);
            let audit = [audit_entry(Some(owner.0), "credit_converted", at(20 + i))];
            async move { store.convert_credit(&c, &audit, &[notice(owner)]).await }
        })
        .collect();
    let results = join_all(attempts).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for r in results {
        if r.is_err() {
            assert_eq!(conflict(r), "already_converted");
        }
    }
    assert_eq!(
        store
            .credit_balance(owner, &raced.credit_number)
            .await
            .unwrap(),
        Some(Money::from_centavos(13_000_000))
    );
    assert_eq!(audit_count(store).await, audit_before + 2);
    assert_eq!(
        store.recent_messages(1000).await.unwrap().len(),
        outbox_before + 2
    );
}
