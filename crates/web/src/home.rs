//! The home page. The full design system arrives with the web-experience work; this page
//! already takes every string from the translation files.

use app::i18n::Lang;
use axum::extract::State;
use axum::response::Html;

use crate::AppState;

pub(crate) async fn view_home_get(State(state): State<AppState>) -> Html<String> {
    let t = |id| state.messages.text(Lang::Es, id);
    Html(format!(
        "<!doctype html>\n<html lang=\"es-MX\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name}</title></head>\n<body>\n<header><p>{name}</p></header>\n\
         <main>\n<h1>{tagline}</h1>\n<p>{free}</p>\n</main>\n\
         <footer><p>{phone}</p></footer>\n</body>\n</html>\n",
        name = t("app-name"),
        tagline = t("tagline"),
        free = t("free-and-personal"),
        phone = t("help-phone"),
    ))
}
