//! "Devolución de tu ahorro" under Trámites: whether the pensioner may ask and why not, the
//! amount by bucket and who pays it, the CLABE, a check of the answers, the e.firma, the
//! confirmation with the folio and the receipt, and the request's status. Every page is the
//! signed-in member's own; a folio of anyone else's is not found. The e.firma files and
//! password travel in one multipart POST, are held in memory for that request and are dropped.

use app::refund::{BankForm, EfirmaFiles, RefundCheck, RefundError};
use app::requests::{Acting, RequestError};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, put};
use axum::{Form, Router};
use domain::audit::Channel;
use domain::money::Money;
use domain::refund::{Amounts, LawRegime, PensionOutcome, RefundOption, Refusal};
use domain::requests::Folio;
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, forbidden, render};
use crate::auth;
use crate::components::{FieldView, Steps, SummaryRow, TableView, TimelineEvent};
use crate::format;
use crate::message::message_page;
use crate::page::{ErrorLine, Page};
use crate::savings::member_or_sign_in;

/// Two e.firma files of at most 64 KiB and a few short fields.
pub(crate) const MAX_UPLOAD: usize = 2 * efirma::MAX_FILE_BYTES + 16 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/tramites/devolucion", get(view_refund_get))
        .route(
            "/tramites/devolucion/cuenta",
            get(view_refund_account_get).post(view_refund_account_post),
        )
        .route("/tramites/devolucion/revisar", get(view_refund_check_get))
        .route(
            "/tramites/devolucion/firmar",
            get(view_refund_sign_get).post(view_refund_sign_post),
        )
        .route(
            "/tramites/devolucion/enviada/{folio}",
            get(view_refund_sent_get),
        )
        .route("/tramites/devolucion/{folio}", get(view_refund_status_get))
        .route(
            "/tramites/devolucion/{folio}/acuse.pdf",
            get(view_refund_receipt_get),
        )
        .route(
            "/api/v1/me/refund",
            get(crate::refund_api::api_refund_get).post(crate::refund_api::api_refund_post),
        )
        .route(
            "/api/v1/me/refund/account",
            put(crate::refund_api::api_refund_account_put),
        )
        .route(
            "/api/v1/me/refund/{folio}",
            get(crate::refund_api::api_refund_status_get),
        )
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
}

/// The option in the query (`?opcion=a|b`): only Ley 73 members choose.
#[derive(Deserialize, Default)]
pub(crate) struct OptionQuery {
    #[serde(default)]
    opcion: Option<String>,
}

impl OptionQuery {
    fn option(&self) -> Option<RefundOption> {
        self.opcion.as_deref().and_then(RefundOption::from_letter)
    }
}

/// `?opcion=x` to carry the choice from step to step, or nothing.
fn option_query(option: Option<RefundOption>) -> String {
    option.map_or_else(String::new, |o| format!("?opcion={}", o.letter()))
}

fn steps(page: &Page, current: usize) -> Steps {
    let names: Vec<String> = [
        "refund-step-amounts",
        "refund-step-account",
        "refund-step-check",
        "refund-step-sign",
    ]
    .iter()
    .map(|id| page.t(id))
    .collect();
    Steps {
        label: page.t("refund-steps-label"),
        caption: page.t_with(
            "step-of",
            &[("current", current as i64), ("total", names.len() as i64)],
        ),
        names,
        current,
    }
}

/// A refusal as the member reads it: what stops it, and what to do.
pub(crate) struct RefusalView {
    pub code: &'static str,
    pub title: String,
    pub todo: String,
}

pub(crate) fn refusal_view(page: &Page, refusal: &Refusal) -> RefusalView {
    let code = refusal.code();
    let lang = page.lang_id();
    let args: Vec<(&'static str, String)> = match refusal {
        Refusal::PensionBeforeReform { resolved_on } => {
            vec![("date", format::date(*resolved_on, lang))]
        }
        Refusal::Hold { kind } => vec![("hold", page.t(&format!("refund-hold-{}", kind.code())))],
        Refusal::CoolingOff { until } => vec![("until", format::date_time(lang, *until))],
        _ => Vec::new(),
    };
    RefusalView {
        code,
        title: page.t_text(code, &args),
        todo: page.t_text(&format!("{code}-todo"), &args),
    }
}

