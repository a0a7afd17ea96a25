//! Responsabilidad Compartida through the real use cases and a real SQLite store: the
//! conditions of Juan's VSM credit, the conversion applied once (also when asked twice or by
//! several tasks at once), the monthly window on the app's clock in Mexico City time, the audit
//! row and the notice, another member's credit, and the welcome letter issued and recorded.

use std::sync::Arc;

use app::conversion::{ConversionError, Conversions};
use app::credit::Credits;
use app::requests::Acting;
use domain::credit::conversion::{Ineligible, Window};
use domain::credit::{DiscountKind, NoticeKind};
use domain::ids::Nss;
use domain::money::Money;
use domain::registry::{CreditNumber, Denomination, MemberId, Nrp};
use store::{
    AccountRepo, AuditRepo, ConversionRepo, DocumentRepo, ImportKind, OutboxRepo, RegistryRepo,
};
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::accounts::{World, web, world};
use crate::messages;

const JUAN_NSS: &str = "38957812340";
const MARIA_NSS: &str = "01908567892";
const JUAN_CREDIT: &str = "0812345678";
const MARIA_CREDIT: &str = "1901234567";

/// Juan's VSM credit: 350,000 lent in 2008; the yearly re-indexation added 120,000; he paid
/// 100,000. He owes 370,000.00. María's credit is in pesos.
const CREDITS: &str =
    "credit_number,nss,product,denomination,originated_on,amount,amount_vsm,rate,term_months,status
0812345678,38957812340,tradicional,vsm,2008-05-20,350000.00,219.36,0.09,360,active
1901234567,01908567892,tradicional,pesos,2019-09-10,640000.00,,0.1045,300,active
";

const MOVEMENTS: &str = "credit_number,reference,kind,booked_on,amount
0812345678,D,disbursement,2008-05-20,350000.00
0812345678,R2012,reindexation,2012-01-01,50000.00
0812345678,R2018,reindexation,2018-01-01,70000.00
0812345678,P2025,payroll_payment,2025-12-31,-100000.00
1901234567,D,disbursement,2019-09-10,640000.00
";

/// Juan's payroll discount since 2008: 1.25 VSM a month.
const DISCOUNTS: &str = "credit_number,valid_from,kind,value,reason
0812345678,2008-05-20,vsm_factor,1.2500,new_credit
";

const RELATIONS: &str = "nss,nrp,start_date,end_date,wage_from,daily_wage
38957812340,Y0000000002,2001-03-15,,2001-03-15,288.00
";

async fn import(w: &World, kind: ImportKind, name: &str, text: &str) {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-conversion-{}-{}",
        std::process::id(),
        next()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    app::import::import_file(w.store.as_ref(), kind, &path, &messages(), &mut |_| {})
        .await
        .unwrap();
}

fn next() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

struct Setup {
    w: World,
    conversions: Conversions,
    credits: Credits,
    juan: MemberId,
    maria: MemberId,
    credit: CreditNumber,
}

async fn setup() -> Setup {
    let w = world().await;
    import(
        &w,
        ImportKind::Employers,
        "employers.csv",
        "nrp,name,state,sector\nY0000000002,ALIMENTOS DEL BAJÍO SA DE CV,11,manufactura\n",
    )
    .await;
    import(&w, ImportKind::Relations, "relations.csv", RELATIONS).await;
    import(&w, ImportKind::Credits, "credits.csv", CREDITS).await;
    import(
        &w,
        ImportKind::CreditMovements,
        "credit-movements.csv",
        MOVEMENTS,
    )
    .await;
    import(
        &w,
        ImportKind::CreditDiscounts,
        "credit-discounts.csv",
        DISCOUNTS,
    )
    .await;
    let member = |nss: &str| {
        let store = w.store.clone();
        let nss = Nss::parse(nss).unwrap();
        async move { store.member_by_nss(&nss).await.unwrap().unwrap().member_id }
    };
    let (juan, maria) = (member(JUAN_NSS).await, member(MARIA_NSS).await);
    let credits = Credits::new(
        w.store.clone(),
        Arc::new(domain::reference::ReferenceTables::embedded().unwrap()),
    );
    let conversions = Conversions::new(
        credits.clone(),
        Arc::new(domain::points::PointsTables::embedded().unwrap()),
        Arc::new(messages()),
    );
    Setup {
        w,
        conversions,
        credits,
        juan,
        maria,
        credit: CreditNumber::parse(JUAN_CREDIT).unwrap(),
    }
}

fn now(s: &Setup) -> OffsetDateTime {
    use app::clock::Clock;
    s.w.clock.now()
}

fn pesos(text: &str) -> Money {
    Money::parse(text).unwrap()
}

