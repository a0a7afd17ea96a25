//! Identifiers built from a person's data, for the synthetic population and for tests. Every
//! result passes `parse`: out-of-range numbers are reduced to the field's width and an unknown
//! state code becomes "NE" (born abroad), rather than failing.

use time::Date;

use super::curp::{self, BORN_ABROAD};
use super::{Clabe, Curp, Nss, Rfc, ascii_digit, calendar_date, names};
use crate::registry::Sex;

/// A person's name as recorded: each field may hold several words, accents and Ñ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameParts<'a> {
    pub first_surname: &'a str,
    pub second_surname: &'a str,
    pub given_names: &'a str,
}

/// The CURP RENAPO would assign. `homonym` (taken modulo 10) is the differentiator RENAPO uses
/// between people with the same key: a digit for births before 2000, a letter A… from 2000.
pub fn curp(name: &NameParts, birth: Date, sex: Sex, state_curp_code: &str, homonym: u8) -> Curp {
    let (initials, consonants) = names::curp_letters(name);
    let born_from_2000 = birth.year() >= 2000;
    let mut date = date_digits(birth);
    // The CURP knows two centuries only: 29 February 1600 would read as 1900, which had none.
    let century = if born_from_2000 { 2000 } else { 1900 };
    let year = century + birth.year().rem_euclid(100);
    if calendar_date(year, u8::from(birth.month()), birth.day()).is_none() {
        date[4..].copy_from_slice(b"28");
    }
    let differentiator = if born_from_2000 {
        b'A' + homonym % 10
    } else {
        ascii_digit(homonym)
    };

    let mut body = [0; 17];
    body[..4].copy_from_slice(&initials);
    body[4..10].copy_from_slice(&date);
    body[10] = sex.letter() as u8;
    body[11..13].copy_from_slice(&curp_state(state_curp_code));
    body[13..16].copy_from_slice(&consonants);
    body[16] = differentiator;
    Curp::from_body(body)
}

/// The person RFC the SAT would assign, homoclave and check digit included (so
/// `rfc.warning()` is `None`).
pub fn rfc_person(name: &NameParts, birth: Date) -> Rfc {
    Rfc::person(
        names::rfc_letters(name),
        date_digits(birth),
        names::rfc_homonym(name),
    )
}

/// An NSS: subdelegation, the two last digits of each year, a four-digit serial, check digit.
pub fn nss(subdelegation: u8, registration_year: i32, birth_year: i32, serial: u16) -> Nss {
    let mut body = [0; 10];
    write_digits(&mut body[..2], u64::from(subdelegation));
    write_digits(&mut body[2..4], two_last_digits(registration_year));
    write_digits(&mut body[4..6], two_last_digits(birth_year));
    write_digits(&mut body[6..], u64::from(serial));
    Nss::from_body(body)
}

/// A CLABE: bank code (a number, last three digits kept; not a number counts as "000"), plaza,
/// account, check digit.
pub fn clabe(bank_code: &str, plaza: u16, account: u64) -> Clabe {
    let bank = bank_code.trim().parse::<u16>().unwrap_or(0);
    let mut body = [0; 17];
    write_digits(&mut body[..3], u64::from(bank));
    write_digits(&mut body[3..6], u64::from(plaza));
    write_digits(&mut body[6..], account);
    Clabe::from_body(body)
}

/// YYMMDD.
fn date_digits(date: Date) -> [u8; 6] {
    let mut digits = [0; 6];
    write_digits(&mut digits[..2], two_last_digits(date.year()));
    write_digits(&mut digits[2..4], u64::from(u8::from(date.month())));
    write_digits(&mut digits[4..], u64::from(date.day()));
    digits
}

fn two_last_digits(year: i32) -> u64 {
    u64::from(year.rem_euclid(100).unsigned_abs())
}

/// Fills `out` with the last `out.len()` decimal digits of `value`, zero-padded.
fn write_digits(out: &mut [u8], mut value: u64) {
    for slot in out.iter_mut().rev() {
        *slot = ascii_digit((value % 10) as u8);
        value /= 10;
    }
}

