//! Requests for paid-off credits through the real use cases: deeds for a credit of 1972–2007
//! (not for one of 2008, not while something is owed), the refund of an overpayment to a
//! checked CLABE, each with a folio, a receipt recorded for verification, and never for
//! another member's credit.

use std::sync::Arc;

use app::credit::Credits;
use app::paid_off::{receipt_pdf, request_deeds, request_overpayment_refund};
use app::refund::PensionerRefunds;
use app::requests::{Acting, Requests};
use domain::ids::Nss;
use domain::registry::{CreditNumber, MemberId};
use domain::requests::{Holidays, RequestKind, ServiceStandards};
use store::{ImportKind, RegistryRepo, RequestRepo};

use crate::accounts::{World, web, world};
use crate::messages;

/// Juan: a credit of 2007 paid off with 1,250.50 paid beyond what it owed; one of 2008, paid
/// off exactly; one of 1995 still owing. María: a credit of 2000, paid off.
const CREDITS: &str =
    "credit_number,nss,product,denomination,originated_on,amount,amount_vsm,rate,term_months,status
0712345670,38957812340,tradicional,vsm,2007-12-31,150000.00,110.50,0.06,240,paid_off
0812340008,38957812340,tradicional,vsm,2008-01-01,100000.00,70.00,0.06,240,paid_off
9512345671,38957812340,tradicional,vsm,1995-03-01,90000.00,80.00,0.06,240,active
0012345672,01908567892,tradicional,vsm,2000-03-01,90000.00,80.00,0.06,240,paid_off
";

const MOVEMENTS: &str = "credit_number,reference,kind,booked_on,amount
0712345670,D,disbursement,2007-12-31,150000.00
0712345670,LIQ,direct_payment,2026-03-13,-151250.50
0812340008,D,disbursement,2008-01-01,100000.00
0812340008,LIQ,direct_payment,2025-03-13,-100000.00
9512345671,D,disbursement,1995-03-01,90000.00
0012345672,D,disbursement,2000-03-01,90000.00
0012345672,LIQ,direct_payment,2020-03-13,-90000.00
";

async fn import(w: &World, kind: ImportKind, name: &str, text: &str) {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-paid-off-{}-{}",
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
    credits: Credits,
    requests: Requests,
    refunds: PensionerRefunds,
    juan: MemberId,
    maria: MemberId,
}

async fn setup() -> Setup {
    let w = world().await;
    import(&w, ImportKind::Credits, "credits.csv", CREDITS).await;
    import(&w, ImportKind::CreditMovements, "moves.csv", MOVEMENTS).await;
    let id = |nss: &str| {
        let store = w.store.clone();
        let nss = Nss::parse(nss).unwrap();
        async move { store.member_by_nss(&nss).await.unwrap().unwrap().member_id }
    };
    let (juan, maria) = (id("38957812340").await, id("01908567892").await);
    let tables = Arc::new(domain::reference::ReferenceTables::embedded().unwrap());
    let messages = Arc::new(messages());
    let requests = Requests::new(
        w.store.clone(),
        w.clock.clone(),
        Arc::new(ServiceStandards::embedded().unwrap()),
        Holidays::federal(),
        messages.clone(),
    );
    let refunds = PensionerRefunds::new(
        w.store.clone(),
        w.accounts.clone(),
        requests.clone(),
        tables.clone(),
        None,
        messages,
    );
    Setup {
        credits: Credits::new(w.store.clone(), tables),
        requests,
        refunds,
        w,
        juan,
        maria,
    }
}

fn number(text: &str) -> CreditNumber {
    CreditNumber::parse(text).unwrap()
}

