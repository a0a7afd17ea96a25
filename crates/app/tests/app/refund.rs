//! The pensioner refund through the real use cases and a real SQLite store, signed with
//! certificates made here by a SAT-like authority: who may file and for how much under each
//! law, the CLABE and its cooling-off, every way an e.firma is refused, operators deciding, and
//! the withdrawal posted exactly once.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use app::accounts::{Caller, SessionContext};
use app::refund::{BankForm, EfirmaFiles, PensionerRefunds, RefundError};
use app::requests::{Acting, RequestError, Requests};
use domain::audit::Channel;
use domain::ids::Nss;
use domain::money::Money;
use domain::refund::{LawRegime, Payer, RefundOption, Refusal};
use domain::registry::{Bucket, MemberId, MovementKind};
use domain::requests::{Holidays, ReasonCode, RequestState, ServiceStandards};
use efirma::TrustedIssuers;
use efirma::testing::{Authority, Holder, TestKey};
use store::{AuditRepo, ImportKind, MovementFilter, OutboxRepo, RegistryRepo, RequestRepo};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::accounts::{World, web, world};
use crate::messages;

const ANTONIO_NSS: &str = "12016543212";
const ANTONIO_RFC: &str = "MASA600115QP2";
const ANTONIO_CURP: &str = "MASA600115HJCRNN08";
const MARIA_NSS: &str = "01908567892";
const PASSWORD: &str = "una casa con jardín y dos árboles";
const EFIRMA_PASSWORD: &str = "Mi clave de e.firma 2025";
const OPERATOR: i64 = 7;
const CLABE: &str = "002010077777777771";

/// Antonio began in 1990 (Ley 73): 842.37 in the Fondo de Ahorro 72-92, 1,590.08 in SCV 92
/// and 21,277.55 in SCV 97, 23,710.00 in all. María began in 2008 (Ley 97): 4,100.50 in SCV 97.
const CONTRIBUTIONS: &str = "nss,nrp,bimester,amount,booked_on
12016543212,Y0000000009,1991-3,842.37,1991-07-17
12016543212,Y0000000009,1995-2,1590.08,1995-05-17
12016543212,Y0000000009,2010-4,21277.55,2010-09-17
01908567892,Y0000000001,2012-1,4100.50,2012-03-19
";

/// The documented employers and Antonio's, who employed him from 1990 to 2020.
const EMPLOYERS: &str = "nrp,name,state,sector
Y0000000001,CONSTRUCTORA DEL NORTE SA DE CV,19,construccion
Y0000000002,ALIMENTOS DEL BAJÍO SA DE CV,11,manufactura
Y0000000009,TEXTILES DE JALISCO SA DE CV,14,manufactura
";

/// The keys the tests sign with, made once for the whole test binary.
struct Pki {
    sat: Authority,
    antonio: TestKey,
    stranger: TestKey,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut keys = TestKey::generate_many(3);
        let stranger = keys.pop().unwrap();
        let antonio = keys.pop().unwrap();
        let sat_key = keys.pop().unwrap();
        Pki {
            sat: Authority::sat(&sat_key),
            antonio,
            stranger,
        }
    })
}

fn holder(rfc: &str, from: OffsetDateTime, to: OffsetDateTime) -> Holder {
    Holder::new("ANTONIO MARTINEZ SANCHEZ", rfc, ANTONIO_CURP, from, to)
}

/// Antonio's e.firma, valid from 2025 to 2029.
fn antonio_cer() -> Vec<u8> {
    holder(
        ANTONIO_RFC,
        datetime!(2025-01-10 17:00 UTC),
        datetime!(2029-01-10 17:00 UTC),
    )
    .issue(&pki().antonio, &pki().sat)
}

fn antonio_key() -> Vec<u8> {
    pki().antonio.sat_key(EFIRMA_PASSWORD)
}

struct Refunds {
    w: World,
    refunds: PensionerRefunds,
    antonio: MemberId,
    session: SessionContext,
}

