//! The pensioner refund as JSON, for the mobile app and other channels: the check
//! (`GET /api/v1/me/refund`), the bank account (`PUT /api/v1/me/refund/account`), filing with
//! the e.firma (`POST /api/v1/me/refund`, multipart) and the status (`GET
//! /api/v1/me/refund/{folio}`). Bearer tokens or the session cookie; with the cookie, changes
//! must repeat the CSRF token in `X-CSRF-Token`. Errors are `{"error", "message"}` (with
//! `"field"` for a form field and `"refusals"` when the member cannot file).

use app::accounts::{Caller, SessionContext};
use app::refund::{BankAccountView, BankForm, EfirmaFiles, RefundCheck, RefundError};
use app::requests::{Acting, RequestError};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::audit::Channel;
use domain::refund::{Amounts, RefundOption, Refusal};
use domain::requests::Folio;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{Peer, api_error};
use crate::auth;
use crate::page::Page;
use crate::refund::{efirma_field, missing, read_upload, refusal_view};

fn no_store(status: StatusCode, value: Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(value)).into_response()
}

/// The member behind the call; with a cookie, a change must carry the CSRF token.
async fn api_member(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
    changes: bool,
    csrf: Option<&str>,
) -> Result<(SessionContext, Caller), Response> {
    let caller = auth::caller(headers, peer, Channel::App);
    let Some((ctx, by_bearer)) = auth::member(state, headers, &caller).await else {
        return Err(api_error(state, StatusCode::UNAUTHORIZED, "not_signed_in"));
    };
    if changes && !by_bearer {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .or(csrf)
            .unwrap_or("");
        if !auth::csrf_ok(headers, sent) {
            return Err(api_error(state, StatusCode::FORBIDDEN, "csrf_failed"));
        }
    }
    Ok((ctx, caller))
}

fn amounts_json(amounts: &Amounts) -> Value {
    json!({
        "regime": amounts.regime.code(),
        "option": amounts.option.map(RefundOption::code),
        "lines": amounts.lines.iter().map(|l| json!({
            "bucket": l.bucket.code(),
            "amount": l.amount,
            "payer": l.payer.code(),
        })).collect::<Vec<_>>(),
        "from_infonavit": amounts.from_infonavit,
        "through_afore": amounts.through_afore,
        "total": amounts.total,
    })
}

fn refusals_json(state: &AppState, refusals: &[Refusal]) -> Vec<Value> {
    let page = Page::new(&state.messages, "refund-title", "");
    refusals
        .iter()
        .map(|r| {
            let view = refusal_view(&page, r);
            let mut value = json!({
                "code": view.code,
                "message": view.title,
                "what_to_do": view.todo,
            });
            match r {
                Refusal::PensionBeforeReform { resolved_on } => {
                    value["resolved_on"] = domain::dates::iso(*resolved_on).into();
                }
                Refusal::Hold { kind } => value["hold"] = kind.code().into(),
                Refusal::CoolingOff { until } => {
                    value["until"] = until.unix_timestamp().into();
                }
                _ => {}
            }
            value
        })
        .collect()
}

fn bank_json(bank: &BankAccountView) -> Value {
    json!({
        "clabe": bank.clabe.as_str(),
        "bank_code": bank.bank_code,
        "bank_name": bank.bank_name,
    })
}

fn check_json(state: &AppState, check: &RefundCheck) -> Value {
    let e = &check.eligibility;
    json!({
        "eligible": e.eligible(),
        "refusals": refusals_json(state, &e.refusals),
        "pension": e.pension.as_ref().map(|p| json!({
            "outcome": p.outcome.code(),
            "kind": p.kind.code(),
            "resolved_on": domain::dates::iso(p.resolved_on),
        })),
        "amounts": amounts_json(&e.amounts),
        "bank_account": check.bank_account.as_ref().map(bank_json),
        "latest": check.latest.as_ref().map(|(folio, s)| json!({
            "folio": folio.as_str(),
            "stage": s.stage().code(),
        })),
        "efirma_available": check.efirma_available,
    })
}

