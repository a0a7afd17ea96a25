//! How RENAPO (CURP, §15.2) and the SAT (RFC, §15.3) turn a person's name into letters. Only the
//! generators use it, so it favours plain code over speed.

use std::iter;

use super::generate::NameParts;
use super::{curp, rfc};

/// Articles, prepositions, conjunctions and contractions: they never give letters.
const PARTICLES: [&str; 19] = [
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LAS", "LE", "LES", "LOS",
    "MAC", "MC", "VAN", "VON", "Y",
];

/// Given names so common that the next given name is used when there is one.
const COMMON_GIVEN_NAMES: [&str; 5] = ["MARIA", "MA", "M", "JOSE", "J"];

/// The three words that give the letters, plus every word for the RFC homonym key.
struct KeyWords {
    first_surname: String,
    second_surname: String,
    given_name: String,
}

impl KeyWords {
    fn of(name: &NameParts) -> KeyWords {
        let mut first = words(name.first_surname);
        let mut second = words(name.second_surname);
        // A person with one surname may have it recorded in either field.
        if first.is_empty() {
            std::mem::swap(&mut first, &mut second);
        }
        KeyWords {
            first_surname: surname_word(&first),
            second_surname: surname_word(&second),
            given_name: given_name_word(&words(name.given_names)),
        }
    }
}

/// The CURP's four initials and three internal consonants, in ASCII: Ñ and missing letters are X,
/// and a blocklisted prefix gets X as its second letter.
pub(super) fn curp_letters(name: &NameParts) -> ([u8; 4], [u8; 3]) {
    let KeyWords {
        first_surname: s1,
        second_surname: s2,
        given_name: given,
    } = KeyWords::of(name);
    let mut initials = [
        initial(&s1),
        internal_vowel(&s1),
        initial(&s2),
        initial(&given),
    ]
    .map(curp_letter);
    if curp::is_blocklisted(&initials) {
        initials[1] = b'X';
    }
    let consonants = [
        internal_consonant(&s1),
        internal_consonant(&s2),
        internal_consonant(&given),
    ]
    .map(curp_letter);
    (initials, consonants)
}

/// The RFC's four letters by the SAT rules: one surname gives its first two letters and the
/// given name two; a first surname of one or two letters gives one, the second surname one and
/// the given name two; a blocklisted result gets X as its last letter. Ñ stays.
pub(super) fn rfc_letters(name: &NameParts) -> [char; 4] {
    let KeyWords {
        first_surname: s1,
        second_surname: s2,
        given_name: given,
    } = KeyWords::of(name);
    let nth = |word: &str, n: usize| word.chars().nth(n);
    let letters = if s2.is_empty() {
        [nth(&s1, 0), nth(&s1, 1), nth(&given, 0), nth(&given, 1)]
    } else if s1.chars().count() <= 2 {
        [nth(&s1, 0), nth(&s2, 0), nth(&given, 0), nth(&given, 1)]
    } else {
        [
            initial(&s1),
            internal_vowel(&s1),
            initial(&s2),
            initial(&given),
        ]
    };
    let mut letters = letters.map(|letter| letter.unwrap_or('X'));
    if rfc::is_blocklisted(&letters.map(|c| if c.is_ascii() { c as u8 } else { 0 })) {
        letters[3] = 'X';
    }
    letters
}

/// The SAT homonym key: the full name "SURNAME SURNAME NAMES" as two-digit codes after a
/// leading 0, summed pairwise, last three digits divided by 34 into two characters.
pub(super) fn rfc_homonym(name: &NameParts) -> [u8; 2] {
    const ALPHABET: &[u8; 34] = b"123456789ABCDEFGHIJKLMNPQRSTUVWXYZ";
    let full_name = [name.first_surname, name.second_surname, name.given_names]
        .iter()
        .flat_map(|field| words(field))
        .collect::<Vec<_>>()
        .join(" ");
    let digits: Vec<u32> = iter::once(0)
        .chain(
            full_name
                .chars()
                .map(homonym_code)
                .flat_map(|code| [code / 10, code % 10]),
        )
        .collect();
    let last_three = digits
        .windows(2)
        .map(|pair| (10 * pair[0] + pair[1]) * pair[1])
        .fold(0, |sum, term| (sum + term) % 1000);
    let character = |index: u32| ALPHABET.get(index as usize).copied().unwrap_or(b'1');
    [character(last_three / 34), character(last_three % 34)]
}