/// The buckets, their amounts and who pays each.
pub(crate) fn amounts_table(page: &Page, amounts: &Amounts) -> TableView {
    TableView {
        caption: page.t("refund-amounts-caption"),
        head: vec![
            page.t("refund-col-bucket"),
            page.t("refund-col-amount"),
            page.t("refund-col-payer"),
        ],
        numeric: vec![false, true, false],
        rows: amounts
            .lines
            .iter()
            .map(|l| {
                vec![
                    crate::savings::bucket_label(page, l.bucket),
                    format::money(l.amount),
                    page.t(&format!("refund-payer-{}", l.payer.code())),
                ]
            })
            .collect(),
    }
}

/// A summary row with a "Cambiar" link when `change` is given.
fn row(page: &Page, key: &str, value: String, change: Option<String>) -> SummaryRow {
    SummaryRow {
        change_href: change,
        ..page.row(key, value)
    }
}

/// What the fund deposits and, when some goes through the Afore, how much.
fn totals(page: &Page, amounts: &Amounts) -> Vec<SummaryRow> {
    let mut rows = vec![row(
        page,
        "refund-from-infonavit",
        format::money(amounts.from_infonavit),
        None,
    )];
    if amounts.through_afore != Money::ZERO {
        rows.push(row(
            page,
            "refund-through-afore",
            format::money(amounts.through_afore),
            None,
        ));
    }
    rows
}

fn pension_text(page: &Page, check: &RefundCheck) -> String {
    let Some(p) = &check.eligibility.pension else {
        return String::new();
    };
    let id = match p.outcome {
        PensionOutcome::Granted => "refund-pension-granted",
        PensionOutcome::Denied => "refund-pension-denied",
    };
    page.t_text(
        id,
        &[
            (
                "kind",
                page.t(&format!("refund-pension-kind-{}", p.kind.code())),
            ),
            ("date", format::date(p.resolved_on, page.lang_id())),
        ],
    )
}

pub(crate) struct OptionChoice {
    pub letter: &'static str,
    pub label: String,
    pub hint: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "refund.html")]
struct RefundPage {
    page: Page,
    latest: Option<(String, String)>,
    eligible: bool,
    efirma_available: bool,
    refusals: Vec<RefusalView>,
    pension: String,
    regime: String,
    regime_explain: String,
    options: Vec<OptionChoice>,
    table: TableView,
    totals: Vec<SummaryRow>,
    next_href: String,
}

async fn check_or_page(
    state: &AppState,
    member: domain::registry::MemberId,
    option: Option<RefundOption>,
) -> Result<RefundCheck, Response> {
    state
        .refunds
        .check(member, option)
        .await
        .map_err(crate::savings::unavailable)
}

pub(crate) async fn view_refund_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<OptionQuery>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let check = match check_or_page(&state, ctx.member_id, query.option()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "refund-title", &csrf);
    page.signed_in_as(&ctx);
    let e = &check.eligibility;
    let chosen = e.amounts.option;
    let options = match e.regime {
        LawRegime::Ley97 => Vec::new(),
        LawRegime::Ley73 => RefundOption::ALL
            .into_iter()
            .map(|o| OptionChoice {
                letter: o.letter(),
                label: page.t(&format!("refund-option-{}", o.code())),
                hint: page.t(&format!("refund-option-{}-hint", o.code())),
                checked: chosen == Some(o),
            })
            .collect(),
    };
    let template = RefundPage {
        latest: check.latest.as_ref().map(|(folio, state)| {
            (
                page.t_text(
                    "refund-latest",
                    &[
                        ("folio", folio.as_str().to_owned()),
                        (
                            "stage",
                            page.t(&format!("request-stage-{}", state.stage().code())),
                        ),
                    ],
                ),
                format!("/tramites/devolucion/{}", folio.as_str()),
            )
        }),
        eligible: e.eligible(),
        efirma_available: check.efirma_available,
        refusals: e.refusals.iter().map(|r| refusal_view(&page, r)).collect(),
        pension: pension_text(&page, &check),
        regime: page.t(&format!("refund-regime-{}", e.regime.code())),
        regime_explain: page.t(&format!("refund-regime-explain-{}", e.regime.code())),
        options,
        table: amounts_table(&page, &e.amounts),
        totals: totals(&page, &e.amounts),
        next_href: format!("/tramites/devolucion/cuenta{}", option_query(chosen)),
        page,
    };
    render(template, set.into_iter().collect())
}

