//! Data corrections (domain.md §12): a member asks to correct their name, CURP or RFC in the
//! fund's records. Before anything is filed, the proposal is checked the way the records will be:
//! the CURP and the RFC are built from the name and the birth date (RENAPO's and the SAT's
//! rules, `ids::generate`), so a proposed CURP whose letters do not follow from the proposed
//! name — an accent or an Ñ typed differently, a surname in the wrong field — is caught here, with
//! the field and the reason, instead of coming back rejected weeks later.

use serde::{Deserialize, Serialize};

use crate::ids::generate::{self, NameParts};
use crate::ids::{Curp, Rfc};
use crate::registry::Person;

/// A field a member can ask to correct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionField {
    GivenNames,
    FirstSurname,
    SecondSurname,
    Curp,
    Rfc,
}

impl CorrectionField {
    pub const ALL: [CorrectionField; 5] = [
        CorrectionField::GivenNames,
        CorrectionField::FirstSurname,
        CorrectionField::SecondSurname,
        CorrectionField::Curp,
        CorrectionField::Rfc,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CorrectionField::GivenNames => "given_names",
            CorrectionField::FirstSurname => "first_surname",
            CorrectionField::SecondSurname => "second_surname",
            CorrectionField::Curp => "curp",
            CorrectionField::Rfc => "rfc",
        }
    }
}

/// The data as the member says it should read. Names are compared in upper case, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: String,
    pub curp: String,
    pub rfc: String,
}

impl Proposal {
    /// The member's current data, as the form starts.
    pub fn from_person(p: &Person) -> Proposal {
        Proposal {
            given_names: p.given_names.clone(),
            first_surname: p.first_surname.clone(),
            second_surname: p.second_surname.clone(),
            curp: p.curp.as_str().to_owned(),
            rfc: p.rfc.as_str().to_owned(),
        }
    }
}

/// Why a field of a proposal would be rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Empty where a value is required (given names, first surname, CURP, RFC).
    Required,
    /// Characters a name cannot have: digits, symbols.
    NameCharacters,
    /// Longer than the records hold.
    TooLong,
    /// Not a valid CURP or RFC (format or check digit).
    Invalid,
    /// The CURP's letters do not follow from the name.
    CurpNameMismatch,
    /// The CURP's date or sex is not the member's.
    CurpBirthMismatch,
    /// The RFC's letters do not follow from the name.
    RfcNameMismatch,
    /// The RFC's date is not the member's birth date.
    RfcBirthMismatch,
    /// Nothing differs from the records.
    NoChange,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "correction_required",
            Problem::NameCharacters => "correction_name_characters",
            Problem::TooLong => "correction_too_long",
            Problem::Invalid => "correction_invalid",
            Problem::CurpNameMismatch => "correction_curp_name_mismatch",
            Problem::CurpBirthMismatch => "correction_curp_birth_mismatch",
            Problem::RfcNameMismatch => "correction_rfc_name_mismatch",
            Problem::RfcBirthMismatch => "correction_rfc_birth_mismatch",
            Problem::NoChange => "correction_no_change",
        }
    }
}

/// One change: the field, what the records say and what they should say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: CorrectionField,
    pub from: String,
    pub to: String,
}

/// A proposal that passed every check: the changes, and the person as they will be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub changes: Vec<Change>,
    pub corrected: Person,
}

/// The longest name field the records hold.
pub const MAX_NAME: usize = 50;