fn curp_state(code: &str) -> [u8; 2] {
    match <[u8; 2]>::try_from(code.trim().as_bytes()) {
        Ok(mut code) => {
            code.make_ascii_uppercase();
            if curp::is_state(code) {
                code
            } else {
                BORN_ABROAD
            }
        }
        Err(_) => BORN_ABROAD,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn name<'a>(first: &'a str, second: &'a str, given: &'a str) -> NameParts<'a> {
        NameParts {
            first_surname: first,
            second_surname: second,
            given_names: given,
        }
    }

    /// §15.2 vectors with names that fit them (the rulebook gives only some of the names).
    #[test]
    fn curp_matches_the_rulebook_vectors() {
        let cases = [
            (
                name("HERNÁNDEZ", "GARCÍA", "GLORIA"),
                date!(1956 - 04 - 27),
                Sex::Female,
                "VZ",
                "HEGG560427MVZRRL04",
            ),
            (
                name("BELLO", "MENA", "LUIS RAÚL"),
                date!(1992 - 03 - 13),
                Sex::Male,
                "MC",
                "BEML920313HMCLNS09",
            ),
            (
                name("PÉREZ", "GÓMEZ", "LUIS"),
                date!(1989 - 09 - 09),
                Sex::Female,
                "JC",
                "PEGL890909MJCRMS08",
            ),
            (
                name("BORJA", "", "WINSTON"),
                date!(1931 - 08 - 20),
                Sex::Male,
                "NE",
                "BOXW310820HNERXN09",
            ),
            (
                name("ACA", "ACA", "ACA"),
                date!(1900 - 01 - 01),
                Sex::Male,
                "DF",
                "AAAA000101HDFCCC09",
            ),
            (
                name("TORRES", "MORALES", "ANTONIO"),
                date!(1988 - 01 - 25),
                Sex::Male,
                "MN",
                "TOMA880125HMNRRN02",
            ),
        ];
        for (parts, birth, sex, state, expected) in cases {
            assert_eq!(curp(&parts, birth, sex, state, 0).as_str(), expected);
        }
    }

    #[test]
    fn curp_homonym_and_century() {
        let parts = name("DE LA CRUZ", "NÚÑEZ", "MARÍA DE LOS ÁNGELES");
        let born_2001 = curp(&parts, date!(2001 - 05 - 10), Sex::Female, "jc", 2);
        assert_eq!(&born_2001.as_str()[..17], "CUNA010510MJCRXNC");
        assert_eq!(born_2001.birth_date(), date!(2001 - 05 - 10));
        let born_1999 = curp(&parts, date!(1999 - 05 - 10), Sex::Female, "JC", 12);
        assert_eq!(&born_1999.as_str()[..17], "CUNA990510MJCRXN2");
        let unknown_state = curp(&parts, date!(1999 - 05 - 10), Sex::Female, "XX", 0);
        assert_eq!(unknown_state.state_code(), "NE");
    }

    #[test]
    fn rfc_of_the_sat_example() {
        let rfc = rfc_person(&name("GÓMEZ", "DÍAZ", "EMMA"), date!(1956 - 12 - 31));
        assert_eq!(rfc.as_str(), "GODE561231GR8");
        assert_eq!(rfc.warning(), None);
    }

    #[test]
    fn rfc_with_enye_and_blocklist() {
        let rfc = rfc_person(&name("ÑUÑO", "PEÑA", "JOSÉ"), date!(1970 - 01 - 02));
        assert_eq!(&rfc.as_str()[..11], "ÑUPJ700102");
        assert_eq!((Rfc::parse(rfc.as_str()), rfc.warning()), (Ok(rfc), None));
        let masked = rfc_person(&name("CASAS", "CANTÚ", "ANA"), date!(1980 - 02 - 29));
        assert_eq!(&masked.as_str()[..10], "CACX800229");
    }

    #[test]
    fn numbers_are_reduced_to_their_width() {
        assert_eq!(nss(192, 1991, 1990, 18443).as_str(), "92919084431");
        assert_eq!(
            clabe("32", 1180, 1_000_011_835_971).as_str(),
            "032180000118359719"
        );
        assert_eq!(clabe("BBVA", 0, 0).bank_code(), "000");
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (Date::MIN.to_julian_day()..=Date::MAX.to_julian_day())
            .prop_filter_map("in range", |day| Date::from_julian_day(day).ok())
    }

    fn any_name_field() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-zÁÉÍÓÚÜÑáéíóúüñ .'/-]{0,24}",
            "((DE|DEL|LA|LOS|Y|MARIA|MA\\.|JOSE|J\\.|MC|VAN) ){0,3}[A-ZÑ]{0,8}",
            ".{0,12}",
        ]
    }

    fn any_state() -> impl Strategy<Value = String> {
        prop_oneof!["[A-Z]{2}", "(DF|JC|NL|NE|ZS|AS|df)", ".{0,3}"]
    }

    proptest! {
        #[test]
        fn generated_curps_parse(
            fields in (any_name_field(), any_name_field(), any_name_field()),
            birth in any_date(), female in any::<bool>(), state in any_state(), homonym in any::<u8>()
        ) {
            let parts = name(&fields.0, &fields.1, &fields.2);
            let sex = if female { Sex::Female } else { Sex::Male };
            let generated = curp(&parts, birth, sex, &state, homonym);
            prop_assert_eq!(Curp::parse(generated.as_str()), Ok(generated));
            prop_assert_eq!(generated.sex(), sex);
            if (1900..2100).contains(&birth.year()) {
                prop_assert_eq!(generated.birth_date(), birth);
            }
        }

        #[test]
        fn generated_rfcs_parse_without_warning(
            fields in (any_name_field(), any_name_field(), any_name_field()), birth in any_date()
        ) {
            let generated = rfc_person(&name(&fields.0, &fields.1, &fields.2), birth);
            prop_assert_eq!(Rfc::parse(generated.as_str()), Ok(generated));
            prop_assert_eq!(generated.warning(), None);
            prop_assert_eq!(generated.birth_date(birth), birth);
        }
    }
}
