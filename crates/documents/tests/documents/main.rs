//! The documents crate from outside: every kind rendered with realistic data, read back with
//! poppler's `pdftotext` and, for the QR codes, `pdftoppm` and zbar's `zbarimg`; and a
//! render-time measurement (ignored; run it in release).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bench;
mod cancellation;
mod credit_statement;
mod interest;
mod notice;
mod receipts;
mod statement;
mod verification;

use std::process::Command;
use std::sync::{Arc, OnceLock};

use documents::{Document, Rendered, Renderer, StatementData, Verification, VerificationCode};
use domain::bimester::Bimester;
use domain::ids::generate::{self, NameParts};
use domain::money::Money;
use domain::registry::{
    Bucket, BucketBalance, Member, MemberId, Movement, MovementKind, Person, Sex, StateCode,
};
use time::macros::{date, datetime};
use time::{Date, Duration};

pub const BASE_URL: &str = "https://vivienda.example.mx";

/// One renderer for the whole binary, as the server keeps one.
pub fn renderer() -> Arc<Renderer> {
    static RENDERER: OnceLock<Arc<Renderer>> = OnceLock::new();
    RENDERER
        .get_or_init(|| Arc::new(Renderer::new(BASE_URL).unwrap()))
        .clone()
}

pub fn member(given: &str, first: &str, second: &str) -> Member {
    let name = NameParts {
        first_surname: first,
        second_surname: second,
        given_names: given,
    };
    let birth = date!(1958 - 03 - 14);
    Member {
        member_id: MemberId(42),
        person: Person {
            nss: generate::nss(11, 1976, 1958, 4217),
            curp: generate::curp(&name, birth, Sex::Male, "JC", 0),
            rfc: generate::rfc_person(&name, birth),
            first_surname: first.into(),
            second_surname: second.into(),
            given_names: given.into(),
            birth_date: birth,
            sex: Sex::Male,
            state: StateCode(14),
        },
    }
}

pub const PERIOD_FROM: Date = date!(1980 - 01 - 01);
pub const PERIOD_TO: Date = date!(2026 - 10 - 31);

/// A member of the fund since 1976, seen from 1980: $12,345.67 in the Fondo de Ahorro at the
/// start, then a contribution every bimester in the bucket of its time, yearly yields on the
/// SCV 92 and SCV 97, voluntary savings in Solo Infonavit and a credit that took part of the
/// SCV 97.
pub fn history(member: MemberId) -> (Vec<BucketBalance>, Vec<Movement>) {
    let opening = vec![BucketBalance {
        bucket: Bucket::Fondo7292,
        balance: Money::from_centavos(1_234_567),
    }];
    let mut movements = Vec::new();
    let mut bimester = Bimester::containing(PERIOD_FROM);
    let mut n: i64 = 0;
    while bimester.last_day() + Duration::days(17) <= PERIOD_TO {
        n += 1;
        movements.push(Movement {
            member_id: member,
            bucket: Bucket::for_contribution(bimester),
            kind: MovementKind::Contribution,
            period: bimester.key(),
            source: 1000 + n % 3,
            amount: Money::from_centavos(150_000 + (n * 7_919) % 90_000),
            booked_on: bimester.last_day() + Duration::days(17),
        });
        bimester = bimester.next();
    }
    for year in 1993..=2025 {
        for (bucket, base) in [(Bucket::Scv92, 210_000), (Bucket::Scv97, 480_000)] {
            if bucket == Bucket::Scv97 && year < 1998 {
                continue;
            }
            movements.push(Movement {
                member_id: member,
                bucket,
                kind: MovementKind::Yield,
                period: year,
                source: 0,
                amount: Money::from_centavos(base + i64::from(year) * 113),
                booked_on: Date::from_calendar_date(year + 1, time::Month::January, 31).unwrap(),
            });
        }
    }
    for (i, day) in [
        date!(2015 - 06 - 10),
        date!(2019 - 12 - 02),
        date!(2024 - 04 - 30),
    ]
    .into_iter()
    .enumerate()
    {
        movements.push(Movement {
            member_id: member,
            bucket: Bucket::SoloInfonavit,
            kind: MovementKind::Adjustment,
            period: day.year() * 10_000
                + i32::from(u8::from(day.month())) * 100
                + i32::from(day.day()),
            source: i as i64,
            amount: Money::from_centavos(2_500_000),
            booked_on: day,
        });
    }
    movements.push(Movement {
        member_id: member,
        bucket: Bucket::Scv97,
        kind: MovementKind::AppliedToCredit,
        period: 20_120_315,
        source: 0,
        amount: Money::from_centavos(-8_500_000),
        booked_on: date!(2012 - 03 - 15),
    });
    (opening, movements)
}

pub fn statement(member: Member) -> StatementData {
    let (opening, movements) = history(member.member_id);
    StatementData::new(member, PERIOD_FROM, PERIOD_TO, &opening, &movements).unwrap()
}

pub fn verification(code: &str) -> Verification {
    Verification {
        code: VerificationCode::parse(code).unwrap(),
        issued_at: datetime!(2026-11-25 18:04:05.123 UTC),
    }
}

/// The text of a PDF as `pdftotext -layout` reads it, page breaks included (form feeds).
pub fn pdf_text(pdf: &[u8]) -> String {
    pdftotext(pdf, "-layout")
}