async fn import(w: &World, kind: ImportKind, name: &str, text: Option<&str>) {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-refund-{}-{}",
        std::process::id(),
        rand_tag()
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

fn rand_tag() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

async fn member(w: &World, nss: &str) -> MemberId {
    w.store
        .member_by_nss(&Nss::parse(nss).unwrap())
        .await
        .unwrap()
        .unwrap()
        .member_id
}

async fn last_code(w: &World) -> String {
    let message = w.store.recent_messages(1).await.unwrap().remove(0);
    let at = message.body.find("código es ").unwrap() + "código es ".len();
    message.body[at..at + 6].to_owned()
}

/// An active account for the member, and a session of it.
async fn account(w: &World, nss: &str, curp: &str, rfc: &str, tag: &str) -> SessionContext {
    let caller = web("10.0.7.1");
    let form = app::accounts::SignUpForm {
        nss: nss.into(),
        curp: curp.into(),
        rfc: rfc.into(),
        email: format!("{tag}@example.mx"),
        mobile: format!("55{:08}", rand_tag() + 10_000_000),
        password: PASSWORD.into(),
        accept_terms: true,
    };
    let started = w.accounts.sign_up(&form, &caller).await.unwrap();
    let code = last_code(w).await;
    w.accounts
        .activate(started.member_id, &started.attempt, &code, &caller)
        .await
        .unwrap();
    let signed = w.accounts.sign_in(nss, PASSWORD, &caller).await.unwrap();
    w.accounts
        .session(&signed.token, &caller)
        .await
        .unwrap()
        .unwrap()
}

fn service(w: &World, issuers: Option<TrustedIssuers>) -> PensionerRefunds {
    let messages = Arc::new(messages());
    let requests = Requests::new(
        w.store.clone(),
        w.clock.clone(),
        Arc::new(ServiceStandards::embedded().unwrap()),
        Holidays::federal(),
        messages.clone(),
    );
    PensionerRefunds::new(
        w.store.clone(),
        w.accounts.clone(),
        requests,
        Arc::new(domain::reference::ReferenceTables::embedded().unwrap()),
        issuers.map(Arc::new),
        messages,
    )
}

/// The documented members, employers and relations, the contributions above, the example
/// pension resolutions (Antonio's from February 2021), and Antonio signed up.
async fn setup() -> Refunds {
    let w = world().await;
    import(&w, ImportKind::Employers, "employers.csv", Some(EMPLOYERS)).await;
    import(&w, ImportKind::Relations, "relations.csv", None).await;
    import(
        &w,
        ImportKind::Contributions,
        "refund.csv",
        Some(CONTRIBUTIONS),
    )
    .await;
    import(&w, ImportKind::Pensions, "pensions.csv", None).await;
    let session = account(&w, ANTONIO_NSS, ANTONIO_CURP, ANTONIO_RFC, "antonio").await;
    let refunds = service(&w, Some(pki().sat.trusted()));
    let antonio = member(&w, ANTONIO_NSS).await;
    Refunds {
        w,
        refunds,
        antonio,
        session,
    }
}

fn now(w: &World) -> OffsetDateTime {
    app::clock::Clock::now(w.clock.as_ref())
}

fn caller() -> Caller {
    web("10.0.7.2")
}

fn back_office() -> Caller {
    Caller {
        channel: Channel::Web,
        origin: "10.9.0.1".into(),
        device: "back office".into(),
    }
}

impl Refunds {
    async fn save_clabe(&self, clabe: &str, password: Option<&str>) -> Result<(), RefundError> {
        self.refunds
            .save_bank_account(
                self.antonio,
                &BankForm {
                    clabe,
                    holder_declared: true,
                    current_password: password,
                },
                Acting::Member(self.antonio),
                Some(&self.session),
                &caller(),
            )
            .await
            .map(|_| ())
    }

    async fn sign(
        &self,
        option: Option<RefundOption>,
        cer: &[u8],
        key: &[u8],
        password: &str,
    ) -> Result<app::requests::Filed, RefundError> {
        self.refunds
            .submit(
                self.antonio,
                option,
                &EfirmaFiles { cer, key, password },
                Acting::Member(self.antonio),
                &caller(),
            )
            .await
    }

    async fn balance(&self) -> Money {
        self.w
            .store
            .balances(self.antonio)
            .await
            .unwrap()
            .iter()
            .map(|b| b.balance)
            .sum()
    }

    async fn withdrawals(&self) -> Vec<domain::registry::Movement> {
        self.w
            .store
            .movements(
                self.antonio,
                &MovementFilter {
                    kinds: vec![MovementKind::Withdrawal],
                    ..Default::default()
                },
            )
            .await
            .unwrap()
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, RefundError>) -> &'static str {
    match result {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => e.code(),
    }
}

#[tokio::test]
async fn a_ley_73_pensioner_files_signed_the_operator_approves_and_the_deposit_posts_once() {
    let r = setup().await;
    let check = r.refunds.check(r.antonio, None).await.unwrap();
    assert!(
        check.eligibility.eligible(),
        "{:?}",
        check.eligibility.refusals
    );
    assert_eq!(check.eligibility.regime, LawRegime::Ley73);
    // Option B by default: the fund pays all 23,710.00.
    assert_eq!(
        check.eligibility.amounts.from_infonavit,
        Money::from_centavos(2_371_000)
    );
    let option_a = r
        .refunds
        .check(r.antonio, Some(RefundOption::AforePaysScv))
        .await
        .unwrap();
    assert_eq!(
        option_a.eligibility.amounts.from_infonavit,
        Money::from_centavos(84_237)
    );
    assert_eq!(
        option_a.eligibility.amounts.through_afore,
        Money::from_centavos(2_286_763)
    );

    assert_eq!(
        code(
            r.sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
                .await
        ),
        "refund_no_bank_account"
    );
    r.save_clabe(CLABE, None).await.unwrap();
    let check = r.refunds.check(r.antonio, None).await.unwrap();
    let bank = check.bank_account.unwrap();
    assert_eq!(bank.bank_name, "Banamex");
    assert_eq!(bank.ending(), "7771");
    assert!(
        check.eligibility.eligible(),
        "the first CLABE is not a change"
    );

    let filed = r
        .sign(
            Some(RefundOption::AforePaysScv),
            &antonio_cer(),
            &antonio_key(),
            EFIRMA_PASSWORD,
        )
        .await
        .unwrap();
    assert_eq!(filed.folio.as_str().get(..8), Some("DEV-2026"));
    // Filed Wednesday 25 November 2026: ten business days.
    assert_eq!(filed.promised_on, time::macros::date!(2026 - 12 - 09));
    let view = r
        .refunds
        .view(r.antonio, &filed.folio, &caller())
        .await
        .unwrap();
    assert!(view.signature_valid);
    assert_eq!(view.answers.clabe.as_str(), CLABE);
    assert_eq!(
        view.answers.amounts.option,
        Some(RefundOption::AforePaysScv)
    );
    assert_eq!(
        view.answers.efirma.serial,
        hex::encode(b"30001000000500012345")
    );
    assert_eq!(
        hex::decode(&view.answers.efirma.certificate).unwrap(),
        antonio_cer(),
        "the certificate is kept as uploaded"
    );
    // A second refund while this one is open is refused.
    assert_eq!(
        code(
            r.sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
                .await
        ),
        "refund_not_eligible"
    );

    // The member cannot decide their own request; the system cannot approve it.
    let member = Acting::Member(r.antonio);
    assert_eq!(
        code(
            r.refunds
                .start_review(&filed.folio, member, &caller())
                .await
        ),
        "request_not_permitted"
    );
    let operator = Acting::Operator(OPERATOR);
    r.refunds
        .start_review(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    assert_eq!(
        code(
            r.refunds
                .approve(&filed.folio, Acting::System, &back_office())
                .await
        ),
        "request_not_permitted"
    );
    let approved = r
        .refunds
        .approve(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    assert_eq!(approved.state, RequestState::Approved);
    assert_eq!(
        r.balance().await,
        Money::from_centavos(2_371_000),
        "nothing moves on approval"
    );

    // The deposit is made: option A, so only the Fondo de Ahorro leaves the ledger here.
    let done = r
        .refunds
        .complete(&filed.folio, Acting::System, &back_office())
        .await
        .unwrap();
    assert_eq!(done.state, RequestState::Done);
    let withdrawals = r.withdrawals().await;
    assert_eq!(withdrawals.len(), 1);
    assert_eq!(withdrawals[0].bucket, Bucket::Fondo7292);
    assert_eq!(withdrawals[0].amount, Money::from_centavos(-84_237));
    assert_eq!(r.balance().await, Money::from_centavos(2_286_763));

    // Completing again, by the system or an operator, posts nothing twice.
    for acting in [Acting::System, operator] {
        assert_eq!(
            code(
                r.refunds
                    .complete(&filed.folio, acting, &back_office())
                    .await
            ),
            "request_closed"
        );
    }
    assert_eq!(r.withdrawals().await.len(), 1);
    assert_eq!(r.balance().await, Money::from_centavos(2_286_763));
    assert!(
        r.w.store
            .check_ledger()
            .await
            .unwrap()
            .mismatches
            .is_empty()
    );
    let timeline: Vec<String> = r
        .refunds
        .view(r.antonio, &filed.folio, &caller())
        .await
        .unwrap()
        .status
        .timeline
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        timeline,
        ["submitted", "review_started", "approved", "completed"]
    );
    // The member was told of the filing, the decision and the deposit by SMS.
    let sms: Vec<String> =
        r.w.store
            .recent_messages(30)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.channel == store::OutboxChannel::Sms)
            .map(|m| m.body)
            .collect();
    assert!(
        sms.iter()
            .any(|b| b.contains(filed.folio.as_str()) && b.contains("aprobada")),
        "{sms:?}"
    );
    // The receipt is a verifiable PDF.
    let renderer = Arc::new(documents::Renderer::new("https://vivienda.example").unwrap());
    let pdf = r
        .refunds
        .receipt_pdf(renderer, r.antonio, &filed.folio, now(&r.w), &caller())
        .await
        .unwrap();
    assert!(pdf.pdf.starts_with(b"%PDF"));
}

#[tokio::test]
async fn option_b_withdraws_every_bucket_and_a_retried_completion_posts_nothing() {
    let r = setup().await;
    r.save_clabe(CLABE, None).await.unwrap();
    let filed = r
        .sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
        .await
        .unwrap();
    let operator = Acting::Operator(OPERATOR);
    r.refunds
        .start_review(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    r.refunds
        .approve(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    // Two completions at once (a retried call racing the first): exactly one goes through.
    let office = back_office();
    let (a, b) = tokio::join!(
        r.refunds.complete(&filed.folio, operator, &office),
        r.refunds.complete(&filed.folio, Acting::System, &office),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let mut buckets: Vec<(Bucket, Money)> = r
        .withdrawals()
        .await
        .into_iter()
        .map(|m| (m.bucket, m.amount))
        .collect();
    buckets.sort();
    assert_eq!(
        buckets,
        [
            (Bucket::Fondo7292, Money::from_centavos(-84_237)),
            (Bucket::Scv92, Money::from_centavos(-159_008)),
            (Bucket::Scv97, Money::from_centavos(-2_127_755)),
        ]
    );
    assert_eq!(r.balance().await, Money::ZERO);
    // Afterwards nothing is left to refund.
    let check = r.refunds.check(r.antonio, None).await.unwrap();
    let codes: Vec<_> = check
        .eligibility
        .refusals
        .iter()
        .map(Refusal::code)
        .collect();
    assert_eq!(codes, ["refund_no_balance"]);
}

#[tokio::test]
async fn ley_97_refunds_only_what_is_not_the_afores_and_refuses_when_nothing_is() {
    let r = setup().await;
    // María began in 2008 and has only SCV 97: with a pension denial on record she may ask,
    // but everything she has funds her pension through the Afore.
    let maria = member(&r.w, MARIA_NSS).await;
    import(
        &r.w,
        ImportKind::Pensions,
        "maria.csv",
        Some("nss,outcome,kind,resolved_on\n01908567892,denied,disability,2024-03-01\n"),
    )
    .await;
    let check = r.refunds.check(maria, None).await.unwrap();
    assert_eq!(check.eligibility.regime, LawRegime::Ley97);
    assert_eq!(check.eligibility.amounts.option, None);
    let scv97 = check.eligibility.amounts.lines[2];
    assert_eq!(
        (scv97.bucket, scv97.amount, scv97.payer),
        (
            Bucket::Scv97,
            Money::from_centavos(410_050),
            Payer::AforePension
        )
    );
    assert_eq!(check.eligibility.amounts.from_infonavit, Money::ZERO);
    assert_eq!(
        check.eligibility.refusals,
        [Refusal::PaidByAfore],
        "Ley 97: SCV 97 is not the fund's to pay"
    );
}

#[tokio::test]
async fn members_without_a_qualifying_pension_or_with_a_credit_or_a_hold_are_refused_with_the_reason()
 {
    let r = setup().await;
    let codes = |check: app::refund::RefundCheck| {
        check
            .eligibility
            .refusals
            .iter()
            .map(Refusal::code)
            .collect::<Vec<_>>()
    };
    // Juan: no resolution at all, and an active credit.
    import(&r.w, ImportKind::Credits, "credits.csv", None).await;
    let juan = member(&r.w, "38957812340").await;
    assert_eq!(
        codes(r.refunds.check(juan, None).await.unwrap()),
        [
            "refund_no_pension",
            "refund_active_credit",
            "refund_no_balance"
        ]
    );
    // Julia: a pension resolved in November 2011, before the reform.
    let julia = member(&r.w, "14997511119").await;
    let check = r.refunds.check(julia, None).await.unwrap();
    assert_eq!(
        check.eligibility.refusals[0],
        Refusal::PensionBeforeReform {
            resolved_on: time::macros::date!(2011 - 11 - 30)
        }
    );
    // Antonio with a court order on his subaccount.
    import(
        &r.w,
        ImportKind::Holds,
        "antonio-hold.csv",
        Some("nss,kind,placed_on,lifted_on\n12016543212,court_order,2026-10-01,\n"),
    )
    .await;
    assert_eq!(
        codes(r.refunds.check(r.antonio, None).await.unwrap()),
        ["refund_hold"]
    );
    r.save_clabe(CLABE, None).await.unwrap();
    match r
        .sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
        .await
    {
        Err(RefundError::NotEligible(refusals)) => assert_eq!(
            refusals,
            [Refusal::Hold {
                kind: domain::refund::HoldKind::CourtOrder
            }]
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Lifted: he may file.
    import(
        &r.w,
        ImportKind::Holds,
        "antonio-lifted.csv",
        Some("nss,kind,placed_on,lifted_on\n12016543212,court_order,2026-10-01,2026-11-20\n"),
    )
    .await;
    assert!(codes(r.refunds.check(r.antonio, None).await.unwrap()).is_empty());
}

#[tokio::test]
async fn each_bad_efirma_is_refused_with_its_code_and_audited_without_secrets() {
    let r = setup().await;
    r.save_clabe(CLABE, None).await.unwrap();
    let key = antonio_key();
    let expired = holder(
        ANTONIO_RFC,
        datetime!(2021-01-10 17:00 UTC),
        datetime!(2025-01-10 17:00 UTC),
    )
    .issue(&pki().antonio, &pki().sat);
    let not_yet = holder(
        ANTONIO_RFC,
        datetime!(2027-01-10 17:00 UTC),
        datetime!(2031-01-10 17:00 UTC),
    )
    .issue(&pki().antonio, &pki().sat);
    let someone_else = holder(
        "GODE561231GR8",
        datetime!(2025-01-10 17:00 UTC),
        datetime!(2029-01-10 17:00 UTC),
    )
    .issue(&pki().antonio, &pki().sat);
    let stranger_key = pki().stranger.sat_key(EFIRMA_PASSWORD);
    // A certificate exactly like SAT's, from an authority the portal does not trust.
    let forger = Authority::sat(&pki().stranger);
    let forged = holder(
        ANTONIO_RFC,
        datetime!(2025-01-10 17:00 UTC),
        datetime!(2029-01-10 17:00 UTC),
    )
    .issue(&pki().antonio, &forger);
    let cases: [(&[u8], &[u8], &str, &str); 8] = [
        (&expired, &key, EFIRMA_PASSWORD, "certificate_expired"),
        (&not_yet, &key, EFIRMA_PASSWORD, "certificate_not_yet_valid"),
        (
            &someone_else,
            &key,
            EFIRMA_PASSWORD,
            "certificate_rfc_mismatch",
        ),
        (
            &forged,
            &key,
            EFIRMA_PASSWORD,
            "certificate_untrusted_issuer",
        ),
        (&antonio_cer(), &key, "otra clave", "key_password_wrong"),
        (
            &antonio_cer(),
            &stranger_key,
            EFIRMA_PASSWORD,
            "key_does_not_match_certificate",
        ),
        (
            b"not a certificate",
            &key,
            EFIRMA_PASSWORD,
            "certificate_unreadable",
        ),
        (&antonio_cer(), &key, "", "efirma_files_missing"),
    ];
    for (cer, key, password, expected) in cases {
        assert_eq!(code(r.sign(None, cer, key, password).await), expected);
    }
    assert!(
        r.w.store
            .requests_of_member(r.antonio)
            .await
            .unwrap()
            .is_empty(),
        "nothing filed"
    );
    let refused: Vec<_> =
        r.w.store
            .recent_audit(r.antonio, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.entry)
            .filter(|e| e.action == "refund_efirma_refused")
            .collect();
    assert_eq!(refused.len(), 7, "every refused e.firma is audited");
    assert!(
        refused
            .iter()
            .any(|e| e.details.contains("key_password_wrong"))
    );
    assert!(refused.iter().all(|e| !e.details.contains("otra clave")));
    // Without configured SAT authorities nothing can be signed.
    let unconfigured = service(&r.w, None);
    let result = unconfigured
        .submit(
            r.antonio,
            None,
            &EfirmaFiles {
                cer: &antonio_cer(),
                key: &antonio_key(),
                password: EFIRMA_PASSWORD,
            },
            Acting::Member(r.antonio),
            &caller(),
        )
        .await;
    assert_eq!(code(result), "efirma_not_configured");
}

#[tokio::test]
async fn a_tampered_signature_or_clabe_stops_the_approval_and_the_deposit() {
    let r = setup().await;
    r.save_clabe(CLABE, None).await.unwrap();
    let filed = r
        .sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
        .await
        .unwrap();
    let operator = Acting::Operator(OPERATOR);
    r.refunds
        .start_review(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    let path = r.w.store.path().to_owned();
    let conn = rusqlite_free_update(&path);
    let answers: String = conn(
        "SELECT answers FROM requests WHERE folio = ?1",
        filed.folio.as_str(),
    );
    let mut json: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let original = json.clone();

    // One bit of the signature flipped.
    let mut signature = hex::decode(json["efirma"]["signature"].as_str().unwrap()).unwrap();
    signature[10] ^= 1;
    json["efirma"]["signature"] = hex::encode(signature).into();
    set_answers(&path, filed.folio.as_str(), &json.to_string());
    assert_eq!(
        code(
            r.refunds
                .approve(&filed.folio, operator, &back_office())
                .await
        ),
        "signature_invalid"
    );
    let view = r
        .refunds
        .view_for_operator(&filed.folio, OPERATOR)
        .await
        .unwrap();
    assert!(!view.signature_valid);

    // An insider's CLABE in place of the signed one.
    let mut json = original.clone();
    json["clabe"] = "014027000005555558".into();
    set_answers(&path, filed.folio.as_str(), &json.to_string());
    assert_eq!(
        code(
            r.refunds
                .approve(&filed.folio, operator, &back_office())
                .await
        ),
        "signature_invalid"
    );

    // Restored, it is approved; tampered again before the deposit, nothing is posted.
    set_answers(&path, filed.folio.as_str(), &original.to_string());
    r.refunds
        .approve(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    let mut json = original.clone();
    json["amounts"]["lines"][2]["amount"] = "99999.99".into();
    set_answers(&path, filed.folio.as_str(), &json.to_string());
    assert_eq!(
        code(
            r.refunds
                .complete(&filed.folio, Acting::System, &back_office())
                .await
        ),
        "signature_invalid"
    );
    assert!(r.withdrawals().await.is_empty());
}

/// Reads one text value with a throwaway connection (the store's writer is not reachable from
/// a test, and it is exactly what an insider with the file would use).
fn rusqlite_free_update(path: &Path) -> impl Fn(&str, &str) -> String + '_ {
    move |sql, arg| {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.query_row(sql, [arg], |row| row.get(0)).unwrap()
    }
}

fn set_answers(path: &Path, folio: &str, answers: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "UPDATE requests SET answers = ?1 WHERE folio = ?2",
        [answers, folio],
    )
    .unwrap();
}

#[tokio::test]
async fn the_cooling_off_after_a_clabe_or_contact_change_holds_the_filing_for_72_hours() {
    let r = setup().await;
    r.save_clabe(CLABE, None).await.unwrap();
    // Another CLABE: the password is asked for, and the change starts the cooling-off.
    let other = "014027000005555558";
    assert_eq!(
        code(r.save_clabe(other, None).await),
        "current_password_required"
    );
    assert_eq!(
        code(r.save_clabe(other, Some("no es mi contraseña")).await),
        "current_password_wrong"
    );
    r.save_clabe(other, Some(PASSWORD)).await.unwrap();
    let sms = r.w.store.recent_messages(1).await.unwrap().remove(0);
    assert!(sms.body.contains("5558"), "{}", sms.body);
    let check = r.refunds.check(r.antonio, None).await.unwrap();
    assert_eq!(check.bank_account.unwrap().bank_name, "Santander");
    let until = now(&r.w) + Duration::hours(72);
    assert_eq!(
        check.eligibility.refusals,
        [Refusal::CoolingOff {
            until: store::stored_instant(now(&r.w)) + Duration::hours(72)
        }]
    );
    assert_eq!(
        code(
            r.sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
                .await
        ),
        "refund_not_eligible"
    );
    r.w.clock.advance(Duration::hours(71));
    assert!(
        !r.refunds
            .check(r.antonio, None)
            .await
            .unwrap()
            .eligibility
            .eligible()
    );
    r.w.clock.advance(Duration::hours(1));
    assert!(now(&r.w) >= until);
    assert!(
        r.refunds
            .check(r.antonio, None)
            .await
            .unwrap()
            .eligibility
            .eligible()
    );

    // A new e-mail holds it again.
    let attempt =
        r.w.accounts
            .start_email_change(&r.session, PASSWORD, "antonio.nuevo@example.mx", &caller())
            .await
            .unwrap();
    let code_sent = last_code(&r.w).await;
    r.w.accounts
        .finish_email_change(&r.session, &attempt, &code_sent, &caller())
        .await
        .unwrap();
    let refusals = r
        .refunds
        .check(r.antonio, None)
        .await
        .unwrap()
        .eligibility
        .refusals;
    assert!(
        matches!(refusals.as_slice(), [Refusal::CoolingOff { .. }]),
        "{refusals:?}"
    );
    r.w.clock.advance(Duration::hours(72));
    let filed = r
        .sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
        .await
        .unwrap();
    let view = r
        .refunds
        .view(r.antonio, &filed.folio, &caller())
        .await
        .unwrap();
    assert_eq!(
        view.answers.clabe.as_str(),
        other,
        "the CLABE on file is signed"
    );
}

#[tokio::test]
async fn the_clabe_must_be_valid_of_a_known_bank_and_declared_the_members() {
    let r = setup().await;
    let save = |clabe: &'static str, declared: bool| {
        let r = &r;
        async move {
            r.refunds
                .save_bank_account(
                    r.antonio,
                    &BankForm {
                        clabe,
                        holder_declared: declared,
                        current_password: None,
                    },
                    Acting::Member(r.antonio),
                    Some(&r.session),
                    &caller(),
                )
                .await
        }
    };
    assert_eq!(
        code(save("002010077777777779", true).await),
        "clabe_check_digit"
    );
    assert_eq!(code(save("00201007777777777", true).await), "clabe_length");
    assert_eq!(
        code(save("000000000000000000", true).await),
        "clabe_bank_unknown"
    );
    assert_eq!(code(save(CLABE, false).await), "refund_holder_not_declared");
    assert_eq!(
        r.refunds.check(r.antonio, None).await.unwrap().bank_account,
        None
    );
    let saved = save(CLABE, true).await.unwrap();
    assert_eq!(saved.bank_name, "Banamex");
    // The e-mail on file is told an account was registered.
    let mail = r.w.store.recent_messages(1).await.unwrap().remove(0);
    assert!(mail.body.contains("terminación 7771"), "{}", mail.body);
    // Another member cannot set Antonio's account.
    let maria = member(&r.w, MARIA_NSS).await;
    let result = r
        .refunds
        .save_bank_account(
            r.antonio,
            &BankForm {
                clabe: CLABE,
                holder_declared: true,
                current_password: None,
            },
            Acting::Member(maria),
            None,
            &caller(),
        )
        .await;
    assert_eq!(code(result), "request_not_permitted");
}

#[tokio::test]
async fn another_member_cannot_see_or_decide_the_request_and_the_attempt_is_audited() {
    let r = setup().await;
    r.save_clabe(CLABE, None).await.unwrap();
    let filed = r
        .sign(None, &antonio_cer(), &antonio_key(), EFIRMA_PASSWORD)
        .await
        .unwrap();
    let maria = member(&r.w, MARIA_NSS).await;
    assert!(matches!(
        r.refunds.view(maria, &filed.folio, &caller()).await,
        Err(RefundError::Request(RequestError::NotFound))
    ));
    let renderer = Arc::new(documents::Renderer::new("https://vivienda.example").unwrap());
    assert_eq!(
        code(
            r.refunds
                .receipt_pdf(renderer, maria, &filed.folio, now(&r.w), &caller())
                .await
        ),
        "request_not_found"
    );
    assert_eq!(
        code(
            r.refunds
                .approve(&filed.folio, Acting::Member(maria), &caller())
                .await
        ),
        "request_not_found"
    );
    let denied =
        r.w.store
            .recent_audit(maria, 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.entry.action == "access_denied")
            .count();
    assert!(denied >= 1);
    // The operator sees it, and rejects it with a reason the member is told.
    let operator = Acting::Operator(OPERATOR);
    r.refunds
        .start_review(&filed.folio, operator, &back_office())
        .await
        .unwrap();
    let rejected = r
        .refunds
        .reject(
            &filed.folio,
            ReasonCode::parse("clabe_not_in_member_name").unwrap(),
            operator,
            &back_office(),
        )
        .await
        .unwrap();
    assert_eq!(rejected.state.stage().code(), "rejected");
    let mail =
        r.w.store
            .recent_messages(5)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.channel == store::OutboxChannel::Email)
            .unwrap();
    assert!(
        mail.body.contains("La cuenta CLABE no está a tu nombre."),
        "{}",
        mail.body
    );
}

#[tokio::test]
async fn two_filings_at_once_make_one_request() {
    let r = setup().await;
    r.save_clabe(CLABE, None).await.unwrap();
    let (cer, key) = (antonio_cer(), antonio_key());
    let (a, b) = tokio::join!(
        r.sign(None, &cer, &key, EFIRMA_PASSWORD),
        r.sign(None, &cer, &key, EFIRMA_PASSWORD),
    );
    let filed = [&a, &b].iter().filter(|x| x.is_ok()).count();
    assert_eq!(filed, 1, "{a:?} {b:?}");
    let refused = if a.is_err() { a } else { b };
    match refused {
        Err(RefundError::NotEligible(refusals)) => assert_eq!(refusals, [Refusal::RefundOpen]),
        other => panic!("expected the second to be refused, got {other:?}"),
    }
    assert_eq!(
        r.w.store.requests_of_member(r.antonio).await.unwrap().len(),
        1
    );
}
