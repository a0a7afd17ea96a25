//! `/demo/componentes`: every component of the design system in every state, served only when
//! the server runs in demo mode. Designers and testers check a change here first; the browser
//! tests run axe-core on it.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::money::Money;
use time::macros::date;

use crate::AppState;
use crate::accounts::render;
use crate::auth;
use crate::components::{FieldView, Steps, SummaryRow, Tab, TableView, TimelineEvent};
use crate::format;
use crate::page::{ErrorLine, Page};

#[derive(Template)]
#[template(path = "gallery.html")]
struct GalleryPage {
    page: Page,
    fields: Vec<FieldView>,
    errors: Vec<ErrorLine>,
    summary: Vec<SummaryRow>,
    table: TableView,
    tabs: Vec<Tab>,
    timeline: Vec<TimelineEvent>,
    steps: Vec<Steps>,
}

pub(crate) async fn view_gallery_get(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "demo-gallery-title", &csrf);
    render(gallery(page), set.into_iter().collect())
}

fn gallery(page: Page) -> GalleryPage {
    let lang = page.lang_id();
    let t = |id: &str| page.t(id);
    let curp_error = t("demo-field-curp-error");
    let field =
        |name, kind, autocomplete, label: String, hint: String, value: &str, error| FieldView {
            name,
            kind,
            autocomplete,
            label,
            hint,
            value: value.to_owned(),
            error,
        };
    let fields = vec![
        field(
            "demo-name",
            "text",
            "name",
            t("demo-field-name"),
            String::new(),
            "",
            None,
        ),
        field(
            "demo-name-hint",
            "text",
            "name",
            t("demo-field-name"),
            t("demo-field-name-hint"),
            "María García Hernández",
            None,
        ),
        field(
            "demo-curp",
            "text",
            "off",
            t("field-curp"),
            t("field-curp-hint"),
            "GAHM850312",
            Some(curp_error.clone()),
        ),
        field(
            "demo-code",
            "text",
            "one-time-code",
            t("field-code"),
            t("demo-field-code-hint"),
            "",
            None,
        ),
        field(
            "demo-mobile",
            "tel",
            "tel",
            t("field-mobile"),
            t("field-mobile-hint"),
            "",
            None,
        ),
        field(
            "demo-email",
            "email",
            "email",
            t("field-email"),
            String::new(),
            "",
            None,
        ),
    ];
    let money = |centavos| format::money(Money::from_centavos(centavos));
    let day = |d| format::date(d, lang);
    let summary = vec![
        SummaryRow {
            key: t("demo-key-name"),
            value: "María García Hernández".into(),
            change_href: None,
        },
        SummaryRow {
            key: t("demo-key-clabe"),
            value: "002180700000000019".into(),
            change_href: Some("#demo-name".into()),
        },
        SummaryRow {
            key: t("demo-key-amount"),
            value: money(1_234_567),
            change_href: Some("#demo-name".into()),
        },
        SummaryRow {
            key: t("demo-key-date"),
            value: day(date!(2026 - 11 - 25)),
            change_href: None,
        },
    ];
    let table = TableView {
        caption: t("demo-table-caption"),
        head: vec![
            t("demo-col-date"),
            t("demo-col-concept"),
            t("demo-col-amount"),
        ],
        numeric: vec![false, false, true],
        rows: vec![
            vec![
                day(date!(2026 - 09 - 17)),
                t("demo-concept-contribution"),
                money(482_150),
            ],
            vec![
                day(date!(2026 - 07 - 01)),
                t("demo-concept-yield"),
                money(31_207),
            ],
            vec![
                day(date!(2026 - 05 - 19)),
                t("demo-concept-refund"),
                money(-120_000),
            ],
        ],
    };
    let tabs = ["balance", "movements", "documents"]
        .iter()
        .map(|id| Tab {
            id: format!("demo-tab-{id}"),
            label: t(&format!("demo-tab-{id}")),
            text: t(&format!("demo-tab-{id}-text")),
        })
        .collect();
    let timeline = vec![
        TimelineEvent {
            title: t("demo-event-done"),
            date: day(date!(2026 - 11 - 30)),
            text: String::new(),
        },
        TimelineEvent {
            title: t("demo-event-review"),
            date: day(date!(2026 - 11 - 26)),
            text: t("demo-event-review-text"),
        },
        TimelineEvent {
            title: t("demo-event-received"),
            date: day(date!(2026 - 11 - 25)),
            text: String::new(),
        },
    ];
    let names: Vec<String> = [
        "demo-step-data",
        "demo-step-documents",
        "demo-step-check",
        "demo-step-send",
    ]
    .iter()
    .map(|id| t(id))
    .collect();
    let steps = [1, 3]
        .into_iter()
        .map(|current| Steps {
            label: t("demo-steps-label"),
            caption: page.t_with("step-of", &[("current", current), ("total", 4)]),
            names: names.clone(),
            current: current as usize,
        })
        .collect();
    GalleryPage {
        errors: vec![ErrorLine {
            field: "demo-curp".into(),
            message: curp_error,
        }],
        fields,
        summary,
        table,
        tabs,
        timeline,
        steps,
        page,
    }
}
