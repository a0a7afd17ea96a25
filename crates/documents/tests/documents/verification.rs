//! Every page of every kind of document can be verified on its own: it carries the code in
//! text and a QR code that leads to the verification page.

use documents::{Document, NoticeDiscount, NoticeKind, NoticeReason};
use domain::money::Money;
use rust_decimal::Decimal;

use crate::*;

/// Renders `document` and checks each page's text and QR codes.
fn every_page_verifiable(document: &impl Document, code: &str) -> usize {
    let (rendered, read) = render_and_read(document, code);
    let url = renderer().verification_url(&VerificationCode::parse(code).unwrap());
    let codes = qr_codes_by_page(&rendered.pdf);
    assert_eq!(codes.len(), rendered.pages);
    for (i, found) in codes.iter().enumerate() {
        assert!(
            found.contains(&url),
            "{:?} page {}: QR codes {found:?}",
            document.kind(),
            i + 1
        );
    }
    read.has(&url);
    rendered.pages
}

#[test]
fn every_page_of_every_kind_carries_the_code_and_a_qr_leading_to_it() {
    let statement = statement(member("JOSÉ MARÍA", "NÚÑEZ", "PEÑA"));
    assert!(every_page_verifiable(&statement, "7KQ2-M9XA-PR4T-0C8D") >= 5);
    let lines = crate::credit_statement::credit_lines(Money::from_centavos(43_000_000));
    // Two years list every movement over several pages; thirty are summarised by year.
    let two_years = crate::credit_statement::credit_statement(
        &lines,
        time::macros::date!(2024 - 11 - 01),
        PERIOD_TO,
    );
    assert!(every_page_verifiable(&two_years, "CRED-7KQ2-M9XA-PR4T") >= 2);
    let credit = crate::credit_statement::credit_statement(&lines, PERIOD_FROM, PERIOD_TO);
    every_page_verifiable(&credit, "CRED-7KQ2-M9XA-PR4T");
    let notice = crate::notice::notice(
        NoticeKind::Retention,
        NoticeDiscount::Percentage(Decimal::new(20, 2)),
        NoticeReason::NewCredit,
    );
    every_page_verifiable(&notice, "AV1S-7KQ2-M9XA-PR4T");
    every_page_verifiable(&crate::interest::certificate(), "1NTR-7KQ2-M9XA-PR4T");
    let letter = crate::cancellation::letter(crate::cancellation::public_deed());
    every_page_verifiable(&letter, "CANC-7KQ2-M9XA-PR4T");
    every_page_verifiable(&crate::receipts::request_receipt(), "ACSE-7KQ2-M9XA-PR4T");
    every_page_verifiable(
        &crate::receipts::appointment_receipt(),
        "C1TA-7KQ2-M9XA-PR4T",
    );
}