fn failed(state: &AppState, e: RefundError) -> Response {
    let code = e.code();
    let message = || state.messages.text(crate::page::lang(), code);
    match e {
        RefundError::NotEligible(refusals) => no_store(
            StatusCode::CONFLICT,
            json!({
                "error": code,
                "message": message(),
                "refusals": refusals_json(state, &refusals),
            }),
        ),
        RefundError::Field(field, _) => no_store(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": code, "message": message(), "field": field }),
        ),
        RefundError::Efirma(_) => no_store(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": code, "message": message(), "field": efirma_field(code) }),
        ),
        RefundError::EfirmaMissing | RefundError::NoBankAccount => {
            api_error(state, StatusCode::UNPROCESSABLE_ENTITY, code)
        }
        RefundError::Request(RequestError::NotFound) => {
            api_error(state, StatusCode::NOT_FOUND, code)
        }
        RefundError::Request(RequestError::NotPermitted) => {
            api_error(state, StatusCode::FORBIDDEN, code)
        }
        RefundError::EfirmaNotConfigured => api_error(state, StatusCode::SERVICE_UNAVAILABLE, code),
        other => {
            tracing::error!(error = %other, "refund failed");
            api_error(
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct OptionParam {
    #[serde(default)]
    option: Option<String>,
}

fn parse_option(text: Option<&str>) -> Option<RefundOption> {
    text.and_then(|t| RefundOption::from_code(t).or_else(|| RefundOption::from_letter(t)))
}

/// `GET /api/v1/me/refund?option=afore_pays_scv|infonavit_pays_all`.
pub(crate) async fn api_refund_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<OptionParam>,
) -> Response {
    let (ctx, _) = match api_member(&state, &headers, peer, false, None).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state
        .refunds
        .check(ctx.member_id, parse_option(query.option.as_deref()))
        .await
    {
        Ok(check) => no_store(StatusCode::OK, check_json(&state, &check)),
        Err(e) => failed(&state, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct AccountBody {
    clabe: String,
    #[serde(default)]
    holder_declared: bool,
    #[serde(default)]
    current_password: Option<String>,
}

/// `PUT /api/v1/me/refund/account` with `{"clabe", "holder_declared", "current_password"?}`.
pub(crate) async fn api_refund_account_put(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<AccountBody>,
) -> Response {
    let (ctx, caller) = match api_member(&state, &headers, peer, true, None).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let form = BankForm {
        clabe: &body.clabe,
        holder_declared: body.holder_declared,
        current_password: body.current_password.as_deref(),
    };
    match state
        .refunds
        .save_bank_account(
            ctx.member_id,
            &form,
            Acting::Member(ctx.member_id),
            Some(&ctx),
            &caller,
        )
        .await
    {
        Ok(bank) => no_store(StatusCode::OK, json!({ "bank_account": bank_json(&bank) })),
        Err(e) => failed(&state, e),
    }
}

/// `POST /api/v1/me/refund`, multipart: `cer` and `key` (the e.firma files), `password` and,
/// under Ley 73, `option`. Answers 201 with the folio.
pub(crate) async fn api_refund_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let upload = read_upload(form).await;
    let (ctx, caller) =
        match api_member(&state, &headers, peer, true, Some(upload.csrf.as_str())).await {
            Ok(found) => found,
            Err(r) => return r,
        };
    if upload.too_large {
        return api_error(&state, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large");
    }
    if let Some((field, code)) = missing(&upload).first() {
        return no_store(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({
                "error": code,
                "message": state.messages.text(crate::page::lang(), code),
                "field": if *field == "efirma_password" { "password" } else { field },
            }),
        );
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
            upload.option,
            &files,
            Acting::Member(ctx.member_id),
            &caller,
        )
        .await
    {
        Ok(filed) => no_store(
            StatusCode::CREATED,
            json!({
                "folio": filed.folio.as_str(),
                "kind": filed.kind.code(),
                "submitted_on": domain::dates::iso(filed.submitted_on),
                "promised_on": domain::dates::iso(filed.promised_on),
                "latest_on": domain::dates::iso(filed.latest_on),
                "status_url": format!("/api/v1/me/refund/{}", filed.folio.as_str()),
            }),
        ),
        Err(e) => failed(&state, e),
    }
}

/// The service clock with ISO dates, like every other date in the API.
fn clock_json(clock: &domain::requests::ServiceClock) -> Value {
    json!({
        "submitted_on": domain::dates::iso(clock.submitted_on),
        "promised_on": domain::dates::iso(clock.promised_on),
        "as_of": domain::dates::iso(clock.as_of),
        "business_days_elapsed": clock.business_days_elapsed,
        "business_days_left": clock.business_days_left,
        "calendar_days_elapsed": clock.calendar_days_elapsed,
        "overdue": clock.overdue,
    })
}

/// `GET /api/v1/me/refund/{folio}`: the member's own request only.
pub(crate) async fn api_refund_status_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let (ctx, caller) = match api_member(&state, &headers, peer, false, None).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return api_error(&state, StatusCode::NOT_FOUND, "request_not_found");
    };
    match state.refunds.view(ctx.member_id, &folio, &caller).await {
        Ok(view) => {
            let a = &view.answers;
            no_store(
                StatusCode::OK,
                json!({
                    "folio": folio.as_str(),
                    "stage": view.status.state.stage().code(),
                    "reason": view.status.state.reason().map(|r| r.as_str()),
                    "next_owner": view.status.next_owner.code(),
                    "promised_on": view.promised_on.map(domain::dates::iso),
                    "clock": view.status.clock.as_ref().map(clock_json),
                    "amounts": amounts_json(&a.amounts),
                    "bank_account": {
                        "bank_name": a.bank_name,
                        "clabe_ending": &a.clabe.as_str()[14..],
                    },
                    "signature": {
                        "valid": view.signature_valid,
                        "certificate_serial": a.efirma.serial,
                        "certificate_number": a.efirma.certificate_number(),
                        "signed_at": a.efirma.signed_at,
                        "digest": a.efirma.digest,
                    },
                    "timeline": view.status.timeline.iter().map(|e| json!({
                        "at": e.at.unix_timestamp(),
                        "event": e.event,
                        "stage": e.state.stage().code(),
                        "by": e.by,
                        "channel": e.channel.code(),
                    })).collect::<Vec<_>>(),
                }),
            )
        }
        Err(e) => failed(&state, e),
    }
}
