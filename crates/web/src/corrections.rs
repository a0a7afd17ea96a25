//! "Corrección de datos": the member says how their name, CURP or RFC should read; the check
//! before filing says which field would be rejected and why; a check-your-answers page takes the
//! evidence; the confirmation gives the folio; the status page shows the timeline.

use app::corrections::{CorrectionError, Upload};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::audit::Channel;
use domain::corrections::{CorrectionField, Problem, Proposal};
use domain::registry::MemberId;
use domain::requests::{Folio, RequestKind};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use store::{IdempotencyClaim, IdempotentAnswer};

use crate::AppState;
use crate::accounts::{Peer, forbidden, render};
use crate::auth;
use crate::components::{FieldView, SummaryRow, TimelineEvent};
use crate::format;
use crate::page::{ErrorLine, Page};
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/tramites/correccion", get(form_get).post(check_post))
        .route(
            "/tramites/correccion/enviar",
            axum::routing::post(submit_post).layer(DefaultBodyLimit::max(
                app::corrections::MAX_FILES * app::corrections::MAX_FILE_BYTES + 256 * 1024,
            )),
        )
        .route("/tramites/correccion/{folio}", get(status_get))
        .route("/tramites/correccion/{folio}/acuse.pdf", get(receipt_get))
}

const FIELDS: [(&str, CorrectionField); 5] = [
    ("given_names", CorrectionField::GivenNames),
    ("first_surname", CorrectionField::FirstSurname),
    ("second_surname", CorrectionField::SecondSurname),
    ("curp", CorrectionField::Curp),
    ("rfc", CorrectionField::Rfc),
];

#[derive(Deserialize)]
struct ProposalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    given_names: String,
    #[serde(default)]
    first_surname: String,
    #[serde(default)]
    second_surname: String,
    #[serde(default)]
    curp: String,
    #[serde(default)]
    rfc: String,
    /// Set by the "Cambiar" button of the check-your-answers page: show the form again.
    #[serde(default)]
    editar: Option<String>,
}

impl ProposalForm {
    fn proposal(&self) -> Proposal {
        Proposal {
            given_names: self.given_names.clone(),
            first_surname: self.first_surname.clone(),
            second_surname: self.second_surname.clone(),
            curp: self.curp.clone(),
            rfc: self.rfc.clone(),
        }
    }
}

fn value(p: &Proposal, field: CorrectionField) -> &str {
    match field {
        CorrectionField::GivenNames => &p.given_names,
        CorrectionField::FirstSurname => &p.first_surname,
        CorrectionField::SecondSurname => &p.second_surname,
        CorrectionField::Curp => &p.curp,
        CorrectionField::Rfc => &p.rfc,
    }
}

fn field_name(field: CorrectionField) -> &'static str {
    FIELDS
        .iter()
        .find(|(_, f)| *f == field)
        .map_or("given_names", |(n, _)| n)
}

#[derive(Template)]
#[template(path = "correction.html")]
struct FormPage {
    page: Page,
    errors: Vec<ErrorLine>,
    fields: Vec<FieldView>,
}

fn form_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    proposal: &Proposal,
    problems: &[(CorrectionField, Problem)],
) -> FormPage {
    let mut page = Page::new(&state.messages, "correction-title", csrf);
    page.signed_in_as(ctx);
    page.has_errors = !problems.is_empty();
    let errors: Vec<ErrorLine> = problems
        .iter()
        .map(|(field, problem)| ErrorLine {
            field: field_name(*field).to_owned(),
            message: page.t_text(
                problem.code(),
                &[("field", page.t(&format!("field-{}", field_name(*field))))],
            ),
        })
        .collect();
    let fields = FIELDS
        .iter()
        .map(|(name, field)| {
            let mut view = page.field(name, "text", "off", value(proposal, *field), &errors);
            view.hint = page.t(&format!("correction-hint-{name}"));
            view
        })
        .collect();
    FormPage {
        page,
        errors,
        fields,
    }
}

async fn form_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let proposal = match state.corrections.current(ctx.member_id).await {
        Ok(p) => p,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        form_page(&state, &ctx, &csrf, &proposal, &[]),
        set.into_iter().collect(),
    )
}

