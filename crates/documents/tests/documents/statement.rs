use documents::format::money;
use documents::{DocumentError, Renderer, StatementData};
use domain::money::Money;
use domain::registry::{Bucket, BucketBalance, MemberId, Movement, MovementKind};
use sha2::{Digest, Sha256};
use time::macros::date;

use crate::*;

#[test]
fn a_fifty_year_statement_reads_back_with_its_totals_names_and_code() {
    let data = statement(member("JOSÉ MARÍA", "NÚÑEZ", "PEÑA"));
    assert!(data.lines.len() > 300, "{} movements", data.lines.len());
    let rendered = renderer()
        .render(&data, &verification("7KQ2-M9XA-PR4T-0C8D"))
        .unwrap();
    assert!(rendered.pdf.starts_with(b"%PDF-"));
    assert!(rendered.pages >= 5, "{} pages", rendered.pages);

    let text = pdf_text(&rendered.pdf);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), rendered.pages);
    let has = |needle: &str| assert!(text.contains(needle), "no {needle:?} in:\n{text}");

    has("Estado de cuenta de la Subcuenta de Vivienda");
    has("JOSÉ MARÍA NÚÑEZ PEÑA");
    has(data.member.person.nss.as_str());
    has(data.member.person.curp.as_str());
    has("Del 1 de enero de 1980 al 31 de octubre de 2026");
    has("25 de noviembre de 2026, 12:04 h");
    // The opening balance of the Fondo de Ahorro, and every bucket's closing balance.
    has("$12,345.67");
    for bucket in &data.buckets {
        has(&money(bucket.closing));
    }
    let (opening, movements) = history(MemberId(42));
    let expected = opening.iter().map(|b| b.balance).sum::<Money>()
        + movements.iter().map(|m| m.amount).sum::<Money>();
    assert_eq!(data.closing_total(), expected);
    has(&format!("Saldo final del periodo: {}", money(expected)));
    has("-$85,000.00");
    has("Fondo de Ahorro 72-92");
    has("Subcuenta de Vivienda 97");
    has("Solo Infonavit");
    has("Aplicación a crédito");
    has("Todos los trámites son gratuitos y personales");
    has("https://vivienda.example.mx/verificar/7KQ2M9XAPR4T0C8D");

    // The code, the table header and the page number are on every page.
    let last = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("7KQ2-M9XA-PR4T-0C8D"),
            "page {} has no code",
            i + 1
        );
        assert!(
            page.contains(&format!("Página {} de {last}", i + 1)),
            "page {}",
            i + 1
        );
        if i > 0 && i + 1 < last {
            assert!(
                page.contains("Fecha") && page.contains("Saldo"),
                "page {}: header",
                i + 1
            );
        }
    }
    // The movements are laid out a page at a time (28 on the first page, 50 on each after),
    // and every one of them is there once: no page's rows spilled onto a page of their own.
    let rows: Vec<usize> = pages
        .iter()
        .map(|page| page.lines().filter(|l| starts_with_date(l)).count())
        .collect();
    assert_eq!(rows[0], 28, "{rows:?}");
    assert!(rows[1..last - 1].iter().all(|&n| n == 50), "{rows:?}");
    assert_eq!(rows.iter().sum::<usize>(), data.lines.len(), "{rows:?}");
    // A contribution line: date, bimester, concept, bucket.
    has("2026-4");
    has("Aportación patronal");
}

