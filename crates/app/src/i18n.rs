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

/// Both languages' copy of each translation file, embedded so the binary runs from anywhere.
macro_rules! locale_files {
    ($($file:literal),*) => {
        &[$(
            (Lang::Es, $file, include_str!(concat!("../../../locales/es-MX/", $file))),
            (Lang::En, $file, include_str!(concat!("../../../locales/en/", $file))),
        )*]
    };
}

const FILES: &[(Lang, &str, &str)] = locale_files!(
    "common.ftl",
    "ids.ftl",
    "import.ftl",
    "accounts.ftl",
    "savings.ftl",
    "credit.ftl",
    "mycredit.ftl",
    "requests.ftl",
    "backoffice.ftl",
    "corrections.ftl",
    "appointments.ftl",
    "refund.ftl",
    "conversion.ftl",
    "application.ftl",
    "relief.ftl",
    "stats.ftl"
);

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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::auth::password::PasswordProblem;
    use domain::ids::IdError;

    /// SMS go out in the GSM 7-bit alphabet: one character outside it (á, í, ó, ú…) turns the
    /// whole message into UCS-2, 70 characters a part instead of 160, at twice the cost.
    #[test]
    fn every_sms_text_stays_in_the_gsm_alphabet() {
        const GSM: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                           ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        let mut checked = 0;
        for (lang, file, text) in FILES {
            for line in text.lines() {
                let Some((id, value)) = line.split_once(" = ") else {
                    continue;
                };
                if !id.contains("sms") {
                    continue;
                }
                checked += 1;
                let outside: String = value
                    .chars()
                    .filter(|c| !GSM.contains(*c) && !"{}[]~|\\^€".contains(*c))
                    .collect();
                assert!(outside.is_empty(), "{lang:?} {file} {id}: {outside}");
            }
        }
        assert!(checked >= 10, "{checked} SMS texts");
    }

    #[test]
    fn every_code_a_member_can_meet_is_translated_in_both_languages() {
        let messages = Messages::load().unwrap();
        let codes = IdError::ALL
            .iter()
            .map(|e| e.code())
            .chain(PasswordProblem::ALL.iter().map(|p| p.code()))
            .chain([
                "rfc_check_digit_warning",
                "free-and-personal",
                "service-unavailable",
            ])
            .chain([
                "registry_nss_unknown",
                "registry_curp_mismatch",
                "registry_rfc_mismatch",
                "email_invalid",
                "email_taken",
                "mobile_invalid",
                "mobile_taken",
                "terms_required",
                "account_exists",
                "code_wrong",
                "code_expired",
                "code_used",
                "code_too_many_attempts",
                "code_not_issued",
                "sign_in_failed",
                "sign_in_wait",
                "sign_in_code_required",
                "account_not_activated",
                "account_frozen",
                "service_unavailable",
                "code_resend_wait",
                "code_resend_limit",
                "current_password_wrong",
            ])
            .chain([
                "request_not_found",
                "request_closed",
                "request_wrong_state",
                "request_not_permitted",
                "request_state_changed",
                "request_answers_too_large",
                "folio_format",
                "folio_check",
                "request-reason-other",
                "request-notice-subject",
            ]);
        for code in codes {
            for lang in [Lang::Es, Lang::En] {
                assert!(
                    messages.has(lang, code),
                    "{code} has no {} text",
                    lang.tag()
                );
            }
        }
    }
}