#[derive(Template)]
#[template(path = "correction_check.html")]
struct CheckPage {
    page: Page,
    rows: Vec<SummaryRow>,
    hidden: Vec<(&'static str, String)>,
    max_files: usize,
    /// This sending of the form: a second post of it (a double click, a retry after a lost
    /// answer) finds the correction the first one filed instead of filing another.
    submission: String,
}

/// The check before filing: the form again with each problem, or the changes to confirm.
async fn check_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ProposalForm>,
) -> Response {
    let (ctx, _) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let proposal = form.proposal();
    let (csrf, set) = auth::csrf_token(&headers);
    if form.editar.is_some() {
        return render(
            form_page(&state, &ctx, &csrf, &proposal, &[]),
            set.into_iter().collect(),
        );
    }
    let checked = match state.corrections.check(ctx.member_id, &proposal).await {
        Ok(c) => c,
        Err(CorrectionError::Problems(problems)) => {
            let mut r = render(
                form_page(&state, &ctx, &csrf, &proposal, &problems),
                set.into_iter().collect(),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
        Err(e) => return failed(&state, &headers, e),
    };
    let mut page = Page::new(&state.messages, "correction-check-title", &csrf);
    page.signed_in_as(&ctx);
    let rows = checked
        .changes
        .iter()
        .map(|c| SummaryRow {
            key: page.t(&format!("field-{}", field_name(c.field))),
            value: page.t_text(
                "correction-from-to",
                &[("from", c.from.clone()), ("to", c.to.clone())],
            ),
            change_href: None,
        })
        .collect();
    let hidden = FIELDS
        .iter()
        .map(|(name, field)| (*name, value(&proposal, *field).to_owned()))
        .collect();
    render(
        CheckPage {
            page,
            rows,
            hidden,
            max_files: app::corrections::MAX_FILES,
            submission: app::accounts::random_token(),
        },
        set.into_iter().collect(),
    )
}

#[derive(Template)]
#[template(path = "correction_done.html")]
struct DonePage {
    page: Page,
    folio: String,
    promised: String,
    status_href: String,
    receipt_href: String,
}

async fn submit_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let Some((fields, uploads)) = read_with_files(&mut form, "evidencia").await else {
        return failed(&state, &headers, CorrectionError::FileTooLarge);
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    if !auth::csrf_ok(&headers, &get("csrf")) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let proposal = Proposal {
        given_names: get("given_names"),
        first_surname: get("first_surname"),
        second_surname: get("second_surname"),
        curp: get("curp"),
        rfc: get("rfc"),
    };
    let submission = match Submission::claim(&state, &headers, ctx.member_id, &get("envio")).await {
        Ok(submission) => submission,
        Err(earlier) => return earlier,
    };
    let filed = match state
        .corrections
        .submit(
            ctx.member_id,
            &proposal,
            &get("explicacion"),
            &uploads,
            app::requests::Acting::Member(ctx.member_id),
            &caller,
        )
        .await
    {
        Ok(filed) => {
            submission.filed(&state, &filed.folio).await;
            filed
        }
        Err(CorrectionError::Problems(problems)) => {
            submission.release(&state).await;
            let (csrf, set) = auth::csrf_token(&headers);
            let mut r = render(
                form_page(&state, &ctx, &csrf, &proposal, &problems),
                set.into_iter().collect(),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
        Err(e) => {
            submission.release(&state).await;
            return failed(&state, &headers, e);
        }
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "correction-done-title", &csrf);
    page.signed_in_as(&ctx);
    render(
        DonePage {
            folio: filed.folio.as_str().to_owned(),
            promised: format::date(filed.promised_on, page.lang_id()),
            status_href: format!("/tramites/correccion/{}", filed.folio.as_str()),
            receipt_href: format!("/tramites/correccion/{}/acuse.pdf", filed.folio.as_str()),
            page,
        },
        set.into_iter().collect(),
    )
}

/// One sending of the check page's form, kept with the member's idempotency keys for a day.
struct Submission {
    member: MemberId,
    /// `None` for a form without its sending mark (an old page): nothing to keep.
    key: Option<String>,
}

impl Submission {
    /// Claims this sending; when it was claimed before, the answer to give instead: the
    /// correction it filed, or "still being sent".
    async fn claim(
        state: &AppState,
        headers: &HeaderMap,
        member: MemberId,
        mark: &str,
    ) -> Result<Submission, Response> {
        let valid = mark.len() == 64 && mark.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return Ok(Submission { member, key: None });
        }
        let key = format!("correction-form:{mark}");
        let hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let now = state.accounts.now();
        let claim = state
            .store
            .claim_idempotency_key(member, &key, &hash, now, now + time::Duration::days(1))
            .await;
        match claim {
            Ok(IdempotencyClaim::Claimed) => Ok(Submission {
                member,
                key: Some(key),
            }),
            Ok(IdempotencyClaim::Answered { answer, .. }) => {
                match std::str::from_utf8(&answer.body).ok().map(Folio::parse) {
                    Some(Ok(folio)) => Err(Redirect::to(&format!(
                        "/tramites/correccion/{}",
                        folio.as_str()
                    ))
                    .into_response()),
                    _ => Err(crate::savings::unavailable(store::StoreError::corrupt(
                        "idempotency_keys",
                        "answer",
                    ))),
                }
            }
            Ok(IdempotencyClaim::Pending { .. }) => Err(crate::message::message_page(
                state,
                headers,
                StatusCode::CONFLICT,
                "correction-already-sending-title",
                "correction-already-sending",
                ("/", "unavailable-back"),
            )),
            Err(e) => Err(crate::savings::unavailable(e)),
        }
    }

    /// Keeps the folio the sending filed, for a second post of the same form.
    async fn filed(&self, state: &AppState, folio: &Folio) {
        let Some(key) = &self.key else { return };
        let answer = IdempotentAnswer {
            status: StatusCode::SEE_OTHER.as_u16(),
            content_type: "text/plain".to_owned(),
            body: folio.as_str().as_bytes().to_vec(),
        };
        if let Err(e) = state
            .store
            .answer_idempotency_key(self.member, key, &answer)
            .await
        {
            tracing::warn!(error = %e, "a correction's sending was not kept");
        }
    }

    /// Frees the sending when nothing was filed, so the member can send the form again.
    async fn release(&self, state: &AppState) {
        let Some(key) = &self.key else { return };
        if let Err(e) = state.store.release_idempotency_key(self.member, key).await {
            tracing::warn!(error = %e, "a correction's sending was not freed");
        }
    }
}

#[derive(Template)]
#[template(path = "correction_status.html")]
struct StatusPage {
    page: Page,
    folio: String,
    receipt_href: String,
    rows: Vec<SummaryRow>,
    files: Vec<String>,
    events: Vec<TimelineEvent>,
}

async fn status_get(
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
        return crate::credit::not_found(&state, &headers);
    };
    let status = match state.requests.status(ctx.member_id, &folio, &caller).await {
        Ok(s) if s.kind == RequestKind::DataCorrection => s,
        Ok(_) | Err(app::requests::RequestError::NotFound) => {
            return crate::credit::not_found(&state, &headers);
        }
        Err(e) => return crate::savings::unavailable(e),
    };
    let files = match state.corrections.files(ctx.member_id, &folio).await {
        Ok(files) => files,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "correction-status-title", &csrf);
    page.signed_in_as(&ctx);
    let lang = page.lang_id();
    let row = |key: &str, value: String| page.row(key, value);
    let mut rows = vec![
        row("request-folio", status.folio.as_str().to_owned()),
        row(
            "request-state",
            page.t(&format!("request-stage-{}", status.state.stage().code())),
        ),
    ];
    if let Some(reason) = status.state.reason() {
        rows.push(row(
            "correction-reason",
            page.t(&format!("request-reason-{}", reason.as_str())),
        ));
    }
    if let Some(clock) = &status.clock {
        rows.push(row(
            "correction-promised",
            format::date(clock.promised_on, lang),
        ));
    }
    let events = page.request_timeline(&status.timeline);
    render(
        StatusPage {
            receipt_href: format!("/tramites/correccion/{}/acuse.pdf", status.folio.as_str()),
            folio: status.folio.as_str().to_owned(),
            files: files
                .into_iter()
                .map(|f| format!("{} ({} KB)", f.file_name, f.size.div_ceil(1024)))
                .collect(),
            rows,
            events,
            page,
        },
        set.into_iter().collect(),
    )
}

/// The receipt PDF of the member's correction.
async fn receipt_get(
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
        return crate::credit::not_found(&state, &headers);
    };
    match state
        .corrections
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
        Err(CorrectionError::Request(app::requests::RequestError::NotFound)) => {
            crate::credit::not_found(&state, &headers)
        }
        Err(e) => crate::savings::unavailable(e),
    }
}

/// A multipart form's text fields (each at most 600 characters) and its files under
/// `file_field`; `None` when the body cannot be read (too large, cut off).
pub(crate) async fn read_with_files(
    form: &mut Multipart,
    file_field: &str,
) -> Option<(std::collections::HashMap<String, String>, Vec<Upload>)> {
    let mut fields = std::collections::HashMap::new();
    let mut uploads = Vec::new();
    while let Some(field) = form.next_field().await.ok()? {
        let name = field.name().unwrap_or("").to_owned();
        if name == file_field {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.ok()?;
            uploads.push(Upload {
                file_name,
                bytes: bytes.to_vec(),
            });
        } else if let Ok(text) = field.text().await {
            fields.insert(name, text.chars().take(600).collect());
        }
    }
    Some((fields, uploads))
}

fn failed(state: &AppState, headers: &HeaderMap, e: CorrectionError) -> Response {
    match e {
        CorrectionError::Store(_)
        | CorrectionError::Request(app::requests::RequestError::Store(_)) => {
            crate::savings::unavailable(e)
        }
        _ => crate::message::message_page(
            state,
            headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "correction-title",
            e.code(),
            ("/tramites/correccion", "correction-back"),
        ),
    }
}
