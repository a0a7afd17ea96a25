//! The service centres (CESI): where each is, its opening hours and how many desks attend at
//! once. They are data (`data/cesi_offices.csv`), read like the reference tables: a fund replaces
//! the file by dropping one of the same name in its data directory, and a broken file is refused
//! at start-up with the line and the reason.

use std::collections::HashSet;

use serde::Serialize;
use time::{Time, Weekday};

use crate::reference::csv::{self, LastColumn, Row};
use crate::reference::{ReferenceError, State};
use crate::registry::StateCode;

/// The file's name, in `data/` and in a fund's data directory.
pub const FILE_NAME: &str = "cesi_offices.csv";

/// No office opens before this or closes after it: earlier or later hours are a typing slip.
const EARLIEST: Time = time::macros::time!(6:00);
const LATEST: Time = time::macros::time!(22:00);
/// An office open for less than this a day could not take one appointment.
const SHORTEST_DAY_MINUTES: i64 = 30;
const MOST_DESKS: u32 = 50;

/// Monday to Saturday, the days an office may open, in the file's column order.
pub const WEEKDAYS: [(Weekday, &str); 6] = [
    (Weekday::Monday, "mon"),
    (Weekday::Tuesday, "tue"),
    (Weekday::Wednesday, "wed"),
    (Weekday::Thursday, "thu"),
    (Weekday::Friday, "fri"),
    (Weekday::Saturday, "sat"),
];

/// An office's code: three letters of its state's ISO 3166-2 code and two digits, "NLE01".
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OfficeCode(String);

impl OfficeCode {
    /// A typed code; case does not matter.
    pub fn parse(text: &str) -> Option<OfficeCode> {
        let code = text.trim().to_ascii_uppercase();
        let b = code.as_bytes();
        let well_formed = b.len() == 5
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3..].iter().all(u8::is_ascii_digit);
        well_formed.then_some(OfficeCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// When an office is open on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OpeningHours {
    pub opens: Time,
    pub closes: Time,
}

impl OpeningHours {
    /// "08:30-14:30".
    fn parse(text: &str) -> Option<OpeningHours> {
        let (opens, closes) = text.split_once('-')?;
        Some(OpeningHours {
            opens: hh_mm(opens)?,
            closes: hh_mm(closes)?,
        })
    }

    /// Minutes after midnight at which the office opens and closes.
    pub fn minutes(&self) -> (u16, u16) {
        (minute_of_day(self.opens), minute_of_day(self.closes))
    }
}

/// Minutes after midnight.
pub fn minute_of_day(t: Time) -> u16 {
    u16::from(t.hour()) * 60 + u16::from(t.minute())
}

/// "08:30": two digits, a colon, two digits, on a five-minute mark.
fn hh_mm(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
    if m % 5 != 0 {
        return None;
    }
    Time::from_hms(h, m, 0).ok()
}

/// One service centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Office {
    pub code: OfficeCode,
    pub state: StateCode,
    pub city: String,
    pub name: String,
    /// People attending at once: how many appointments one slot takes.
    pub desks: u32,
    /// Monday to Saturday, in [`WEEKDAYS`] order; `None` where it does not open.
    pub hours: [Option<OpeningHours>; 6],
    pub address: String,
}

impl Office {
    /// The hours on a day of the week; Sundays never open.
    pub fn hours_on(&self, weekday: Weekday) -> Option<OpeningHours> {
        WEEKDAYS
            .iter()
            .position(|(day, _)| *day == weekday)
            .and_then(|i| self.hours.get(i).copied().flatten())
    }
}

/// Every office, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offices {
    offices: Vec<Office>,
}

impl Offices {
    /// Reads the file's text, checking each row against the states it may name. Errors name
    /// the line: a malformed row, an unknown state, a code that does not match its state,
    /// hours that are not sane, a code, name or address given twice.
    pub fn parse(text: &str, states: &[State]) -> Result<Offices, ReferenceError> {
        let columns = &[
            "code", "state", "city", "name", "desks", "mon", "tue", "wed", "thu", "fri", "sat",
            "address",
        ];
        let rows = csv::read(FILE_NAME, text, columns, LastColumn::FreeText)?;
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let mut addresses = HashSet::new();
        let mut offices = Vec::with_capacity(rows.len());
        for row in &rows {
            let office = office(row, states)?;
            if !codes.insert(office.code.clone()) {
                return Err(row.invalid(format!("the office {} is listed twice", office.code)));
            }
            if !names.insert(office.name.to_lowercase()) {
                return Err(row.invalid(format!("the name `{}` is used twice", office.name)));
            }
            if !addresses.insert(office.address.to_lowercase()) {
                return Err(row.invalid(format!(
                    "the address `{}` is given to two offices",
                    office.address
                )));
            }
            offices.push(office);
        }
        Ok(Offices { offices })
    }

    /// The copy built into this release (the repository's `data/` directory).
    pub fn embedded(states: &[State]) -> Result<Offices, ReferenceError> {
        Offices::parse(Offices::embedded_text(), states)
    }