fn homonym_code(c: char) -> u32 {
    let offset = |from: char| c as u32 - from as u32;
    match c {
        '0'..='9' => offset('0'),
        '&' => 10,
        'A'..='I' => 11 + offset('A'),
        'J'..='R' => 21 + offset('J'),
        'S'..='Z' => 32 + offset('S'),
        'Ñ' => 40,
        _ => 0,
    }
}

/// A name field as words of A–Z and Ñ: uppercased, accents dropped, other marks removed
/// ("MA." → "MA", "O'BRIEN" → "OBRIEN"); hyphens and slashes separate words.
fn words(field: &str) -> Vec<String> {
    field
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .map(|word| word.chars().filter_map(fold).collect::<String>())
        .filter(|word| !word.is_empty())
        .collect()
}

/// A name field reduced to what identifies it: its words of A–Z and Ñ, joined by one space
/// ("José  de la Peña" and "JOSE DE LA PEÑA" give the same key).
pub fn name_key(field: &str) -> String {
    words(field).join(" ")
}

fn fold(c: char) -> Option<char> {
    Some(match c.to_uppercase().next()? {
        letter @ ('A'..='Z' | 'Ñ') => letter,
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'Ç' => 'C',
        _ => return None,
    })
}

/// The first word that is not a particle ("SAN MARTIN" gives SAN, "DE LA CRUZ" gives CRUZ), or
/// the last word when all are particles.
fn surname_word(words: &[String]) -> String {
    words
        .iter()
        .find(|word| !PARTICLES.contains(&word.as_str()))
        .or(words.last())
        .cloned()
        .unwrap_or_default()
}

/// The first given name that is not a particle, skipping MARIA or JOSE when another follows.
fn given_name_word(words: &[String]) -> String {
    let names: Vec<&String> = words
        .iter()
        .filter(|word| !PARTICLES.contains(&word.as_str()))
        .collect();
    match names.as_slice() {
        [first, second, ..] if COMMON_GIVEN_NAMES.contains(&first.as_str()) => (*second).clone(),
        [first, ..] => (*first).clone(),
        [] => words.last().cloned().unwrap_or_default(),
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'A' | 'E' | 'I' | 'O' | 'U')
}

fn initial(word: &str) -> Option<char> {
    word.chars().next()
}

fn internal_vowel(word: &str) -> Option<char> {
    word.chars().skip(1).find(|&c| is_vowel(c))
}

fn internal_consonant(word: &str) -> Option<char> {
    word.chars().skip(1).find(|&c| !is_vowel(c))
}