// ----- the bank account ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "refund_account.html")]
struct AccountPage {
    page: Page,
    errors: Vec<ErrorLine>,
    steps: Steps,
    on_file: Option<String>,
    clabe: FieldView,
    holder_checked: bool,
    holder_error: Option<String>,
    holder_hint: String,
    password: Option<FieldView>,
    option: &'static str,
    back_href: String,
}

fn account_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &app::accounts::SessionContext,
    check: &RefundCheck,
    typed: &AccountForm,
    problems: &[(&'static str, &'static str)],
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "refund-account-title", &csrf);
    page.signed_in_as(ctx);
    page.has_errors = !problems.is_empty();
    let errors: Vec<ErrorLine> = problems
        .iter()
        .map(|(field, code)| ErrorLine {
            field: (*field).into(),
            message: page.t(code),
        })
        .collect();
    let on_file = check.bank_account.as_ref();
    let value = if typed.clabe.is_empty() {
        on_file.map(|b| b.clabe.to_string()).unwrap_or_default()
    } else {
        typed.clabe.clone()
    };
    let mut clabe = page.field("clabe", "text", "off", &value, &errors);
    clabe.hint = page.t("field-clabe-hint");
    let password = on_file.map(|_| {
        let mut f = page.field(
            "current_password",
            "password",
            "current-password",
            "",
            &errors,
        );
        f.hint = page.t("field-current_password-hint");
        f
    });
    let option = check.eligibility.amounts.option;
    let template = AccountPage {
        steps: steps(&page, 2),
        on_file: on_file.map(|b| {
            page.t_text(
                "refund-account-on-file",
                &[
                    ("bank", b.bank_name.clone()),
                    ("ending", b.ending().to_owned()),
                ],
            )
        }),
        clabe,
        holder_checked: typed.holder.is_some(),
        holder_error: errors
            .iter()
            .find(|e| e.field == "holder")
            .map(|e| e.message.clone()),
        holder_hint: page.t("field-holder-hint"),
        password,
        option: option.map_or("", RefundOption::letter),
        back_href: format!("/tramites/devolucion{}", option_query(option)),
        errors,
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    if !problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(Deserialize, Default)]
pub(crate) struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    clabe: String,
    #[serde(default)]
    holder: Option<String>,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    opcion: Option<String>,
}

pub(crate) async fn view_refund_account_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<OptionQuery>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let check = match check_or_page(&state, ctx.member_id, query.option()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let typed = AccountForm {
        holder: check.bank_account.as_ref().map(|_| "true".to_owned()),
        ..AccountForm::default()
    };
    account_page(&state, &headers, &ctx, &check, &typed, &[])
}

pub(crate) async fn view_refund_account_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let option = form.opcion.as_deref().and_then(RefundOption::from_letter);
    let bank = BankForm {
        clabe: &form.clabe,
        holder_declared: form.holder.is_some(),
        current_password: Some(form.current_password.as_str()),
    };
    let saved = state
        .refunds
        .save_bank_account(
            ctx.member_id,
            &bank,
            Acting::Member(ctx.member_id),
            Some(&ctx),
            &caller,
        )
        .await;
    match saved {
        Ok(_) => Redirect::to(&format!(
            "/tramites/devolucion/revisar{}",
            option_query(option)
        ))
        .into_response(),
        Err(RefundError::Field(field, code)) => {
            let check = match check_or_page(&state, ctx.member_id, option).await {
                Ok(c) => c,
                Err(r) => return r,
            };
            account_page(&state, &headers, &ctx, &check, &form, &[(field, code)])
        }
        Err(e) => crate::savings::unavailable(e),
    }
}

// ----- check your answers ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "refund_check.html")]
struct CheckPage {
    page: Page,
    steps: Steps,
    rows: Vec<SummaryRow>,
    table: TableView,
    totals: Vec<SummaryRow>,
    sign_href: String,
}

