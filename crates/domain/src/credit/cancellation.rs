//! The mortgage-cancellation letter (domain.md §8.1): the three routes that release a mortgage,
//! the data each asks for and how each field is checked, and how long the letter is valid.

use std::collections::BTreeMap;

use time::{Date, Duration};

/// How long the notary or registry has to receive the letter.
pub const VALID_DAYS: i64 = 180;

pub const ROUTES: [&str; 3] = [
    "notary_public_deed",
    "notary_private_instrument",
    "public_registry",
];

/// Credit lines (líneas de crédito) I to V.
pub const CREDIT_LINES: [&str; 5] = ["I", "II", "III", "IV", "V"];

/// States where the release must go through a notary (INEGI codes: BCS, Coahuila, Guanajuato,
/// Jalisco, Michoacán, Veracruz, Yucatán).
pub const NOTARY_ONLY_STATES: [u8; 7] = [3, 5, 11, 14, 16, 30, 31];

const NOTARY: [&str; 6] = [
    "notary_name",
    "notary_number",
    "notary_address",
    "notary_postal_code",
    "notary_email",
    "notary_phone",
];

/// The fields each route asks for, in the order the form shows them.
pub fn fields_of(route: &str) -> Vec<&'static str> {
    let mut fields = vec!["property_address", "credit_line", "originated_on"];
    match route {
        "notary_public_deed" => {
            fields.extend(NOTARY);
            fields.extend([
                "deed_number",
                "originating_notary_name",
                "originating_notary_number",
            ]);
        }
        "notary_private_instrument" => {
            fields.extend(NOTARY);
            fields.push("instrument_number");
        }
        "public_registry" => fields.extend([
            "folio_real",
            "recorded_on",
            "registry_state",
            "deed_number",
            "originating_notary_name",
            "originating_notary_number",
        ]),
        _ => {}
    }
    fields
}

/// What the member said, checked: the route and its fields, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub route: &'static str,
    pub fields: BTreeMap<&'static str, String>,
}

/// Checks the form: the route and its fields, or each field that is wrong with a code.
pub fn validate(
    form: &BTreeMap<String, String>,
    today: Date,
) -> Result<Checked, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let route = form.get("route").map(|r| r.trim()).unwrap_or_default();
    let Some(route) = ROUTES.into_iter().find(|r| *r == route) else {
        return Err(vec![("route", "route_unknown")]);
    };
    let mut kept = BTreeMap::new();
    for field in fields_of(route) {
        let value = form.get(field).map(|v| v.trim()).unwrap_or_default();
        match check(field, value, today) {
            Ok(v) => {
                kept.insert(field, v);
            }
            Err(code) => errors.push((field, code)),
        }
    }
    if errors.is_empty() {
        Ok(Checked {
            route,
            fields: kept,
        })
    } else {
        Err(errors)
    }
}

fn check(field: &'static str, value: &str, today: Date) -> Result<String, &'static str> {
    if value.is_empty() {
        return Err("field_required");
    }
    let digits = |min: usize, max: usize, code| {
        let d: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        if (min..=max).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) {
            Ok(d)
        } else {
            Err(code)
        }
    };
    let date = || match crate::dates::parse_iso(value) {
        Ok(d) if d <= today => Ok(crate::dates::iso(d)),
        Ok(_) => Err("date_in_future"),
        Err(_) => Err("date_invalid"),
    };
    match field {
        "notary_postal_code" => digits(5, 5, "postal_code_format"),
        "notary_phone" => digits(10, 10, "phone_format"),
        "notary_number" | "originating_notary_number" => digits(1, 4, "notary_number_format"),
        "originated_on" | "recorded_on" => date(),
        "credit_line" => CREDIT_LINES
            .into_iter()
            .find(|l| l.eq_ignore_ascii_case(value))
            .map(str::to_owned)
            .ok_or("credit_line_unknown"),
        "notary_email" => {
            let ok = value.len() <= 120
                && value.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty() && host.contains('.') && !value.contains(char::is_whitespace)
                });
            if ok {
                Ok(value.to_owned())
            } else {
                Err("email_format")
            }
        }
        "registry_state" => match value.parse::<u8>() {
            Ok(n) if NOTARY_ONLY_STATES.contains(&n) => Err("registry_state_notary_only"),
            Ok(n) if (1..=32).contains(&n) => Ok(n.to_string()),
            _ => Err("registry_state_unknown"),
        },
        _ if value.chars().count() > 200 => Err("field_too_long"),
        _ => Ok(value.to_owned()),
    }
}

/// The last day the letter of a request submitted on `submitted_on` is valid.
pub fn valid_until(submitted_on: Date) -> Date {
    submitted_on + Duration::days(VALID_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn each_route_asks_for_its_own_data() {
        let today = date!(2026 - 11 - 26);
        let registry = form(&[
            ("route", "public_registry"),
            ("property_address", "Calle Uno 12, Monterrey, NL"),
            ("credit_line", "ii"),
            ("originated_on", "2006-02-01"),
            ("folio_real", "123456"),
            ("recorded_on", "2006-03-15"),
            ("registry_state", "19"),
            ("deed_number", "4512"),
            ("originating_notary_name", "Lic. Ana Ruiz"),
            ("originating_notary_number", "62"),
        ]);
        let answers = validate(&registry, today).unwrap();
        assert_eq!(answers.fields["credit_line"], "II");
        assert!(!answers.fields.contains_key("notary_email"));
        // Jalisco only releases through a notary.
        let mut jalisco = registry.clone();
        jalisco.insert("registry_state".into(), "14".into());
        assert_eq!(
            validate(&jalisco, today).unwrap_err(),
            vec![("registry_state", "registry_state_notary_only")]
        );
        let notary = form(&[
            ("route", "notary_private_instrument"),
            ("notary_postal_code", "6400"),
            ("notary_phone", "81 1234 5678"),
            ("notary_email", "notaria62@example"),
            ("originated_on", "2030-01-01"),
        ]);
        let errors = validate(&notary, today).unwrap_err();
        for expected in [
            ("property_address", "field_required"),
            ("originated_on", "date_in_future"),
            ("notary_postal_code", "postal_code_format"),
            ("notary_email", "email_format"),
            ("instrument_number", "field_required"),
        ] {
            assert!(errors.contains(&expected), "{expected:?} in {errors:?}");
        }
        assert!(
            !errors.iter().any(|(f, _)| *f == "notary_phone"),
            "{errors:?}"
        );
        assert_eq!(
            validate(&form(&[("route", "by_mail")]), today).unwrap_err(),
            vec![("route", "route_unknown")]
        );
        assert_eq!(valid_until(date!(2026 - 11 - 26)), date!(2027 - 05 - 25));
    }
}