/// Whether a line of `pdftotext -layout` starts with a date written dd/mm/yyyy.
fn starts_with_date(line: &str) -> bool {
    let b = line.trim_start().as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b'/'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[test]
fn the_same_document_renders_to_the_same_bytes_and_its_hash() {
    let data = statement(member("ANA", "GARCÍA", "LÓPEZ"));
    let one = renderer()
        .render(&data, &verification("0000-1111-2222-3333"))
        .unwrap();
    let two = renderer()
        .render(&data, &verification("0000-1111-2222-3333"))
        .unwrap();
    assert_eq!(one.sha256, <[u8; 32]>::from(Sha256::digest(&one.pdf)));
    assert_eq!(one, two, "rendering is deterministic");
    let other = renderer()
        .render(&data, &verification("0000-1111-2222-3334"))
        .unwrap();
    assert_ne!(one.sha256, other.sha256, "the code is part of the document");
}

#[test]
fn data_is_printed_as_text_never_read_as_markup() {
    let hostile = "ANA #set page(width: 1cm) *X* $y$ <z> @w";
    let mut m = member("ANA", "RUIZ", "SOTO");
    m.person.given_names = hostile.into();
    m.person.first_surname = "\\\"] #panic(\"no\")".into();
    let data =
        StatementData::new(m, date!(2026 - 01 - 01), date!(2026 - 10 - 31), &[], &[]).unwrap();
    let rendered = renderer()
        .render(&data, &verification("ABCD-EFGH-JKMN-PQRS"))
        .unwrap();
    let text = pdf_text(&rendered.pdf);
    assert!(text.contains(hostile), "{text}");
    // The surname may wrap onto the next line; its pieces are there as typed.
    assert!(text.contains("\\\"]"), "{text}");
    assert!(text.contains("#panic(\"no\")"), "{text}");
    assert!(
        text.contains("No hubo movimientos en el periodo."),
        "{text}"
    );
    assert_eq!(rendered.pages, 1);
}

#[test]
fn statement_figures_follow_the_ledger() {
    let m = member("LUIS", "PÉREZ", "SÁNCHEZ");
    let id = m.member_id;
    let movement = |bucket, kind, amount, day| Movement {
        member_id: id,
        bucket,
        kind,
        period: 20_261,
        source: 0,
        amount: Money::from_centavos(amount),
        booked_on: day,
    };
    let opening = [
        BucketBalance {
            bucket: Bucket::Scv97,
            balance: Money::from_centavos(100_000),
        },
        BucketBalance {
            bucket: Bucket::Scv92,
            balance: Money::from_centavos(5_000),
        },
    ];
    let movements = [
        // Out of order on purpose: the statement lists by date.
        movement(
            Bucket::Scv97,
            MovementKind::Withdrawal,
            -30_000,
            date!(2026 - 05 - 02),
        ),
        movement(
            Bucket::Scv97,
            MovementKind::Contribution,
            20_000,
            date!(2026 - 03 - 17),
        ),
        movement(
            Bucket::Scv92,
            MovementKind::Yield,
            700,
            date!(2026 - 01 - 31),
        ),
    ];
    let from = date!(2026 - 01 - 01);
    let to = date!(2026 - 06 - 30);
    let data = StatementData::new(m.clone(), from, to, &opening, &movements).unwrap();
    let scv97 = data
        .buckets
        .iter()
        .find(|b| b.bucket == Bucket::Scv97)
        .unwrap();
    assert_eq!(
        (scv97.opening, scv97.credits, scv97.debits, scv97.closing),
        (
            Money::from_centavos(100_000),
            Money::from_centavos(20_000),
            Money::from_centavos(-30_000),
            Money::from_centavos(90_000)
        )
    );
    assert_eq!(data.buckets.len(), 4, "every bucket, even empty ones");
    let balances: Vec<i64> = data.lines.iter().map(|l| l.balance.centavos()).collect();
    assert_eq!(balances, [105_700, 125_700, 95_700]);
    assert_eq!(data.lines[0].yield_year, Some(20_261));
    assert_eq!(
        data.lines[1].bimester.map(|b| b.to_string()),
        Some("2026-1".into())
    );
    assert_eq!(data.closing_total(), Money::from_centavos(95_700));

    let late = [movement(
        Bucket::Scv97,
        MovementKind::Contribution,
        1,
        date!(2026 - 07 - 01),
    )];
    let refused = StatementData::new(m.clone(), from, to, &opening, &late);
    assert!(
        matches!(refused, Err(DocumentError::Input(ref c)) if c == "statement_movement_outside_period")
    );
    let mut theirs = movements[0].clone();
    theirs.member_id = MemberId(7);
    let refused = StatementData::new(m.clone(), from, to, &opening, &[theirs]);
    assert!(matches!(refused, Err(DocumentError::Input(ref c)) if c == "statement_other_member"));
    assert!(StatementData::new(m, to, from, &opening, &[]).is_err());
}

#[test]
fn the_renderer_is_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Renderer>();
    let renderer = renderer();
    let handles: Vec<_> = ["AAAA-AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB-BBBB"]
        .into_iter()
        .map(|code| {
            let renderer = renderer.clone();
            std::thread::spawn(move || {
                let data = statement(member("MARTA", "DÍAZ", "GÓMEZ"));
                let rendered = renderer.render(&data, &verification(code)).unwrap();
                assert!(pdf_text(&rendered.pdf).contains(code));
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}