/// The member's check, or where to go first: the eligibility page when they cannot file, the
/// bank-account step when no account is on file.
async fn ready(
    state: &AppState,
    member: domain::registry::MemberId,
    option: Option<RefundOption>,
) -> Result<RefundCheck, Response> {
    let check = check_or_page(state, member, option).await?;
    if !check.eligibility.eligible() {
        return Err(
            Redirect::to(&format!("/tramites/devolucion{}", option_query(option))).into_response(),
        );
    }
    if check.bank_account.is_none() {
        return Err(Redirect::to(&format!(
            "/tramites/devolucion/cuenta{}",
            option_query(option)
        ))
        .into_response());
    }
    Ok(check)
}

pub(crate) async fn view_refund_check_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<OptionQuery>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let check = match ready(&state, ctx.member_id, query.option()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "refund-check-title", &csrf);
    page.signed_in_as(&ctx);
    let e = &check.eligibility;
    let q = option_query(e.amounts.option);
    let mut rows = Vec::new();
    let pension = pension_text(&page, &check);
    if !pension.is_empty() {
        rows.push(row(&page, "refund-pension", pension, None));
    }
    rows.push(row(
        &page,
        "refund-regime",
        page.t(&format!("refund-regime-{}", e.regime.code())),
        None,
    ));
    if let Some(option) = e.amounts.option {
        rows.push(row(
            &page,
            "refund-option",
            page.t(&format!("refund-option-{}", option.code())),
            Some(format!("/tramites/devolucion{q}")),
        ));
    }
    if let Some(bank) = &check.bank_account {
        let account = format!("/tramites/devolucion/cuenta{q}");
        rows.push(row(&page, "refund-bank", bank.bank_name.clone(), None));
        rows.push(row(
            &page,
            "refund-clabe",
            bank.clabe.to_string(),
            Some(account.clone()),
        ));
        rows.push(row(
            &page,
            "refund-holder-declared",
            page.t("refund-yes"),
            Some(account),
        ));
    }
    let template = CheckPage {
        steps: steps(&page, 3),
        rows,
        table: amounts_table(&page, &e.amounts),
        totals: totals(&page, &e.amounts),
        sign_href: format!("/tramites/devolucion/firmar{q}"),
        page,
    };
    render(template, set.into_iter().collect())
}

// ----- signing with the e.firma ------------------------------------------------------------

#[derive(Template)]
#[template(path = "refund_sign.html")]
struct SignPage {
    page: Page,
    errors: Vec<ErrorLine>,
    steps: Steps,
    summary: String,
    fields: Vec<FieldView>,
    option: &'static str,
    back_href: String,
}

fn sign_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &app::accounts::SessionContext,
    check: &RefundCheck,
    problems: &[(&'static str, &'static str)],
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "refund-sign-title", &csrf);
    page.signed_in_as(ctx);
    page.has_errors = !problems.is_empty();
    let errors: Vec<ErrorLine> = problems
        .iter()
        .map(|(field, code)| ErrorLine {
            field: (*field).into(),
            message: page.t(code),
        })
        .collect();
    let fields = [
        ("cer", "file"),
        ("key", "file"),
        ("efirma_password", "password"),
    ]
    .into_iter()
    .map(|(name, kind)| {
        let mut f = page.field(name, kind, "off", "", &errors);
        f.hint = page.t(&format!("field-{name}-hint"));
        f
    })
    .collect();
    let amounts = &check.eligibility.amounts;
    let summary = check
        .bank_account
        .as_ref()
        .map(|b| {
            page.t_text(
                "refund-sign-summary",
                &[
                    ("amount", format::money(amounts.from_infonavit)),
                    ("bank", b.bank_name.clone()),
                    ("ending", b.ending().to_owned()),
                ],
            )
        })
        .unwrap_or_default();
    let template = SignPage {
        steps: steps(&page, 4),
        summary,
        fields,
        option: amounts.option.map_or("", RefundOption::letter),
        back_href: format!(
            "/tramites/devolucion/revisar{}",
            option_query(amounts.option)
        ),
        errors,
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    if !problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub(crate) async fn view_refund_sign_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<OptionQuery>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    match ready(&state, ctx.member_id, query.option()).await {
        Ok(check) => sign_page(&state, &headers, &ctx, &check, &[]),
        Err(r) => r,
    }
}

