//! Password policy: length, not common, not the member's own data. No composition rules and
//! no expiry, as NIST SP 800-63B asks; any Unicode is allowed and normalised (NFKC) first, so
//! the same password typed on two keyboards is the same password.

use std::collections::HashSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// Shortest password accepted. 15 is recommended when the password is the only factor; the
/// sign-up page says so.
pub const MIN_CHARS: usize = 8;
/// Longest accepted: well above NIST's 64, short enough that hashing cannot be abused.
pub const MAX_CHARS: usize = 128;

const COMMON: &str = include_str!("../../../../data/common-passwords.txt");

static COMMON_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("password_too_short")]
    TooShort,
    #[error("password_too_long")]
    TooLong,
    #[error("password_common")]
    Common,
    #[error("password_personal_data")]
    PersonalData,
}

impl PasswordProblem {
    pub const ALL: [PasswordProblem; 4] = [
        PasswordProblem::TooShort,
        PasswordProblem::TooLong,
        PasswordProblem::Common,
        PasswordProblem::PersonalData,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password_too_short",
            PasswordProblem::TooLong => "password_too_long",
            PasswordProblem::Common => "password_common",
            PasswordProblem::PersonalData => "password_personal_data",
        }
    }
}

/// What the member's password must not contain.
#[derive(Clone, Debug, Default)]
pub struct PersonalData<'a> {
    pub nss: &'a str,
    pub curp: &'a str,
    pub rfc: &'a str,
    pub names: &'a [&'a str],
    pub email: &'a str,
    pub birth_date: Option<time::Date>,
}

/// A password that passed the policy, normalised: hash this, never the raw input.
#[derive(Clone, PartialEq, Eq)]
pub struct AcceptablePassword(String);

impl AcceptablePassword {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AcceptablePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AcceptablePassword(…)")
    }
}

/// NFKC normalisation: what is hashed at sign-up and compared at sign-in.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Lower case without accents, for comparing against names and lists.
fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn check(
    candidate: &str,
    personal: &PersonalData,
) -> Result<AcceptablePassword, PasswordProblem> {
    let normalized = normalize(candidate);
    let chars = normalized.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let folded = fold(&normalized);
    if COMMON_SET.contains(folded.as_str())
        || COMMON_SET.contains(normalized.to_lowercase().as_str())
    {
        return Err(PasswordProblem::Common);
    }
    if uses_personal_data(&folded, personal) {
        return Err(PasswordProblem::PersonalData);
    }
    Ok(AcceptablePassword(normalized))
}

fn uses_personal_data(folded: &str, p: &PersonalData) -> bool {
    let identifiers = [p.nss, p.curp, p.rfc.get(..10).unwrap_or(p.rfc)];
    if identifiers
        .iter()
        .any(|id| id.len() >= 8 && folded.contains(&fold(id)))
    {
        return true;
    }
    let local_part = p.email.split('@').next().unwrap_or("");
    if local_part.len() >= 4 && folded.contains(&fold(local_part)) {
        return true;
    }
    if let Some(birth) = p.birth_date {
        let (y, m, d) = (birth.year(), u8::from(birth.month()), birth.day());
        let dates = [format!("{d:02}{m:02}{y}"), format!("{y}{m:02}{d:02}")];
        if dates.iter().any(|date| folded.contains(date.as_str())) {
            return true;
        }
    }
    // Names with only digits or symbols around them ("maria1985!", "garciahernandez") are the
    // member's data: the letters split wholly into the member's name parts.
    let letters: String = folded.chars().filter(|c| c.is_alphabetic()).collect();
    let parts: Vec<String> = p
        .names
        .iter()
        .flat_map(|n| n.split_whitespace())
        .map(fold)
        .filter(|part| part.chars().count() >= 3)
        .collect();
    !letters.is_empty() && made_of(&letters, &parts)
}

/// Whether `text` is a concatenation of `parts` (each usable any number of times).
fn made_of(text: &str, parts: &[String]) -> bool {
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for start in 0..text.len() {
        if !reachable[start] || !text.is_char_boundary(start) {
            continue;
        }
        for part in parts {
            if text[start..].starts_with(part.as_str()) {
                reachable[start + part.len()] = true;
            }
        }
    }
    reachable[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn maria() -> PersonalData<'static> {
        PersonalData {
            nss: "01908567892",
            curp: "GAHM850312MDFRRR09",
            rfc: "GAHM850312K40",
            names: &["MARÍA", "GARCÍA", "HERNÁNDEZ"],
            email: "maria.garcia@example.mx",
            birth_date: Some(date!(1985 - 03 - 12)),
        }
    }

    #[test]
    fn length_is_counted_in_characters_after_normalisation() {
        assert_eq!(check("corto1!", &maria()), Err(PasswordProblem::TooShort));
        assert!(check("ñandú en la sierra", &maria()).is_ok());
        assert_eq!(
            check(&"x".repeat(129), &maria()),
            Err(PasswordProblem::TooLong)
        );
        assert!(
            check(&"río ".repeat(16), &maria()).is_ok(),
            "64 characters are allowed"
        );
        // Full-width letters normalise to the same password as ASCII ones.
        assert_eq!(normalize("ｐａｓｓ"), "pass");
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        for p in [
            "password",
            "PASSWORD1",
            "12345678",
            "Infonavit123",
            "qwerty123",
            "contraseña",
        ] {
            assert_eq!(check(p, &maria()), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn the_members_own_data_is_refused() {
        for p in [
            "01908567892",
            "mi curp GAHM850312MDFRRR09",
            "gahm850312xyz",
            "María1985!!",
            "12031985casa",
            "maria.garcia2026",
            "garciahernandez",
        ] {
            assert_eq!(
                check(p, &maria()),
                Err(PasswordProblem::PersonalData),
                "{p}"
            );
        }
        assert!(
            check("la casa de María en Oaxaca", &maria()).is_ok(),
            "a name inside a phrase is fine"
        );
    }

    #[test]
    fn there_are_no_composition_rules() {
        assert!(check("caballo bateria grapa correcta", &maria()).is_ok());
        assert!(check("zzzzxqwvbnmlkjh", &maria()).is_ok());
    }

    #[test]
    fn the_shipped_list_is_large() {
        assert!(COMMON_SET.len() > 20_000);
    }
}
