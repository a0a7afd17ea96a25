//! Payment relief through the real use cases and a real SQLite store, on the documented
//! example files: María's peso credit (granted 10 September 2019, 639,773.33 owed in May 2020
//! at 10.45 %, a fixed discount of 5,800.00) and her job at ALIMENTOS DEL BAJÍO since 2015.
//! The app clock is set to the dates each programme needs.

use std::path::Path;
use std::sync::Arc;

use app::credit::Credits;
use app::relief::{Outcome, Relief, ReliefError, ReliefForm};
use app::requests::Acting;
use domain::credit::relief::{Family, RefusalReason, ReliefProgrammes};
use domain::credit::{NoticeKind, NoticeReason};
use domain::ids::Nss;
use domain::money::Money;
use domain::registry::{CreditMovementKind, CreditNumber, MemberId};
use store::{AuditRepo, ImportKind, OutboxRepo, RegistryRepo, ReliefRepo};
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::accounts::{MARIA_NSS, World, active_member, web, world};
use crate::messages;

const MARIA_CREDIT: &str = "1901234567";
const JUAN_NSS: &str = "38957812340";

async fn import(w: &World, kind: ImportKind, name: &str, text: Option<&str>) {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-relief-{}-{}-{}",
        std::process::id(),
        name,
        crate::NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    match text {
        Some(text) => std::fs::write(&path, text).unwrap(),
        None => {
            std::fs::copy(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../docs/examples")
                    .join(name),
                &path,
            )
            .unwrap();
        }
    }
    app::import::import_file(w.store.as_ref(), kind, &path, &messages(), &mut |_| {})
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The example registry with María's credit; `relations` replaces the example jobs.
async fn setup(relations: Option<&str>) -> (World, Relief, MemberId) {
    let w = world().await;
    import(&w, ImportKind::Employers, "employers.csv", None).await;
    import(&w, ImportKind::Relations, "relations.csv", relations).await;
    import(&w, ImportKind::Credits, "credits.csv", None).await;
    import(
        &w,
        ImportKind::CreditMovements,
        "credit-movements.csv",
        None,
    )
    .await;
    import(
        &w,
        ImportKind::CreditDiscounts,
        "credit-discounts.csv",
        None,
    )
    .await;
    active_member(&w).await;
    let tables = Arc::new(domain::reference::ReferenceTables::embedded().unwrap());
    let relief = Relief::new(
        w.store.clone(),
        Credits::new(w.store.clone(), tables),
        Arc::new(ReliefProgrammes::embedded().unwrap()),
        w.clock.clone(),
        Arc::new(messages()),
    );
    let maria = member(&w, MARIA_NSS).await;
    (w, relief, maria)
}

async fn member(w: &World, nss: &str) -> MemberId {
    w.store
        .member_by_nss(&Nss::parse(nss).unwrap())
        .await
        .unwrap()
        .unwrap()
        .member_id
}

/// Moves the app clock to `to` (backwards too).
fn set_clock(w: &World, to: OffsetDateTime) {
    let now = app::clock::Clock::now(w.clock.as_ref());
    w.clock.advance(to - now);
}

fn form(situation: &str, since: &str) -> ReliefForm {
    ReliefForm {
        situation: situation.into(),
        since: since.into(),
        ..ReliefForm::default()
    }
}

fn credit() -> CreditNumber {
    CreditNumber::parse(MARIA_CREDIT).unwrap()
}

async fn audits(w: &World, member: MemberId, action: &str) -> usize {
    w.store
        .recent_audit(member, 100)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.entry.action == action)
        .count()
}