/// The text of a PDF in the order it was written, `pdftotext -raw`: a table cell's lines stay
/// together and cells follow row by row.
pub fn pdf_raw_text(pdf: &[u8]) -> String {
    pdftotext(pdf, "-raw")
}

fn pdftotext(pdf: &[u8], mode: &str) -> String {
    let output = with_pdf_file(pdf, |path| {
        Command::new("pdftotext")
            .args([mode, "-enc", "UTF-8"])
            .arg(path)
            .arg("-")
            .output()
            .unwrap_or_else(|e| {
                panic!("pdftotext could not run ({e}): install poppler-utils (apt-get install poppler-utils)")
            })
    });
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A document read back in the order it was written, whole and by page, with runs of white
/// space made one space so that sentences wrapped over lines still read as written.
pub struct Read {
    pub text: String,
    pub pages: Vec<String>,
    flat: String,
}

impl Read {
    pub fn new(pdf: &[u8]) -> Read {
        let text = pdf_raw_text(pdf);
        let pages = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .map(flat)
            .collect();
        Read {
            flat: flat(&text),
            pages,
            text,
        }
    }

    /// Asserts that `needle` is printed, wherever lines wrap.
    #[track_caller]
    pub fn has(&self, needle: &str) {
        assert!(
            self.flat.contains(&flat(needle)),
            "no {needle:?} in:\n{}",
            self.text
        );
    }

    /// Asserts that `amount` is printed right after `label`, as in a table of figures.
    #[track_caller]
    pub fn has_figure(&self, label: &str, amount: Money) {
        self.has(&format!("{label} {}", amount.pesos()));
    }

    /// Asserts that the member is named as every document names them: full name, NSS, CURP
    /// and RFC.
    #[track_caller]
    pub fn has_member(&self, member: &Member) {
        self.has(&member.person.full_name());
        self.has(member.person.nss.as_str());
        self.has(member.person.curp.as_str());
        self.has(member.person.rfc.as_str());
    }

    #[track_caller]
    pub fn lacks(&self, needle: &str) {
        assert!(
            !self.flat.contains(&flat(needle)),
            "{needle:?} should not be in:\n{}",
            self.text
        );
    }
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders `document` with the code `code` and reads it back, checking what makes any page of
/// it verifiable on its own: the code and "Página i de n" on every page.
pub fn render_and_read<D: Document>(document: &D, code: &str) -> (Rendered, Read) {
    let rendered = renderer().render(document, &verification(code)).unwrap();
    assert!(rendered.pdf.starts_with(b"%PDF-"));
    let read = Read::new(&rendered.pdf);
    assert_eq!(read.pages.len(), rendered.pages);
    let last = rendered.pages;
    for (i, page) in read.pages.iter().enumerate() {
        assert!(page.contains(code), "page {} has no code:\n{page}", i + 1);
        let number = format!("Página {} de {last}", i + 1);
        assert!(page.contains(&number), "page {} has no {number:?}", i + 1);
    }
    read.has("Todos los trámites son gratuitos y personales");
    (rendered, read)
}

/// The QR codes zbar finds on each page of a PDF drawn at 150 dpi.
pub fn qr_codes_by_page(pdf: &[u8]) -> Vec<Vec<String>> {
    with_pdf_file(pdf, |path| {
        let prefix = path.with_extension("");
        let status = Command::new("pdftoppm")
            .args(["-r", "150", "-gray", "-png"])
            .arg(path)
            .arg(&prefix)
            .status()
            .unwrap_or_else(|e| panic!("pdftoppm could not run ({e}): install poppler-utils"));
        assert!(status.success(), "pdftoppm failed");
        let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
        let mut images: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
            })
            .collect();
        // pdftoppm numbers pages with as many digits as the last one needs: 01 … 12.
        images.sort();
        images
            .into_iter()
            .map(|image| {
                let output = Command::new("zbarimg")
                    .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
                    .arg(&image)
                    .output()
                    .unwrap_or_else(|e| {
                        panic!("zbarimg could not run ({e}): install zbar-tools (apt-get install zbar-tools)")
                    });
                std::fs::remove_file(&image).unwrap();
                String::from_utf8(output.stdout)
                    .unwrap()
                    .lines()
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    })
}

/// Runs `f` on `pdf` written to a file of its own, then removes the file, or keeps it in
/// VIVIENDA_KEEP_PDF=DIR to look at.
fn with_pdf_file<T>(pdf: &[u8], f: impl FnOnce(&std::path::Path) -> T) -> T {
    let dir = std::env::temp_dir().join(format!("vivienda-documents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:x}.pdf", rand_name(pdf)));
    std::fs::write(&path, pdf).unwrap();
    let out = f(&path);
    match std::env::var_os("VIVIENDA_KEEP_PDF") {
        Some(keep) => {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::rename(
                &path,
                std::path::Path::new(&keep).join(path.file_name().unwrap()),
            )
            .unwrap();
        }
        None => std::fs::remove_file(&path).unwrap(),
    }
    out
}

/// A file name per document and thread, so tests running at once never share a file.
fn rand_name(pdf: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    pdf.hash(&mut h);
    std::thread::current().id().hash(&mut h);
    h.finish()
}
