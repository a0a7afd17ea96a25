//! Names, states and employers drawn with realistic frequencies.

use domain::registry::{Employer, Sex, StateCode};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::{nrp_of, state_code};

const SURNAMES: &[&str] = &[
    "HERNANDEZ",
    "GARCIA",
    "MARTINEZ",
    "LOPEZ",
    "GONZALEZ",
    "RODRIGUEZ",
    "PEREZ",
    "SANCHEZ",
    "RAMIREZ",
    "CRUZ",
    "FLORES",
    "GOMEZ",
    "MORALES",
    "VAZQUEZ",
    "REYES",
    "JIMENEZ",
    "TORRES",
    "DIAZ",
    "GUTIERREZ",
    "RUIZ",
    "MENDOZA",
    "AGUILAR",
    "ORTIZ",
    "MORENO",
    "CASTILLO",
    "ROMERO",
    "ALVAREZ",
    "MENDEZ",
    "CHAVEZ",
    "RIVERA",
    "JUAREZ",
    "RAMOS",
    "DOMINGUEZ",
    "HERRERA",
    "MEDINA",
    "CASTRO",
    "VARGAS",
    "GUZMAN",
    "VELAZQUEZ",
    "MUÑOZ",
    "ROJAS",
    "DE LA CRUZ",
    "CONTRERAS",
    "SALAZAR",
    "LUNA",
    "ORTEGA",
    "SANTIAGO",
    "GUERRERO",
    "ESTRADA",
    "BAUTISTA",
    "CORTES",
    "SOTO",
    "ALVARADO",
    "ESPINOZA",
    "LARA",
    "ÁVILA",
    "RÍOS",
    "CERVANTES",
    "SILVA",
    "DELGADO",
    "VEGA",
    "MÁRQUEZ",
    "SANDOVAL",
    "CARRILLO",
    "LEÓN",
    "MEJÍA",
    "SOLÍS",
    "ROSAS",
    "IBARRA",
    "NÚÑEZ",
    "CAMPOS",
    "ACOSTA",
    "PEÑA",
    "NAVARRO",
    "CABRERA",
];

const WOMEN: &[&str] = &[
    "MARÍA GUADALUPE",
    "JUANA",
    "MARÍA",
    "GUADALUPE",
    "VERÓNICA",
    "LETICIA",
    "ROSA MARÍA",
    "FRANCISCA",
    "TERESA",
    "ALEJANDRA",
    "PATRICIA",
    "ELIZABETH",
    "LAURA",
    "GABRIELA",
    "ADRIANA",
    "SILVIA",
    "ANA MARÍA",
    "MARTHA",
    "YOLANDA",
    "ARACELI",
    "DANIELA",
    "FERNANDA",
    "XIMENA",
    "SOFÍA",
    "VALERIA",
    "ANDREA",
    "CAROLINA",
    "MÓNICA",
    "CLAUDIA",
    "ITZEL",
    "NAYELI",
    "ROCÍO",
    "BRENDA",
    "KARLA",
    "DIANA",
    "ESTHER",
    "IRMA",
    "LUCÍA",
    "NORMA",
    "ALMA DELIA",
];

const MEN: &[&str] = &[
    "JOSÉ LUIS",
    "JUAN",
    "MIGUEL ÁNGEL",
    "FRANCISCO",
    "JOSÉ",
    "JESÚS",
    "ANTONIO",
    "ALEJANDRO",
    "PEDRO",
    "JUAN CARLOS",
    "MANUEL",
    "RICARDO",
    "ROBERTO",
    "FERNANDO",
    "DANIEL",
    "JORGE",
    "CARLOS",
    "LUIS",
    "EDUARDO",
    "JAVIER",
    "SERGIO",
    "RAÚL",
    "ARTURO",
    "MARIO",
    "ÓSCAR",
    "SANTIAGO",
    "MATEO",
    "DIEGO",
    "EMILIANO",
    "LEONARDO",
    "ÁNGEL",
    "RAFAEL",
    "HUGO",
    "IVÁN",
    "ALBERTO",
    "ENRIQUE",
    "GERARDO",
    "ERNESTO",
    "JAIME",
    "ISRAEL",
];

/// States weighted by their share of formal employment (INEGI number, weight in ‰).
pub(crate) const STATE_WEIGHTS: &[(u8, u32)] = &[
    (9, 170),
    (19, 95),
    (15, 90),
    (14, 85),
    (8, 52),
    (11, 48),
    (2, 45),
    (5, 40),
    (30, 36),
    (21, 33),
    (28, 33),
    (26, 30),
    (22, 28),
    (25, 24),
    (23, 22),
    (24, 20),
    (31, 20),
    (16, 20),
    (1, 17),
    (13, 14),
    (7, 12),
    (17, 12),
    (12, 11),
    (10, 11),
    (20, 10),
    (27, 10),
    (3, 9),
    (32, 8),
    (18, 7),
    (6, 6),
    (4, 6),
    (29, 5),
];

pub(crate) fn state(rng: &mut impl Rng) -> StateCode {
    let total: u32 = STATE_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for &(code, weight) in STATE_WEIGHTS {
        if pick < weight {
            return state_code(code);
        }
        pick -= weight;
    }
    state_code(9)
}

/// (first surname, second surname, given names). One person in fifty has no second surname.
pub(crate) fn person(rng: &mut impl Rng, sex: Sex) -> (&'static str, &'static str, String) {
    let first = SURNAMES.choose(rng).copied().unwrap_or("GARCIA");
    let second = if rng.random_ratio(1, 50) {
        ""
    } else {
        SURNAMES.choose(rng).copied().unwrap_or("LOPEZ")
    };
    let given = match sex {
        Sex::Female => WOMEN.choose(rng),
        Sex::Male => MEN.choose(rng),
    };
    (first, second, given.copied().unwrap_or("MARÍA").to_owned())
}

const SECTORS: &[&str] = &[
    "manufactura",
    "comercio",
    "servicios",
    "construccion",
    "transporte",
    "agropecuario",
    "gobierno",
    "educacion",
    "salud",
];

const COMPANY_WORDS: &[&str] = &[
    "ACEROS",
    "ALIMENTOS",
    "AUTOPARTES",
    "COMERCIALIZADORA",
    "CONSTRUCTORA",
    "DISTRIBUIDORA",
    "FARMACIAS",
    "GRUPO",
    "INDUSTRIAS",
    "LOGÍSTICA",
    "MANUFACTURAS",
    "SERVICIOS",
    "TEXTILES",
    "TRANSPORTES",
    "PLÁSTICOS",
    "ENVASES",
    "CERÁMICA",
    "HOTELERA",
];

const PLACES: &[&str] = &[
    "DEL NORTE",
    "DEL BAJÍO",
    "DEL PACÍFICO",
    "DEL GOLFO",
    "DEL CENTRO",
    "DE OCCIDENTE",
    "PENINSULAR",
    "DEL SURESTE",
    "MEXICANA",
    "NACIONAL",
    "METROPOLITANA",
    "DEL VALLE",
];

pub(crate) fn employer(rng: &mut impl Rng, i: u32) -> Employer {
    let word = COMPANY_WORDS.choose(rng).copied().unwrap_or("GRUPO");
    let place = PLACES.choose(rng).copied().unwrap_or("MEXICANA");
    Employer {
        nrp: nrp_of(i),
        name: format!("{word} {place} {} SA DE CV", i + 1),
        state: state(rng),
        sector: SECTORS
            .choose(rng)
            .copied()
            .unwrap_or("servicios")
            .to_owned(),
    }
}