#[tokio::test]
async fn a_covid_deferral_is_posted_audited_notified_and_made_once() {
    let (w, relief, maria) = setup(None).await;
    // 10 May 2020, noon in Mexico City.
    set_clock(&w, datetime!(2020-05-10 18:00 UTC));
    let overview = relief.overview(maria, &credit()).await.unwrap();
    let covid = overview
        .offers
        .iter()
        .find(|o| o.family == Family::Covid2020)
        .unwrap();
    assert!(covid.refusal.is_none(), "{covid:?}");
    assert_eq!(covid.programmes.len(), 4);

    let (number, answers, caller) = (
        credit(),
        form("income_reduced", "2020-04-01"),
        web("10.0.0.7"),
    );
    let apply = || {
        relief.apply(
            maria,
            &number,
            Family::Covid2020,
            &answers,
            &caller,
            Acting::Member(maria),
        )
    };
    let Outcome::Granted { view, already } = apply().await.unwrap() else {
        panic!("refused")
    };
    assert!(!already);
    let g = &view.grant;
    assert_eq!(g.programme, "covid_deferral");
    assert_eq!(
        (g.start, g.months, g.end()),
        (date!(2020 - 05 - 01), 3, date!(2020 - 07 - 31))
    );
    // Frozen at 639,773.33: each month's interest, 639,773.33 × 10.45 % / 12 = 5,571.3594
    // → 5,571.36, is waived, and nothing is due.
    for m in &view.months {
        assert_eq!(m.interest_waived, Money::parse("5571.36").unwrap());
        assert_eq!(m.borrower_pays, Money::ZERO);
        assert_eq!(m.balance_after, Money::parse("639773.33").unwrap());
    }
    let moves = w.store.credit_movements(maria, &credit()).await.unwrap();
    let waivers: Vec<_> = moves
        .iter()
        .filter(|m| m.kind == CreditMovementKind::InterestWaiver)
        .collect();
    assert_eq!(waivers.len(), 3);
    assert!(
        waivers
            .iter()
            .all(|m| m.amount == Money::parse("-5571.36").unwrap())
    );
    assert_eq!(audits(&w, maria, "relief_granted").await, 1);
    let mail = w.store.recent_messages(5).await.unwrap();
    assert!(
        mail.iter()
            .any(|m| m.subject.contains(MARIA_CREDIT) && m.body.contains("Diferimiento")),
        "{mail:?}"
    );
    // The movement of May is booked: the balance shows it today.
    let credits = Credits::new(
        w.store.clone(),
        Arc::new(domain::reference::ReferenceTables::embedded().unwrap()),
    );
    let record = credits
        .credit(maria, &credit(), date!(2020 - 05 - 10))
        .await
        .unwrap();
    assert_eq!(
        record.view.account.balance,
        Money::parse("634201.97").unwrap(),
        "639,773.33 − 5,571.36: the registry's interest for May comes in at the month's end"
    );
    // The deferral suspends the payroll discount: a suspension notice for her employer.
    let notices = credits.notices(maria, date!(2020 - 05 - 10)).await.unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.offer.kind == NoticeKind::Suspension
                && n.offer.reason == NoticeReason::Extension
                && n.offer.effective_on == date!(2020 - 05 - 01)),
        "{notices:?}"
    );
    assert!(
        !notices
            .iter()
            .any(|n| n.offer.kind == NoticeKind::Retention)
    );

    // Sent again: the same grant, nothing posted or audited twice.
    let Outcome::Granted {
        view: again,
        already,
    } = apply().await.unwrap()
    else {
        panic!("refused")
    };
    assert!(already);
    assert_eq!(again.grant, view.grant);
    assert_eq!(
        w.store
            .credit_movements(maria, &credit())
            .await
            .unwrap()
            .len(),
        moves.len()
    );
    assert_eq!(
        w.store.relief_grants(maria, &credit()).await.unwrap().len(),
        1
    );
    assert_eq!(audits(&w, maria, "relief_granted").await, 1);

    // After it ends, the notices go back to retention.
    let notices = credits.notices(maria, date!(2020 - 08 - 01)).await.unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.offer.kind == NoticeKind::Retention)
    );
}

#[tokio::test]
async fn a_refusal_says_why_and_when_to_retry_and_is_audited() {
    let (w, relief, maria) = setup(None).await;
    set_clock(&w, datetime!(2020-05-10 18:00 UTC));
    // IMSS still shows her job: try again on 1 June, while the window is open.
    let outcome = relief
        .apply(
            maria,
            &credit(),
            Family::Covid2020,
            &form("job_lost", "2020-05-01"),
            &web("10.0.0.7"),
            Acting::Member(maria),
        )
        .await
        .unwrap();
    let Outcome::Refused(refusal) = outcome else {
        panic!("granted")
    };
    assert_eq!(refusal.reason, RefusalReason::StillEmployed);
    assert_eq!(refusal.retry_on, Some(date!(2020 - 06 - 01)));
    assert_eq!(audits(&w, maria, "relief_refused").await, 1);
    assert!(
        w.store
            .relief_grants(maria, &credit())
            .await
            .unwrap()
            .is_empty()
    );
    // A question left unanswered is asked again, with nothing decided.
    let err = relief
        .apply(
            maria,
            &credit(),
            Family::Covid2020,
            &form("job_lost", ""),
            &web("10.0.0.7"),
            Acting::Member(maria),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "relief_since_missing");
    assert_eq!(audits(&w, maria, "relief_refused").await, 1);
}