    pub fn embedded_text() -> &'static str {
        include_str!("../../../../data/cesi_offices.csv")
    }

    pub fn all(&self) -> &[Office] {
        &self.offices
    }

    pub fn len(&self) -> usize {
        self.offices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offices.is_empty()
    }

    /// The office with this code (any case).
    pub fn by_code(&self, code: &str) -> Option<&Office> {
        let code = OfficeCode::parse(code)?;
        self.offices.iter().find(|o| o.code == code)
    }

    /// The offices of one state, by name as a dictionary orders it (Álvaro before Azcapotzalco).
    pub fn in_state(&self, state: StateCode) -> Vec<&Office> {
        let mut found: Vec<&Office> = self.offices.iter().filter(|o| o.state == state).collect();
        found.sort_by_cached_key(|o| dictionary_order(&o.name));
        found
    }

    /// The states that have at least one office, in INEGI order.
    pub fn states(&self) -> Vec<StateCode> {
        let mut states: Vec<StateCode> = self.offices.iter().map(|o| o.state).collect();
        states.sort_unstable();
        states.dedup();
        states
    }
}

/// The name without accents, in lower case: what a dictionary sorts by.
fn dictionary_order(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn office(row: &Row<'_>, states: &[State]) -> Result<Office, ReferenceError> {
    let code_text = row.required("code")?;
    let code = OfficeCode::parse(code_text).ok_or_else(|| {
        row.parse_error(format!(
            "code: `{code_text}` is not three letters and two digits (like NLE01)"
        ))
    })?;
    let state_text = row.required("state")?;
    let state = state_text
        .parse::<u8>()
        .ok()
        .and_then(StateCode::new)
        .and_then(|code| states.iter().find(|s| s.inegi == code))
        .ok_or_else(|| {
            row.invalid(format!(
                "state: `{state_text}` is not the INEGI number of a state in states.csv"
            ))
        })?;
    let iso = state.iso.trim_start_matches("MX-");
    if !code.as_str().starts_with(iso) {
        return Err(row.invalid(format!(
            "the code {code} should start with {iso}, the ISO code of {}",
            state.name
        )));
    }
    let desks_text = row.required("desks")?;
    let desks = desks_text
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MOST_DESKS).contains(d))
        .ok_or_else(|| {
            row.invalid(format!(
                "desks: `{desks_text}` is not a whole number from 1 to {MOST_DESKS}"
            ))
        })?;
    let mut hours = [None; 6];
    for (slot, (_, column)) in hours.iter_mut().zip(WEEKDAYS) {
        *slot = day_hours(row, column)?;
    }
    if hours.iter().all(Option::is_none) {
        return Err(row.invalid("the office never opens: give the hours of at least one day"));
    }
    Ok(Office {
        code,
        state: state.inegi,
        city: row.required("city")?.to_owned(),
        name: row.required("name")?.to_owned(),
        desks,
        hours,
        address: row.required("address")?.to_owned(),
    })
}

