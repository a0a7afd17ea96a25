//! The stylesheet, fonts and scripts, embedded in the binary and served under names that carry a
//! hash of their content (`/static/site.3f2a9c41d0.css`). A changed file gets a new name, so
//! browsers may keep every file for a year without ever seeing a stale one.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One embedded file: its name in `static/`, its bytes and how browsers should read it.
struct Source {
    name: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

macro_rules! source {
    ($name:literal, $type:literal) => {
        Source {
            name: $name,
            bytes: include_bytes!(concat!("../static/", $name)),
            content_type: $type,
        }
    };
}

/// In dependency order: a stylesheet comes after the fonts it names, so their hashed URLs can be
/// written into it before it is hashed itself.
const SOURCES: &[Source] = &[
    source!("fonts/atkinson-hyperlegible-400.woff2", "font/woff2"),
    source!("fonts/atkinson-hyperlegible-700.woff2", "font/woff2"),
    source!("site.js", "text/javascript; charset=utf-8"),
    source!("session.js", "text/javascript; charset=utf-8"),
    source!("site.css", "text/css; charset=utf-8"),
];

struct Asset {
    url: String,
    bytes: Vec<u8>,
    content_type: &'static str,
}

struct Assets {
    by_name: HashMap<&'static str, Asset>,
    /// Hashed file name (the last part of the URL) → source name.
    by_file: HashMap<String, &'static str>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(build);

fn build() -> Assets {
    let mut by_name: HashMap<&'static str, Asset> = HashMap::new();
    let mut by_file = HashMap::new();
    for source in SOURCES {
        let mut bytes = source.bytes.to_vec();
        if source.name.ends_with(".css") {
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            for (name, asset) in &by_name {
                text = text.replace(
                    &format!("url(\"{name}\")"),
                    &format!("url(\"{}\")", asset.url),
                );
            }
            bytes = text.into_bytes();
        }
        let file = hashed_file_name(source.name, &bytes);
        let url = format!("/static/{file}");
        by_file.insert(file, source.name);
        by_name.insert(
            source.name,
            Asset {
                url,
                bytes,
                content_type: source.content_type,
            },
        );
    }
    Assets { by_name, by_file }
}

/// `fonts/a.woff2` with content hashing to `0123456789…` becomes `a.0123456789.woff2`.
fn hashed_file_name(name: &str, bytes: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(bytes));
    let short = digest.get(..10).unwrap_or(&digest);
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
        None => format!("{base}.{short}"),
    }
}

/// The hashed URL of an embedded file, for templates. An unknown name gives a URL that answers
/// 404, never a panic; a test checks that every page links only to files that exist.
pub(crate) fn url(name: &str) -> &'static str {
    ASSETS
        .by_name
        .get(name)
        .map_or("/static/missing", |a| a.url.as_str())
}

/// `GET /static/{file}`: an embedded file by its hashed name, cached for a year.
pub(crate) async fn static_get(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS
        .by_file
        .get(&file)
        .and_then(|n| ASSETS.by_name.get(n))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_a_short_content_hash() {
        let name = hashed_file_name("fonts/a.woff2", b"x");
        assert!(name.starts_with("a.") && name.ends_with(".woff2"), "{name}");
        assert_eq!(name.len(), "a..woff2".len() + 10);
        assert_ne!(name, hashed_file_name("fonts/a.woff2", b"y"));
    }

    #[test]
    fn the_stylesheet_names_the_fonts_by_their_hashed_urls() {
        let css = String::from_utf8(ASSETS.by_name["site.css"].bytes.clone()).unwrap();
        let font = url("fonts/atkinson-hyperlegible-400.woff2");
        assert!(font.starts_with("/static/atkinson-hyperlegible-400."));
        assert!(css.contains(font), "{font} not in the stylesheet");
        assert!(!css.contains("url(\"fonts/"));
    }

    #[test]
    fn every_source_is_served_by_its_hashed_name() {
        for source in SOURCES {
            let u = url(source.name);
            let file = u.strip_prefix("/static/").unwrap();
            assert_eq!(ASSETS.by_file[file], source.name);
        }
    }
}
