//! Parsing throughput of the identifiers; the goal is at least 5 million validations per second
//! per core. Run with `cargo bench -p domain --bench ids`.

use std::hint::black_box;
use std::time::Instant;

use domain::ids::generate::{self, NameParts};
use domain::ids::{Clabe, Curp, IdError, Nss, Rfc};
use domain::registry::Sex;
use time::{Date, Duration};

const COUNT: usize = 1_000_000;

const SURNAMES: [&str; 12] = [
    "GARCÍA",
    "HERNÁNDEZ",
    "MARTÍNEZ",
    "LÓPEZ",
    "GONZÁLEZ",
    "PÉREZ",
    "RODRÍGUEZ",
    "SÁNCHEZ",
    "DE LA CRUZ",
    "NÚÑEZ",
    "IBARRA",
    "",
];
const GIVEN_NAMES: [&str; 8] = [
    "MARÍA GUADALUPE",
    "JOSÉ LUIS",
    "JUAN",
    "ANA",
    "EMMA",
    "ÁNGEL",
    "LUZ MARÍA",
    "YOLANDA",
];
const STATES: [&str; 6] = ["DF", "JC", "NL", "MC", "CH", "NE"];
const BANKS: [&str; 6] = ["002", "012", "014", "021", "072", "638"];

/// Knuth's MMIX linear congruential generator: deterministic variety without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 16
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        let index = self.next() as usize % choices.len();
        choices.get(index).copied().unwrap_or_default()
    }
}

fn main() {
    let mut lcg = Lcg(20_200_630);
    let earliest = Date::MIN.replace_year(1940).unwrap_or(Date::MIN);
    let mut nss = Vec::with_capacity(COUNT);
    let mut curp = Vec::with_capacity(COUNT);
    let mut rfc = Vec::with_capacity(COUNT);
    let mut clabe = Vec::with_capacity(COUNT);
    for _ in 0..COUNT {
        let birth = earliest + Duration::days((lcg.next() % 25_000) as i64);
        let name = NameParts {
            first_surname: lcg.pick(&SURNAMES),
            second_surname: lcg.pick(&SURNAMES),
            given_names: lcg.pick(&GIVEN_NAMES),
        };
        let sex = if lcg.next().is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        };
        let homonym = (lcg.next() % 10) as u8;
        let registered = birth.year() + 16 + (lcg.next() % 30) as i32;
        let serial = (lcg.next() % 10_000) as u16;
        let subdelegation = (lcg.next() % 100) as u8;
        nss.push(generate::nss(subdelegation, registered, birth.year(), serial).to_string());
        curp.push(generate::curp(&name, birth, sex, lcg.pick(&STATES), homonym).to_string());
        rfc.push(generate::rfc_person(&name, birth).to_string());
        let (plaza, account) = ((lcg.next() % 1000) as u16, lcg.next());
        clabe.push(generate::clabe(lcg.pick(&BANKS), plaza, account).to_string());
    }

    report("nss", &nss, Nss::parse);
    report("curp", &curp, Curp::parse);
    report("rfc", &rfc, Rfc::parse);
    report("clabe", &clabe, Clabe::parse);
}

fn report<T>(kind: &str, texts: &[String], parse: fn(&str) -> Result<T, IdError>) {
    let start = Instant::now();
    let mut valid = 0usize;
    for text in texts {
        if black_box(parse(black_box(text))).is_ok() {
            valid += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let rate = texts.len() as f64 / seconds;
    println!("{kind}: {rate:.0} values/s");
    if valid != texts.len() {
        eprintln!(
            "{kind}: only {valid} of {} generated values parsed",
            texts.len()
        );
    }
}
