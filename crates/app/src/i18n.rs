//! Translations: every text a member or operator reads comes from the Fluent files in
//! `locales/`, Spanish (es-MX) first, English second. Message ids are the stable error codes.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Es => "es-MX",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.to_ascii_lowercase().as_str() {
            "es" | "es-mx" => Some(Lang::Es),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The translation files, embedded so the binary runs from anywhere.
const FILES: &[(Lang, &str, &str)] = &[
    (
        Lang::Es,
        "common.ftl",
        include_str!("../../../locales/es-MX/common.ftl"),
    ),
    (
        Lang::Es,
        "ids.ftl",
        include_str!("../../../locales/es-MX/ids.ftl"),
    ),
    (
        Lang::Es,
        "import.ftl",
        include_str!("../../../locales/es-MX/import.ftl"),
    ),
    (
        Lang::En,
        "common.ftl",
        include_str!("../../../locales/en/common.ftl"),
    ),
    (
        Lang::En,
        "ids.ftl",
        include_str!("../../../locales/en/ids.ftl"),
    ),
    (
        Lang::En,
        "import.ftl",
        include_str!("../../../locales/en/import.ftl"),
    ),
];

pub struct Messages {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

#[derive(Debug, thiserror::Error)]
#[error("translation file {lang}/{file} is invalid: {reason}")]
pub struct I18nError {
    lang: &'static str,
    file: &'static str,
    reason: String,
}

impl Messages {
    pub fn load() -> Result<Messages, I18nError> {
        let mut bundles = HashMap::new();
        for &(lang, file, text) in FILES {
            let err = |reason: String| I18nError {
                lang: lang.tag(),
                file,
                reason,
            };
            let id: LanguageIdentifier = lang.tag().parse().map_err(|e| err(format!("{e}")))?;
            let resource = FluentResource::try_new(text.to_owned())
                .map_err(|(_, errors)| err(format!("{errors:?}")))?;
            let bundle = bundles.entry(lang).or_insert_with(|| {
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // Bidi isolation marks would end up in CSV files and terminals.
                b.set_use_isolating(false);
                b
            });
            bundle
                .add_resource(resource)
                .map_err(|e| err(format!("{e:?}")))?;
        }
        Ok(Messages { bundles })
    }

    /// The message for `id`, or the id itself when a translation is missing (never a panic).
    pub fn text(&self, lang: Lang, id: &str) -> String {
        self.format(lang, id, None)
    }

    pub fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(bundle) = self.bundles.get(&lang) else {
            return id.to_owned();
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            if lang != Lang::Es {
                return self.format(Lang::Es, id, args);
            }
            tracing::warn!(id, "missing translation");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Whether `id` has a message in `lang`; used by the test that every code is translated.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundles.get(&lang).is_some_and(|b| b.has_message(id))
    }
}