#[tokio::test]
async fn conditions_compare_and_applying_converts_exactly_once() {
    let s = setup().await;
    // 25 November 2026, noon in Mexico City: the window is open to the 30th.
    let c = s
        .conversions
        .conditions(s.juan, &s.credit, now(&s))
        .await
        .unwrap();
    assert_eq!(c.eligibility, Ok(()));
    assert_eq!(
        c.window,
        Window::Open {
            closes_on: date!(2026 - 11 - 30)
        }
    );
    let offer = c.offer.unwrap();
    assert_eq!(offer.balance, pesos("370000"));
    // The re-indexation (120,000) is under 55% of the balance (203,500): all of it is given back.
    assert_eq!(offer.discount, pesos("120000"));
    assert_eq!(offer.new_balance, pesos("250000"));
    // Today's payment: 1.25 VSM at the 2026 unit (100.81 × 30.4 = 3,064.624) = 3,830.78.
    assert_eq!(offer.current_payment, pesos("3830.78"));
    assert_eq!(offer.monthly_payment, pesos("3830.78"));
    // Income 288.00 × 30.4 = 8,755.20 a month; the rate is the one §4.5 gives it.
    assert_eq!(c.monthly_salary, pesos("8755.20"));
    let (rate, _) = domain::points::rate_for_salary(
        c.monthly_salary,
        date!(2026 - 11 - 25),
        s.credits.tables(),
        &domain::points::PointsTables::embedded().unwrap(),
    )
    .unwrap();
    assert_eq!(offer.rate, rate);
    assert!(offer.vsm_balance_at_end > Money::ZERO);

    let caller = web("10.0.0.9");
    let converted = s
        .conversions
        .apply(s.juan, &s.credit, Acting::Member(s.juan), &caller, now(&s))
        .await
        .unwrap();
    assert_eq!(converted.offer, offer);

    // The credit now reads in pesos, owing the new balance, with the fixed payment.
    let record = s
        .credits
        .credit(s.juan, &s.credit, date!(2026 - 11 - 25))
        .await
        .unwrap();
    assert_eq!(record.view.credit.denomination, Denomination::Pesos);
    assert_eq!(record.view.credit.rate, offer.rate);
    assert_eq!(record.view.account.balance, pesos("250000"));
    assert_eq!(record.view.account.balance_units, None);
    assert_eq!(record.view.account.monthly_payment, pesos("3830.78"));
    assert_eq!(record.view.discount.kind, DiscountKind::FixedPesos);
    // The modification notice for his employer is on offer, for the conversion.
    let notices = s
        .credits
        .notices(s.juan, date!(2026 - 11 - 25))
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.offer.kind == NoticeKind::Modification
                && n.offer.reason == domain::credit::NoticeReason::Conversion
                && n.offer.employer == Nrp::parse("Y0000000002").unwrap())
    );

    // Audited once, with the figures.
    let audit = s.w.store.recent_audit(s.juan, 50).await.unwrap();
    let rows: Vec<_> = audit
        .iter()
        .filter(|r| r.entry.action == "credit_converted")
        .collect();
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].entry.details.contains("\"discount\":\"120000.00\""),
        "{}",
        rows[0].entry.details
    );
    assert_eq!(rows[0].entry.actor, format!("member:{}", s.juan.0));

    // Asked again: refused, nothing more written.
    let again = s
        .conversions
        .apply(s.juan, &s.credit, Acting::Member(s.juan), &caller, now(&s))
        .await
        .unwrap_err();
    assert_eq!(again.code(), "already_converted");
    let c = s
        .conversions
        .conditions(s.juan, &s.credit, now(&s))
        .await
        .unwrap();
    assert_eq!(c.eligibility, Err(Ineligible::AlreadyConverted));
    assert!(c.offer.is_none());
    assert_eq!(c.conversion.unwrap().offer, offer);
    let audit = s.w.store.recent_audit(s.juan, 50).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.entry.action == "credit_converted")
            .count(),
        1
    );

    // The welcome letter is issued and recorded for verification.
    let renderer = Arc::new(documents::Renderer::new("https://vivienda.example").unwrap());
    let pdf = s
        .conversions
        .letter_pdf(renderer.clone(), s.juan, &s.credit, now(&s), &caller)
        .await
        .unwrap();
    assert!(pdf.pdf.starts_with(b"%PDF"));
    let audit = s.w.store.recent_audit(s.juan, 50).await.unwrap();
    let issued = audit
        .iter()
        .find(|r| {
            r.entry.action == "document_issued" && r.entry.details.contains("conversion_letter")
        })
        .unwrap();
    let details: serde_json::Value = serde_json::from_str(&issued.entry.details).unwrap();
    let recorded =
        s.w.store
            .document_by_code(details["code"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(recorded.kind, "conversion_letter");
    assert_eq!(recorded.sha256, pdf.sha256);
    assert_eq!(recorded.member_id, s.juan);
    // María has no letter for Juan's credit.
    assert_eq!(
        s.conversions
            .letter_pdf(renderer, s.maria, &s.credit, now(&s), &caller)
            .await
            .unwrap_err()
            .code(),
        "credit_not_found"
    );
}

#[tokio::test]
async fn the_member_is_told_by_email_and_sms_in_the_same_transaction() {
    let s = setup().await;
    // Juan needs an account to be told.
    s.w.store
        .create_account(
            &store::NewAccount {
                member_id: s.juan,
                email: "juan@example.mx".into(),
                mobile: "5511112222".into(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                created_at: now(&s),
            },
            &[],
        )
        .await
        .unwrap();
    let before = s.w.store.recent_messages(100).await.unwrap().len();
    s.conversions
        .apply(
            s.juan,
            &s.credit,
            Acting::Member(s.juan),
            &web("10.0.0.8"),
            now(&s),
        )
        .await
        .unwrap();
    let messages = s.w.store.recent_messages(100).await.unwrap();
    assert_eq!(messages.len(), before + 2);
    assert!(
        messages
            .iter()
            .any(|m| m.subject == "Tu crédito 0812345678 ya está en pesos"
                && m.body.contains("$250,000.00")
                && m.body.contains("$3,830.78"))
    );
}

#[tokio::test]
async fn several_tasks_converting_at_once_convert_once() {
    let s = setup().await;
    let conversions = s.conversions.clone();
    let at = now(&s);
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let conversions = conversions.clone();
            let credit = s.credit.clone();
            let juan = s.juan;
            tokio::spawn(async move {
                conversions
                    .apply(
                        juan,
                        &credit,
                        Acting::Member(juan),
                        &web(&format!("10.0.1.{i}")),
                        at,
                    )
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code(), "already_converted", "{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        s.w.store.credit_balance(s.juan, &s.credit).await.unwrap(),
        Some(pesos("250000"))
    );
    let movements = s.w.store.credit_movements(s.juan, &s.credit).await.unwrap();
    assert_eq!(movements.iter().filter(|m| m.reference == "RC").count(), 1);
}

#[tokio::test]
async fn the_window_follows_mexico_city_days_8_9_and_month_end() {
    let s = setup().await;
    let caller = web("10.0.0.7");
    let apply = |at: OffsetDateTime| {
        let c = s.conversions.clone();
        let (juan, credit, caller) = (s.juan, s.credit.clone(), caller.clone());
        async move {
            c.apply(juan, &credit, Acting::Member(juan), &caller, at)
                .await
        }
    };
    // 23:59 of 8 December in Mexico City (05:59 UTC of the 9th): still closed, reopening the 9th.
    match apply(datetime!(2026-12-09 05:59 UTC)).await {
        Err(ConversionError::WindowClosed { reopens_on }) => {
            assert_eq!(reopens_on, date!(2026 - 12 - 09));
        }
        other => panic!("expected the window closed, got {other:?}"),
    }
    // The 1st, right after midnight: closed too.
    assert_eq!(
        apply(datetime!(2026-12-01 06:00 UTC))
            .await
            .unwrap_err()
            .code(),
        "conversion_window_closed"
    );
    // The conditions still show, with the reason.
    let c = s
        .conversions
        .conditions(s.juan, &s.credit, datetime!(2026-12-08 18:00 UTC))
        .await
        .unwrap();
    assert_eq!(
        c.window,
        Window::Closed {
            reopens_on: date!(2026 - 12 - 09)
        }
    );
    assert!(c.offer.is_some());
    // Nothing was converted.
    assert!(
        s.w.store
            .credit_conversion(s.juan, &s.credit)
            .await
            .unwrap()
            .is_none()
    );
    // 23:59 of 30 November in Mexico City, the last day of the month: open.
    apply(datetime!(2026-12-01 05:59 UTC)).await.unwrap();
}

#[tokio::test]
async fn the_9th_at_midnight_opens_the_window() {
    let s = setup().await;
    s.conversions
        .apply(
            s.juan,
            &s.credit,
            Acting::Member(s.juan),
            &web("10.0.0.6"),
            datetime!(2026-12-09 06:00 UTC),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_member_cannot_act_on_another_s_credit_and_pesos_credits_are_not_eligible() {
    let s = setup().await;
    let caller = web("10.0.0.5");
    // María asking for Juan's credit: not found, as if it did not exist.
    let e = s
        .conversions
        .apply(
            s.maria,
            &s.credit,
            Acting::Member(s.maria),
            &caller,
            now(&s),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "credit_not_found");
    assert!(
        s.conversions
            .conditions(s.maria, &s.credit, now(&s))
            .await
            .is_err()
    );
    assert!(
        s.w.store
            .credit_conversion(s.juan, &s.credit)
            .await
            .unwrap()
            .is_none()
    );
    // Her own credit is in pesos already.
    let hers = CreditNumber::parse(MARIA_CREDIT).unwrap();
    let c = s
        .conversions
        .conditions(s.maria, &hers, now(&s))
        .await
        .unwrap();
    assert_eq!(c.eligibility, Err(Ineligible::NotVsm));
    assert_eq!(
        s.conversions
            .apply(s.maria, &hers, Acting::Member(s.maria), &caller, now(&s))
            .await
            .unwrap_err()
            .code(),
        "not_eligible"
    );
}