/// What a signing form or API call sends, read into memory.
#[derive(Default)]
pub(crate) struct Upload {
    pub csrf: String,
    pub option: Option<RefundOption>,
    pub cer: Vec<u8>,
    pub key: Vec<u8>,
    pub password: String,
    /// A file was larger than an e.firma file can be, or the body broke off: what came before
    /// it (the CSRF token first) is kept, the rest is not read.
    pub too_large: bool,
}

/// Reads the multipart body, stopping at a file larger than an e.firma file can be.
pub(crate) async fn read_upload(mut form: Multipart) -> Upload {
    let mut upload = Upload::default();
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                upload.too_large = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "cer" | "key" => {
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if bytes.len() + chunk.len() <= efirma::MAX_FILE_BYTES => {
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Ok(Some(_)) | Err(_) => {
                            upload.too_large = true;
                            return upload;
                        }
                    }
                }
                if name == "cer" {
                    upload.cer = bytes;
                } else {
                    upload.key = bytes;
                }
            }
            "csrf" | "opcion" | "option" | "efirma_password" | "password" => {
                let Ok(text) = field.text().await else {
                    upload.too_large = true;
                    return upload;
                };
                match name.as_str() {
                    "csrf" => upload.csrf = text,
                    "opcion" | "option" => {
                        upload.option = RefundOption::from_letter(&text)
                            .or_else(|| RefundOption::from_code(&text));
                    }
                    _ => upload.password = text,
                }
            }
            _ => {}
        }
    }
    upload
}

/// The field of the signing form an e.firma refusal is about.
pub(crate) fn efirma_field(code: &str) -> &'static str {
    match code {
        "key_password_wrong" => "efirma_password",
        c if c.starts_with("key_") => "key",
        _ => "cer",
    }
}

/// Which of the three inputs are missing.
pub(crate) fn missing(upload: &Upload) -> Vec<(&'static str, &'static str)> {
    [
        ("cer", upload.cer.is_empty()),
        ("key", upload.key.is_empty()),
        ("efirma_password", upload.password.is_empty()),
    ]
    .into_iter()
    .filter(|(_, empty)| *empty)
    .map(|(field, _)| (field, "efirma_files_missing"))
    .collect()
}

pub(crate) async fn view_refund_sign_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let upload = read_upload(form).await;
    if !auth::csrf_ok(&headers, &upload.csrf) {
        return forbidden(&state);
    }
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let option = upload.option;
    let check = match ready(&state, ctx.member_id, option).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if upload.too_large {
        return sign_page(&state, &headers, &ctx, &check, &[("cer", "file_too_large")]);
    }
    let missing = missing(&upload);
    if !missing.is_empty() {
        return sign_page(&state, &headers, &ctx, &check, &missing);
    }
    let files = EfirmaFiles {
        cer: &upload.cer,
        key: &upload.key,
        password: &upload.password,
    };
    match state
        .refunds
        .submit(
            ctx.member_id,
            option,
            &files,
            Acting::Member(ctx.member_id),
            &caller,
        )
        .await
    {
        Ok(filed) => Redirect::to(&format!(
            "/tramites/devolucion/enviada/{}",
            filed.folio.as_str()
        ))
        .into_response(),
        Err(RefundError::Efirma(e)) => sign_page(
            &state,
            &headers,
            &ctx,
            &check,
            &[(efirma_field(e.code()), e.code())],
        ),
        Err(RefundError::EfirmaMissing) => sign_page(&state, &headers, &ctx, &check, &missing),
        Err(RefundError::NotEligible(_)) => {
            Redirect::to(&format!("/tramites/devolucion{}", option_query(option))).into_response()
        }
        Err(RefundError::NoBankAccount) => {
            Redirect::to("/tramites/devolucion/cuenta").into_response()
        }
        Err(RefundError::EfirmaNotConfigured) => message_page(
            &state,
            &headers,
            StatusCode::SERVICE_UNAVAILABLE,
            "refund-sign-title",
            "efirma_not_configured",
            ("/tramites/devolucion", "refund-back"),
        ),
        Err(e) => crate::savings::unavailable(e),
    }
}