fn day_hours(row: &Row<'_>, column: &str) -> Result<Option<OpeningHours>, ReferenceError> {
    let text = row.text(column)?;
    if text.is_empty() {
        return Ok(None);
    }
    let hours = OpeningHours::parse(text).ok_or_else(|| {
        row.parse_error(format!(
            "{column}: `{text}` is not opening hours like 08:30-14:30 (five-minute marks), or empty when closed"
        ))
    })?;
    if hours.opens < EARLIEST || hours.closes > LATEST {
        return Err(row.invalid(format!(
            "{column}: `{text}` is outside 06:00-22:00; check the hours"
        )));
    }
    if (hours.closes - hours.opens).whole_minutes() < SHORTEST_DAY_MINUTES {
        return Err(row.invalid(format!(
            "{column}: `{text}` closes before it opens, or opens for less than {SHORTEST_DAY_MINUTES} minutes"
        )));
    }
    Ok(Some(hours))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceTables;

    fn states() -> Vec<State> {
        ReferenceTables::embedded().unwrap().states
    }

    const HEADER: &str = "code,state,city,name,desks,mon,tue,wed,thu,fri,sat,address\n";
    const WEEK: &str = "08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30";

    fn one(row: &str) -> Result<Offices, ReferenceError> {
        Offices::parse(&format!("# a comment\n{HEADER}{row}\n"), &states())
    }

    fn reason(result: Result<Offices, ReferenceError>) -> String {
        match result {
            Err(ReferenceError::Invalid { line, reason, .. })
            | Err(ReferenceError::Parse { line, reason, .. }) => {
                assert_eq!(line, 3, "{reason}");
                reason
            }
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn the_built_in_file_has_103_offices_in_all_32_states() {
        let offices = Offices::embedded(&states()).unwrap();
        assert_eq!(offices.len(), 103);
        assert_eq!(offices.states().len(), 32);
        // More where more people work.
        let count = |s: u8| offices.in_state(StateCode(s)).len();
        for (big, small) in [(9, 6), (15, 29), (14, 4), (19, 32)] {
            assert!(count(big) > count(small), "{big} vs {small}");
        }
        let monterrey = offices.by_code("nle01").unwrap();
        assert_eq!(monterrey.city, "Monterrey");
        let hours = |o: &Office, d| o.hours_on(d).map(|h| h.minutes());
        assert_eq!(
            hours(monterrey, Weekday::Friday),
            Some((8 * 60 + 30, 18 * 60))
        );
        assert_eq!(
            hours(monterrey, Weekday::Saturday),
            Some((8 * 60 + 30, 14 * 60 + 30))
        );
        assert_eq!(hours(monterrey, Weekday::Sunday), None);
        let others = offices.all().iter().filter(|o| o.code != monterrey.code);
        for office in others {
            assert_eq!(hours(office, Weekday::Saturday), None, "{}", office.code);
            assert_eq!(
                hours(office, Weekday::Monday),
                Some((8 * 60 + 30, 14 * 60 + 30))
            );
        }
        let cdmx: Vec<&str> = offices
            .in_state(StateCode(9))
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(cdmx.len(), 11);
        assert_eq!(
            &cdmx[..3],
            [
                "CESI Álvaro Obregón",
                "CESI Azcapotzalco",
                "CESI Benito Juárez"
            ]
        );
        assert!(
            Offices::embedded_text().contains("ILLUSTRATIVE"),
            "the header says the addresses are not real"
        );
    }

    #[test]
    fn a_good_row_reads_and_the_address_keeps_its_commas() {
        let offices = one(&format!(
            "NLE07,19,General Escobedo,CESI Escobedo,4,{WEEK},09:00-13:00,Av. Juárez 5, Col. Centro, Escobedo, N.L."
        ))
        .unwrap();
        let office = &offices.all()[0];
        assert_eq!(office.address, "Av. Juárez 5, Col. Centro, Escobedo, N.L.");
        assert_eq!(office.state, StateCode(19));
        assert_eq!(office.desks, 4);
        assert_eq!(
            office.hours_on(Weekday::Saturday).map(|h| h.minutes()),
            Some((540, 780))
        );
        assert_eq!(offices.in_state(StateCode(19)).len(), 1);
        assert!(offices.in_state(StateCode(9)).is_empty());
    }

    #[test]
    fn bad_rows_are_refused_with_their_line_and_a_reason() {
        let row = |code: &str, state: &str, desks: &str, mon: &str, sat: &str| {
            format!(
                "{code},{state},Monterrey,CESI Prueba,{desks},{mon},08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30,{sat},Calle 1"
            )
        };
        let cases = [
            (row("NL01", "19", "3", "08:30-14:30", ""), "three letters"),
            (row("NLE01", "33", "3", "08:30-14:30", ""), "INEGI number"),
            (
                row("JAL01", "19", "3", "08:30-14:30", ""),
                "should start with NLE",
            ),
            (row("NLE01", "19", "0", "08:30-14:30", ""), "desks"),
            (
                row("NLE01", "19", "3", "8:30-14:30", ""),
                "opening hours like",
            ),
            (row("NLE01", "19", "3", "08:31-14:30", ""), "five-minute"),
            (
                row("NLE01", "19", "3", "14:30-08:30", ""),
                "closes before it opens",
            ),
            (
                row("NLE01", "19", "3", "08:30-08:45", ""),
                "less than 30 minutes",
            ),
            (row("NLE01", "19", "3", "05:00-14:30", ""), "06:00-22:00"),
            (row("NLE01", "19", "3", "08:30-23:00", ""), "06:00-22:00"),
        ];
        for (text, expected) in cases {
            let why = reason(one(&text));
            assert!(why.contains(expected), "{text}: {why}");
        }
        let closed = "NLE01,19,Monterrey,CESI Prueba,3,,,,,,,Calle 1";
        assert!(reason(one(closed)).contains("never opens"));
        let short = "NLE01,19,Monterrey,CESI Prueba,3";
        assert!(reason(one(short)).contains("expected 12 columns"));
    }

    #[test]
    fn an_office_a_name_or_an_address_given_twice_is_refused() {
        let a = format!("NLE01,19,Monterrey,CESI Uno,3,{WEEK},,Calle 1");
        for (b, expected) in [
            (
                format!("NLE01,19,Monterrey,CESI Dos,3,{WEEK},,Calle 2"),
                "listed twice",
            ),
            (
                format!("NLE02,19,Monterrey,CESI uno,3,{WEEK},,Calle 2"),
                "used twice",
            ),
            (
                format!("NLE02,19,Monterrey,CESI Dos,3,{WEEK},,calle 1"),
                "two offices",
            ),
        ] {
            let text = format!("{HEADER}{a}\n{b}\n");
            match Offices::parse(&text, &states()) {
                Err(ReferenceError::Invalid {
                    line: 3, reason, ..
                }) => {
                    assert!(reason.contains(expected), "{reason}")
                }
                other => panic!("{b}: {other:?}"),
            }
        }
        assert!(matches!(
            Offices::parse(HEADER, &states()),
            Err(ReferenceError::Parse { .. })
        ));
    }
}