fn clean_name(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

fn name_problem(name: &str, required: bool) -> Option<Problem> {
    if name.is_empty() {
        return required.then_some(Problem::Required);
    }
    if name.chars().count() > MAX_NAME {
        return Some(Problem::TooLong);
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.');
    (!name.chars().all(allowed)).then_some(Problem::NameCharacters)
}

/// Checks a proposal against the member's records. Every problem is reported with its field,
/// so the form can say what to fix before anything is filed.
pub fn check(
    current: &Person,
    proposal: &Proposal,
) -> Result<Checked, Vec<(CorrectionField, Problem)>> {
    let given = clean_name(&proposal.given_names);
    let first = clean_name(&proposal.first_surname);
    let second = clean_name(&proposal.second_surname);
    let mut problems = Vec::new();
    for (field, value, required) in [
        (CorrectionField::GivenNames, &given, true),
        (CorrectionField::FirstSurname, &first, true),
        (CorrectionField::SecondSurname, &second, false),
    ] {
        if let Some(p) = name_problem(value, required) {
            problems.push((field, p));
        }
    }
    let curp_text = proposal.curp.trim().to_uppercase();
    let rfc_text = proposal.rfc.trim().to_uppercase();
    let curp = if curp_text.is_empty() {
        problems.push((CorrectionField::Curp, Problem::Required));
        None
    } else {
        Curp::parse(&curp_text)
            .map_err(|_| problems.push((CorrectionField::Curp, Problem::Invalid)))
            .ok()
    };
    let rfc = if rfc_text.is_empty() {
        problems.push((CorrectionField::Rfc, Problem::Required));
        None
    } else {
        Rfc::parse(&rfc_text)
            .map_err(|_| problems.push((CorrectionField::Rfc, Problem::Invalid)))
            .ok()
    };
    let names_ok = !problems.iter().any(|(f, _)| {
        matches!(
            f,
            CorrectionField::GivenNames
                | CorrectionField::FirstSurname
                | CorrectionField::SecondSurname
        )
    });
    let parts = NameParts {
        first_surname: &first,
        second_surname: &second,
        given_names: &given,
    };
    let birth = current.birth_date;
    if let (Some(curp), true) = (&curp, names_ok) {
        // The letters that come from the name: the four initials and the three inner
        // consonants. The date and sex come from the birth record, which is not corrected here.
        let expected = generate::curp(&parts, birth, current.sex, curp.state_code(), 0);
        let (got, want) = (curp.as_str().as_bytes(), expected.as_str().as_bytes());
        if got[..4] != want[..4] || got[13..16] != want[13..16] {
            problems.push((CorrectionField::Curp, Problem::CurpNameMismatch));
        }
        if got[4..11] != want[4..11] {
            problems.push((CorrectionField::Curp, Problem::CurpBirthMismatch));
        }
    }
    if let (Some(rfc), true) = (&rfc, names_ok) {
        let expected = generate::rfc_person(&parts, birth);
        let (got, want) = (rfc.as_str().as_bytes(), expected.as_str().as_bytes());
        if got.len() != want.len() || got[..4] != want[..4] {
            problems.push((CorrectionField::Rfc, Problem::RfcNameMismatch));
        }
        if got.len() != want.len() || got[4..10] != want[4..10] {
            problems.push((CorrectionField::Rfc, Problem::RfcBirthMismatch));
        }
    }
    let (Some(curp), Some(rfc)) = (curp, rfc) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let changes: Vec<Change> = [
        (CorrectionField::GivenNames, &current.given_names, &given),
        (
            CorrectionField::FirstSurname,
            &current.first_surname,
            &first,
        ),
        (
            CorrectionField::SecondSurname,
            &current.second_surname,
            &second,
        ),
        (
            CorrectionField::Curp,
            &current.curp.as_str().to_owned(),
            &curp.as_str().to_owned(),
        ),
        (
            CorrectionField::Rfc,
            &current.rfc.as_str().to_owned(),
            &rfc.as_str().to_owned(),
        ),
    ]
    .into_iter()
    .filter(|(_, from, to)| from != to)
    .map(|(field, from, to)| Change {
        field,
        from: from.clone(),
        to: to.clone(),
    })
    .collect();
    if changes.is_empty() {
        return Err(vec![(CorrectionField::GivenNames, Problem::NoChange)]);
    }
    Ok(Checked {
        changes,
        corrected: Person {
            curp,
            rfc,
            given_names: given,
            first_surname: first,
            second_surname: second,
            ..current.clone()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Sex, StateCode};
    use time::macros::date;

    /// Records with a typo in the second surname: HERNADEZ for HERNÁNDEZ. The CURP and RFC on
    /// record were built from the right name.
    fn maria() -> Person {
        let right = NameParts {
            first_surname: "GARCÍA",
            second_surname: "HERNÁNDEZ",
            given_names: "MARÍA",
        };
        let birth = date!(1985 - 03 - 12);
        Person {
            nss: generate::nss(1, 2005, 1985, 7),
            curp: generate::curp(&right, birth, Sex::Female, "DF", 0),
            rfc: generate::rfc_person(&right, birth),
            first_surname: "GARCÍA".into(),
            second_surname: "HERNADEZ".into(),
            given_names: "MARÍA".into(),
            birth_date: birth,
            sex: Sex::Female,
            state: StateCode(9),
        }
    }

    #[test]
    fn a_misspelt_surname_is_corrected_when_the_curp_and_rfc_agree() {
        let current = maria();
        let mut proposal = Proposal::from_person(&current);
        proposal.second_surname = "  hernández ".into();
        let checked = check(&current, &proposal).unwrap();
        assert_eq!(
            checked.changes,
            [Change {
                field: CorrectionField::SecondSurname,
                from: "HERNADEZ".into(),
                to: "HERNÁNDEZ".into(),
            }]
        );
        assert_eq!(checked.corrected.second_surname, "HERNÁNDEZ");
        assert_eq!(checked.corrected.curp, current.curp);
    }

    #[test]
    fn a_curp_that_does_not_follow_from_the_name_is_caught_before_filing() {
        let current = maria();
        let mut proposal = Proposal::from_person(&current);
        // Surnames swapped: the CURP on record no longer follows from the name.
        proposal.first_surname = "HERNÁNDEZ".into();
        proposal.second_surname = "GARCÍA".into();
        let problems = check(&current, &proposal).unwrap_err();
        assert!(problems.contains(&(CorrectionField::Curp, Problem::CurpNameMismatch)));
        assert!(problems.contains(&(CorrectionField::Rfc, Problem::RfcNameMismatch)));
        // A CURP with another birth date.
        let other = generate::curp(
            &NameParts {
                first_surname: "GARCÍA",
                second_surname: "HERNÁNDEZ",
                given_names: "MARÍA",
            },
            date!(1986 - 03 - 12),
            Sex::Female,
            "DF",
            0,
        );
        let mut proposal = Proposal::from_person(&current);
        proposal.curp = other.as_str().into();
        let problems = check(&current, &proposal).unwrap_err();
        assert_eq!(
            problems,
            [(CorrectionField::Curp, Problem::CurpBirthMismatch)]
        );
    }

    #[test]
    fn bad_characters_invalid_identifiers_and_no_change_are_refused() {
        let current = maria();
        let mut proposal = Proposal::from_person(&current);
        proposal.given_names = "MAR1A".into();
        proposal.curp = "GAHM850312MDFRRR00".into();
        proposal.rfc = String::new();
        let problems = check(&current, &proposal).unwrap_err();
        assert!(problems.contains(&(CorrectionField::GivenNames, Problem::NameCharacters)));
        assert!(problems.contains(&(CorrectionField::Curp, Problem::Invalid)));
        assert!(problems.contains(&(CorrectionField::Rfc, Problem::Required)));
        let unchanged = Proposal::from_person(&current);
        assert_eq!(
            check(&current, &unchanged).unwrap_err(),
            [(CorrectionField::GivenNames, Problem::NoChange)]
        );
        // Ñ and accents are letters.
        let mut proposal = Proposal::from_person(&current);
        proposal.given_names = "x".repeat(MAX_NAME + 1);
        assert!(
            check(&current, &proposal)
                .unwrap_err()
                .contains(&(CorrectionField::GivenNames, Problem::TooLong))
        );
        assert_eq!(name_problem("PEÑA NIETO-O'BRIEN", true), None);
    }
}