#[tokio::test]
async fn the_decision_is_made_again_with_the_clock_of_the_application() {
    let (w, relief, maria) = setup(None).await;
    // The last day of the 2020 window, 23:30 in Mexico City: still open.
    set_clock(&w, datetime!(2020-09-01 05:30 UTC));
    let overview = relief.overview(maria, &credit()).await.unwrap();
    assert!(overview.offers[0].refusal.is_none());
    // An hour later it is 1 September in Mexico City: closed, with no date to retry.
    w.clock.advance(time::Duration::hours(1));
    let outcome = relief
        .apply(
            maria,
            &credit(),
            Family::Covid2020,
            &form("income_reduced", "2020-04-01"),
            &web("10.0.0.7"),
            Acting::Member(maria),
        )
        .await
        .unwrap();
    let Outcome::Refused(refusal) = outcome else {
        panic!("granted after the window closed")
    };
    assert_eq!(
        (refusal.reason, refusal.retry_on),
        (RefusalReason::WindowClosed, None)
    );
}

#[tokio::test]
async fn the_protection_fund_pays_ninety_percent_and_blocks_a_prorroga_meanwhile() {
    // María's job ended on 30 June 2026.
    let relations = "nss,nrp,start_date,end_date,wage_from,daily_wage
01908567892,Y0000000002,2015-08-01,2026-06-30,2015-08-01,520.00
";
    let (w, relief, maria) = setup(Some(relations)).await;
    set_clock(&w, datetime!(2026-11-25 18:00 UTC));
    let lost = ReliefForm {
        situation: "job_lost".into(),
        since: "2026-06-30".into(),
        ..ReliefForm::default()
    };
    let (number, caller) = (credit(), web("10.0.0.7"));
    let apply = |family| {
        relief.apply(
            maria,
            &number,
            family,
            &lost,
            &caller,
            Acting::Member(maria),
        )
    };
    // Nothing paid since 2019: more than 3 instalments behind, so no prórroga.
    let Outcome::Refused(r) = apply(Family::Prorroga).await.unwrap() else {
        panic!("granted")
    };
    assert_eq!(r.reason, RefusalReason::TooManyArrears);
    let Outcome::Granted { view, .. } = apply(Family::ProtectionFund).await.unwrap() else {
        panic!("refused")
    };
    assert_eq!(
        (view.grant.programme.as_str(), view.grant.months),
        ("fpp", 6)
    );
    assert!(!view.grant.suspends_discount);
    for m in &view.months {
        // 90 % of the instalment, rounded to the centavo; she pays the rest.
        let share = Money::from_decimal(
            (m.instalment.to_decimal() * rust_decimal::Decimal::new(9, 1)).round_dp(2),
        )
        .unwrap();
        assert_eq!(m.fund_pays, share);
        assert_eq!(m.fund_pays + m.borrower_pays, m.instalment);
    }
    let fund: Vec<_> = w
        .store
        .credit_movements(maria, &credit())
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == CreditMovementKind::ReliefPayment)
        .collect();
    assert_eq!(fund.len(), 6);
    assert_eq!(fund[0].booked_on, date!(2026 - 11 - 01));
    // While the fund pays, no other relief: try again when it ends.
    let overview = relief.overview(maria, &credit()).await.unwrap();
    let prorroga = overview
        .offers
        .iter()
        .find(|o| o.family == Family::Prorroga)
        .unwrap();
    let refusal = prorroga.refusal.unwrap();
    assert_eq!(refusal.reason, RefusalReason::ReliefActive);
    assert_eq!(refusal.retry_on, Some(date!(2027 - 05 - 01)));
    assert_eq!(overview.grants.len(), 1);
}

#[tokio::test]
async fn a_member_cannot_act_on_anothers_credit() {
    let (w, relief, _maria) = setup(None).await;
    set_clock(&w, datetime!(2020-05-10 18:00 UTC));
    let juan = member(&w, JUAN_NSS).await;
    let err = relief.overview(juan, &credit()).await.unwrap_err();
    assert!(matches!(err, ReliefError::Credit(_)), "{err:?}");
    assert_eq!(err.code(), "credit_not_found");
    let err = relief
        .apply(
            juan,
            &credit(),
            Family::Covid2020,
            &form("income_reduced", "2020-04-01"),
            &web("10.0.0.9"),
            Acting::Member(juan),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "credit_not_found");
    let maria = member(&w, MARIA_NSS).await;
    assert!(
        w.store
            .relief_grants(maria, &credit())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        w.store
            .relief_grants(juan, &credit())
            .await
            .unwrap()
            .is_empty()
    );
}