/// A CURP letter: A–Z as is; Ñ, or no letter at all, as X.
fn curp_letter(c: Option<char>) -> u8 {
    match c {
        Some(letter @ 'A'..='Z') => letter as u8,
        _ => b'X',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(first: &'a str, second: &'a str, given: &'a str) -> NameParts<'a> {
        NameParts {
            first_surname: first,
            second_surname: second,
            given_names: given,
        }
    }

    fn curp_of(first: &str, second: &str, given: &str) -> String {
        let (initials, consonants) = curp_letters(&parts(first, second, given));
        String::from_utf8([&initials[..], &consonants[..]].concat()).unwrap()
    }

    fn rfc_of(first: &str, second: &str, given: &str) -> String {
        rfc_letters(&parts(first, second, given)).iter().collect()
    }

    #[test]
    fn homonym_key_of_the_sat_example() {
        assert_eq!(rfc_homonym(&parts("GÓMEZ", "DÍAZ", "EMMA")), *b"GR");
        assert_eq!(rfc_homonym(&parts("gomez", "diaz", "emma")), *b"GR");
    }

    #[test]
    fn sat_examples_of_the_name_letters() {
        let cases = [
            (("SAN MARTÍN", "DÁVALOS", "DOLORES"), "SADD"),
            (("SÁNCHEZ DE LA BARQUERA", "GÓMEZ", "MARIO"), "SAGM"),
            (("JIMÉNEZ", "PONCE DE LEÓN", "ANTONIO"), "JIPA"),
            (("CHÁVEZ", "GONZÁLEZ", "MANUEL"), "CAGM"),
            (("CAMARGO", "LLAMAS", "FELIPE"), "CALF"),
            (("KENNEDY", "TRUMAN", "CHARLES"), "KETC"),
            (("DE LA PEÑA", "RAMÍREZ", "CARMEN"), "PERC"),
            (("SÁNCHEZ", "DE LOS COBOS", "MARIO"), "SACM"),
            (("GONZÁLEZ", "Y DURÁN", "ROBERTO"), "GODR"),
            (("DEL VALLE", "MARTÍNEZ", "JUAN"), "VAMJ"),
            (("DE LA O", "LOZANO", "ÁLVARO"), "OLAL"),
            (("EK", "RIVERA", "ERNESTO"), "ERER"),
            (("FERNÁNDEZ", "JUÁREZ", "LUZ MARÍA"), "FEJL"),
            (("CAMARGO", "HERNÁNDEZ", "JOSÉ ANTONIO"), "CAHA"),
            (("RAMÍREZ", "SÁNCHEZ", "MARÍA LUISA"), "RASL"),
            (("MARTÍNEZ", "", "JUAN"), "MAJU"),
            (("", "ZAFRA", "GERARDA"), "ZAGE"),
            (("GÓMEZ", "DÍAZ", "EMMA"), "GODE"),
        ];
        for ((first, second, given), expected) in cases {
            assert_eq!(
                rfc_of(first, second, given),
                expected,
                "{first} {second} {given}"
            );
        }
    }

    #[test]
    fn curp_letters_follow_renapo() {
        assert_eq!(curp_of("HERNÁNDEZ", "GARCÍA", "GLORIA"), "HEGGRRL");
        assert_eq!(curp_of("BORJA", "", "WINSTON"), "BOXWRXN");
        assert_eq!(
            curp_of("DE LA CRUZ", "NÚÑEZ", "MARÍA DE LOS ÁNGELES"),
            "CUNARXN"
        );
        assert_eq!(curp_of("MUÑOZ", "IBARRA", "MA. GUADALUPE"), "MUIGXBD");
        assert_eq!(curp_of("ÑUÑO", "PEÑA", "JOSÉ"), "XUPJXXS");
        assert_eq!(curp_of("O'BRIEN", "LI", "J. JESÚS"), "OILJBXS");
        assert_eq!(curp_of("", "", ""), "XXXXXXX");
    }

    #[test]
    fn blocklisted_prefixes_are_masked() {
        // BUENO ESPINOZA YOLANDA spells BUEY.
        assert_eq!(curp_of("BUENO", "ESPINOZA", "YOLANDA"), "BXEYNSL");
        assert_eq!(rfc_of("BUENO", "ESPINOZA", "YOLANDA"), "BUEX");
        // CACA is blocklisted for both.
        assert_eq!(curp_of("CASAS", "CANTÚ", "ANA"), "CXCASNN");
        assert_eq!(rfc_of("CASAS", "CANTÚ", "ANA"), "CACX");
    }

    #[test]
    fn rfc_keeps_enye() {
        assert_eq!(rfc_of("ÑUÑO", "PEÑA", "JOSÉ"), "ÑUPJ");
    }
}