// ----- confirmation, status and receipt ----------------------------------------------------

#[derive(Template)]
#[template(path = "refund_status.html")]
struct StatusPage {
    page: Page,
    just_filed: bool,
    folio: String,
    next: String,
    rows: Vec<SummaryRow>,
    table: TableView,
    events: Vec<TimelineEvent>,
    receipt_href: String,
    status_href: String,
}

fn not_found(state: &AppState, headers: &HeaderMap) -> Response {
    message_page(
        state,
        headers,
        StatusCode::NOT_FOUND,
        "refund-status-title",
        "request_not_found",
        ("/tramites/devolucion", "refund-back"),
    )
}

async fn status_page(
    state: AppState,
    peer: Peer,
    headers: HeaderMap,
    folio: String,
    just_filed: bool,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return not_found(&state, &headers);
    };
    let view = match state.refunds.view(ctx.member_id, &folio, &caller).await {
        Ok(v) => v,
        Err(RefundError::Request(RequestError::NotFound)) => return not_found(&state, &headers),
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let title = if just_filed {
        "refund-sent-title"
    } else {
        "refund-status-title"
    };
    let mut page = Page::new(&state.messages, title, &csrf);
    page.signed_in_as(&ctx);
    let lang = page.lang_id();
    let a = &view.answers;
    let ending = &a.clabe.as_str()[14..];
    let promised = view.promised_on.map(|d| format::date(d, lang));
    let mut rows = vec![
        row(&page, "request-folio", folio.as_str().to_owned(), None),
        row(
            &page,
            "request-state",
            page.t(&format!(
                "request-stage-{}",
                view.status.state.stage().code()
            )),
            None,
        ),
    ];
    if let Some(reason) = view.status.state.reason() {
        rows.push(page.row(
            "refund-reason",
            app::requests::reason_text(&state.messages, lang, reason),
        ));
    }
    if let Some(day) = &promised {
        rows.push(row(&page, "refund-promised", day.clone(), None));
    }
    rows.push(row(
        &page,
        "refund-deposit",
        format::money(a.amounts.from_infonavit),
        None,
    ));
    rows.push(row(
        &page,
        "refund-bank",
        format!(
            "{}, {} {}",
            a.bank_name,
            page.t("refund-clabe-ending"),
            ending
        ),
        None,
    ));
    rows.push(row(
        &page,
        "refund-signature",
        if view.signature_valid {
            page.t_text(
                "refund-signature-valid",
                &[("serial", a.efirma.certificate_number())],
            )
        } else {
            page.t("refund-signature-broken")
        },
        None,
    ));
    let events = page.request_timeline(&view.status.timeline);
    let next = page.t_text(
        "refund-next",
        &[
            ("amount", format::money(a.amounts.from_infonavit)),
            ("bank", a.bank_name.clone()),
            ("ending", ending.to_owned()),
            ("date", promised.unwrap_or_default()),
        ],
    );
    let template = StatusPage {
        just_filed,
        folio: folio.as_str().to_owned(),
        next,
        rows,
        table: amounts_table(&page, &a.amounts),
        events,
        receipt_href: format!("/tramites/devolucion/{}/acuse.pdf", folio.as_str()),
        status_href: format!("/tramites/devolucion/{}", folio.as_str()),
        page,
    };
    render(template, set.into_iter().collect())
}

pub(crate) async fn view_refund_sent_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    status_page(state, peer, headers, folio, true).await
}

pub(crate) async fn view_refund_status_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    status_page(state, peer, headers, folio, false).await
}

pub(crate) async fn view_refund_receipt_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return not_found(&state, &headers);
    };
    match state
        .refunds
        .receipt_pdf(
            state.documents.clone(),
            ctx.member_id,
            &folio,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(r) => crate::credit_documents::pdf(r, &format!("acuse-{}.pdf", folio.as_str())),
        Err(RefundError::Request(RequestError::NotFound)) => not_found(&state, &headers),
        Err(e) => crate::savings::unavailable(e),
    }
}