#[tokio::test]
async fn deeds_are_filed_for_a_paid_off_credit_of_1972_to_2007_only() {
    let s = setup().await;
    let caller = web("10.0.2.1");
    let deeds = |member, credit: &'static str, office: &'static str| {
        let (credits, requests, caller) = (s.credits.clone(), s.requests.clone(), caller.clone());
        async move {
            request_deeds(
                &credits,
                &requests,
                member,
                &number(credit),
                office,
                Acting::Member(member),
                &caller,
            )
            .await
        }
    };
    // Granted on 31 December 2007 and paid off: the fund holds the deed.
    let filed = deeds(s.juan, "0712345670", "AGU01").await.unwrap();
    assert_eq!(filed.kind, RequestKind::Deeds);
    assert!(filed.folio.as_str().starts_with("ESC-"));
    let stored =
        s.w.store
            .request_by_folio(s.juan, &filed.folio)
            .await
            .unwrap()
            .unwrap();
    assert!(
        stored.answers.contains("CESI Aguascalientes Centro"),
        "{}",
        stored.answers
    );
    // 1 January 2008: the notary has it.
    assert_eq!(
        deeds(s.juan, "0812340008", "AGU01")
            .await
            .unwrap_err()
            .code(),
        "deeds_vintage"
    );
    // Still owing.
    assert_eq!(
        deeds(s.juan, "9512345671", "AGU01")
            .await
            .unwrap_err()
            .code(),
        "not_paid_off"
    );
    // An office that does not exist.
    assert_eq!(
        deeds(s.maria, "0012345672", "ZZZ99")
            .await
            .unwrap_err()
            .code(),
        "office_unknown"
    );
    // Juan cannot ask for María's deeds.
    assert_eq!(
        deeds(s.juan, "0012345672", "AGU01")
            .await
            .unwrap_err()
            .code(),
        "credit_not_found"
    );
    // The receipt is issued for the owner only.
    let renderer = Arc::new(documents::Renderer::new("https://vivienda.example").unwrap());
    let now = {
        use app::clock::Clock;
        s.w.clock.now()
    };
    let pdf = receipt_pdf(
        &s.credits,
        &s.requests,
        renderer.clone(),
        s.juan,
        &filed.folio,
        now,
        &caller,
    )
    .await
    .unwrap();
    assert!(pdf.pdf.starts_with(b"%PDF"));
    assert_eq!(
        receipt_pdf(
            &s.credits,
            &s.requests,
            renderer,
            s.maria,
            &filed.folio,
            now,
            &caller
        )
        .await
        .unwrap_err()
        .code(),
        "request_not_found"
    );
}

#[tokio::test]
async fn an_overpayment_is_refunded_to_a_valid_clabe_from_a_paid_off_credit() {
    let s = setup().await;
    let caller = web("10.0.2.2");
    let refund = |member, credit: &'static str, clabe: &'static str| {
        let (credits, requests, refunds, caller) = (
            s.credits.clone(),
            s.requests.clone(),
            s.refunds.clone(),
            caller.clone(),
        );
        async move {
            request_overpayment_refund(
                &credits,
                &requests,
                &refunds,
                member,
                &number(credit),
                clabe,
                Acting::Member(member),
                &caller,
            )
            .await
        }
    };
    // A CLABE whose check digit is wrong is refused with the CLABE's own code.
    let bad = refund(s.juan, "0712345670", "002010077777777772")
        .await
        .unwrap_err();
    assert!(bad.code().contains("clabe"), "{}", bad.code());
    let filed = refund(s.juan, "0712345670", "002010077777777771")
        .await
        .unwrap();
    assert_eq!(filed.kind, RequestKind::OverpaymentRefund);
    assert!(filed.folio.as_str().starts_with("PEX-"));
    let stored =
        s.w.store
            .request_by_folio(s.juan, &filed.folio)
            .await
            .unwrap()
            .unwrap();
    // 151,250.50 paid on 150,000.00 owed: 1,250.50 in his favour.
    assert!(
        stored.answers.contains("\"amount\":\"1250.50\""),
        "{}",
        stored.answers
    );
    assert!(stored.answers.contains("002010077777777771"));
    // Paid off exactly: nothing to refund; still owing: not yet.
    assert_eq!(
        refund(s.juan, "0812340008", "002010077777777771")
            .await
            .unwrap_err()
            .code(),
        "nothing_overpaid"
    );
    assert_eq!(
        refund(s.juan, "9512345671", "002010077777777771")
            .await
            .unwrap_err()
            .code(),
        "not_paid_off"
    );
    // María cannot ask for Juan's.
    assert_eq!(
        refund(s.maria, "0712345670", "002010077777777771")
            .await
            .unwrap_err()
            .code(),
        "credit_not_found"
    );
}
