//! A supervisor changes a member's NSS, or unifies the record of a second NSS of the same
//! person into the one on screen (`app::backoffice::identity`). A unification is asked, shown
//! with both records side by side, and only then done.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use domain::ids::Nss;
use domain::registry::MemberId;
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::backoffice::{OpFrame, OpMessagePage, caller, failed, frame, operator_post};
use crate::components::{SummaryRow, TableView};
use crate::page::Page;
use app::backoffice::{BackOfficeError, MemberCard, OperatorContext};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operacion/miembros/{id}/nss", post(change_nss_post))
        .route("/operacion/miembros/{id}/unificar", post(unify_post))
}

#[derive(Template)]
#[template(path = "op_identity_done.html")]
struct DonePage {
    page: Page,
    op: OpFrame,
    lead: String,
    table: Option<TableView>,
    member_href: String,
}

#[derive(Template)]
#[template(path = "op_unify_confirm.html")]
struct ConfirmPage {
    page: Page,
    op: OpFrame,
    member_id: i64,
    staying: Vec<SummaryRow>,
    leaving: Vec<SummaryRow>,
    duplicate: String,
    note: String,
}

/// The page that says what is wrong with an NSS the operator typed.
fn bad_nss(state: &AppState, ctx: &OperatorContext, e: domain::ids::IdError) -> Response {
    let mut page = Page::new(&state.messages, "op-error-title", "");
    page.has_errors = true;
    let text = page.t(e.code());
    let op = Some(frame(&page, ctx));
    let mut response = render(OpMessagePage { page, op, text }, Vec::new());
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

#[derive(Deserialize)]
struct ChangeForm {
    csrf: String,
    #[serde(default)]
    actual: String,
    #[serde(default)]
    nuevo: String,
    #[serde(default)]
    nota: String,
}

async fn change_nss_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let old = match Nss::parse(form.actual.trim()) {
        Ok(nss) => nss,
        Err(e) => return bad_nss(&state, &ctx, e),
    };
    let new = match Nss::parse(form.nuevo.trim()) {
        Ok(nss) => nss,
        Err(e) => return bad_nss(&state, &ctx, e),
    };
    match state
        .backoffice
        .change_nss(
            &ctx,
            MemberId(id),
            &old,
            &new,
            &form.nota,
            &caller(&headers, peer),
        )
        .await
    {
        Ok(()) => {
            let (csrf, set) = auth::csrf_token(&headers);
            let page = Page::new(&state.messages, "op-nss-changed-title", &csrf);
            let lead = page.t("op-nss-changed-lead");
            let op = frame(&page, &ctx);
            render(
                DonePage {
                    page,
                    op,
                    lead,
                    table: None,
                    member_href: format!("/operacion/miembros/{id}"),
                },
                set.into_iter().collect(),
            )
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
struct UnifyForm {
    csrf: String,
    #[serde(default)]
    otro: String,
    #[serde(default)]
    nota: String,
    #[serde(default)]
    confirmar: String,
}

fn card_rows(page: &Page, card: &MemberCard) -> Vec<SummaryRow> {
    vec![
        page.row("op-name", card.name.clone()),
        page.row("op-nss", card.nss.clone()),
        page.row("op-curp", card.curp.clone()),
        page.row("op-birth-date", card.birth_date.clone()),
        page.row(
            "op-account",
            page.t(if card.email.is_some() {
                "op-has-account"
            } else {
                "op-no-account"
            }),
        ),
        page.row("op-member-requests", card.requests.len().to_string()),
    ]
}

async fn unify_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<UnifyForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let duplicate = match Nss::parse(form.otro.trim()) {
        Ok(nss) => nss,
        Err(e) => return bad_nss(&state, &ctx, e),
    };
    let caller = caller(&headers, peer);
    let target = MemberId(id);
    let (csrf, set) = auth::csrf_token(&headers);
    if form.confirmar != "1" {
        // First the two records, as they are, for the supervisor to compare.
        if form.nota.trim().is_empty() {
            return failed(&state, Some(&ctx), BackOfficeError::IdentityNoteRequired);
        }
        let cards = async {
            let source = state
                .backoffice
                .member_of_nss(&ctx, &duplicate, &caller)
                .await?;
            let staying = state
                .backoffice
                .member_card(&ctx, target, None, &caller)
                .await?;
            let leaving = state
                .backoffice
                .member_card(&ctx, source, None, &caller)
                .await?;
            Ok::<_, BackOfficeError>((staying, leaving))
        };
        return match cards.await {
            Ok((staying, leaving)) => {
                let page = Page::new(&state.messages, "op-unify-confirm-title", &csrf);
                let op = frame(&page, &ctx);
                render(
                    ConfirmPage {
                        staying: card_rows(&page, &staying),
                        leaving: card_rows(&page, &leaving),
                        member_id: id,
                        duplicate: duplicate.as_str().to_owned(),
                        note: form.nota.trim().to_owned(),
                        op,
                        page,
                    },
                    set.into_iter().collect(),
                )
            }
            Err(e) => failed(&state, Some(&ctx), e),
        };
    }
    match state
        .backoffice
        .unify(&ctx, target, &duplicate, &form.nota, &caller)
        .await
    {
        Ok(done) => {
            let page = Page::new(&state.messages, "op-unified-title", &csrf);
            let lead = page.t("op-unified-lead");
            let rows = done
                .tables
                .iter()
                .map(|(table, moved, folded, dropped)| {
                    vec![
                        page.t(&format!("op-table-{}", table.replace('_', "-"))),
                        moved.to_string(),
                        folded.to_string(),
                        dropped.to_string(),
                    ]
                })
                .collect();
            let table = TableView {
                caption: page.t("op-unified-caption"),
                head: [
                    "op-unified-what",
                    "op-unified-moved",
                    "op-unified-folded",
                    "op-unified-dropped",
                ]
                .into_iter()
                .map(|h| page.t(h))
                .collect(),
                rows,
                numeric: vec![false, true, true, true],
            };
            let op = frame(&page, &ctx);
            render(
                DonePage {
                    page,
                    op,
                    lead,
                    table: Some(table),
                    member_href: format!("/operacion/miembros/{id}"),
                },
                set.into_iter().collect(),
            )
        }
        Err(BackOfficeError::Unify(reasons)) => {
            let mut page = Page::new(&state.messages, "op-error-title", "");
            page.has_errors = true;
            let text = app::backoffice::refusal_codes(&reasons)
                .into_iter()
                .map(|code| page.t(code))
                .collect::<Vec<_>>()
                .join(" ");
            let op = Some(frame(&page, &ctx));
            let mut response = render(OpMessagePage { page, op, text }, Vec::new());
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}
