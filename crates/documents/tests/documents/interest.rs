use documents::format::{money, month_year, short_date};
use documents::{DocumentError, InterestCertificate};
use domain::money::Money;
use domain::registry::CreditNumber;
use rust_decimal::Decimal;
use time::Month;

use crate::*;

/// A 2025 certificate: twelve month-end balances falling from $420,000, and figures worked out
/// here by the rule the certificate prints (the document itself computes nothing).
pub fn certificate() -> InterestCertificate {
    let months: Vec<(Date, Money)> = (1..=12u8)
        .map(|n| {
            let month = Month::try_from(n).unwrap();
            let last = Date::from_calendar_date(2025, month, month.length(2025)).unwrap();
            (
                last,
                Money::from_centavos(42_000_000 - i64::from(n) * 151_237),
            )
        })
        .collect();
    let average_balance = Money::from_centavos(
        months.iter().map(|(_, b)| b.centavos()).sum::<i64>() / months.len() as i64,
    );
    let adjustment_factor = Decimal::new(369, 4);
    let inflation_adjustment = average_balance.times(adjustment_factor).unwrap();
    let nominal_interest = Money::from_centavos(4_087_355);
    InterestCertificate {
        member: member("ROSA ELENA", "GÓMEZ", "ÁVILA"),
        address: Some("AV. JUÁREZ 120, COL. CENTRO, 44100 GUADALAJARA, JAL.".into()),
        property_address: "CALLE ENCINO 45, FRACC. LOS ROBLES, 45640 TLAJOMULCO, JAL.".into(),
        credit_number: CreditNumber::parse("1415161718").unwrap(),
        fiscal_year: 2025,
        months,
        average_balance,
        inpc_start: ("diciembre de 2024".into(), Decimal::new(137_949, 3)),
        inpc_end: ("diciembre de 2025".into(), Decimal::new(143_039, 3)),
        adjustment_factor,
        inflation_adjustment,
        nominal_interest,
        real_interest: nominal_interest - inflation_adjustment,
    }
}

#[test]
fn the_certificate_prints_the_real_interest_with_the_formula_and_every_figure_behind_it() {
    let data = certificate();
    let (_, read) = render_and_read(&data, "1NTR-0000-1111-2222");
    read.has("Constancia de intereses reales");
    read.has("Deducción personal, LISR art. 151 fr. IV");
    read.has_member(&data.member);
    read.has("AV. JUÁREZ 120, COL. CENTRO, 44100 GUADALAJARA, JAL.");
    read.has("CALLE ENCINO 45, FRACC. LOS ROBLES, 45640 TLAJOMULCO, JAL.");
    read.has("1415161718");
    read.has("Ejercicio 2025");
    for (day, balance) in &data.months {
        read.has(&format!(
            "{} {} {}",
            month_year(*day),
            short_date(*day),
            money(*balance)
        ));
    }
    read.has(&money(data.average_balance));
    read.has("INPC inicial, diciembre de 2024 137.949");
    read.has("INPC final, diciembre de 2025 143.039");
    read.has("Factor de ajuste: INPC final ÷ INPC inicial − 1 0.0369");
    read.has_figure(
        "Ajuste inflacionario: saldo promedio × factor de ajuste",
        data.inflation_adjustment,
    );
    read.has_figure("Intereses nominales pagados", data.nominal_interest);
    read.has_figure("Intereses reales (deducibles)", data.real_interest);
    read.has("artículo 257 del Reglamento de la Ley del Impuesto sobre la Renta");
    read.has("los intereses reales son cero");
    read.has(
        "Solo los créditos de hasta 750,000 UDIS dan derecho a deducir todos los intereses reales",
    );
    read.has("artículo 254");
    read.lacks("no hay intereses reales que deducir");
}

#[test]
fn a_year_when_inflation_took_all_the_interest_says_so() {
    let data = InterestCertificate {
        address: None,
        nominal_interest: Money::from_centavos(1_000_000),
        real_interest: Money::ZERO,
        ..certificate()
    };
    let (_, read) = render_and_read(&data, "1NTR-0000-1111-3333");
    read.has("Sin domicilio registrado");
    read.has("Intereses reales (deducibles) $0.00");
    read.has("no hay intereses reales que deducir");
}

#[test]
fn months_outside_the_fiscal_year_are_refused() {
    let mut data = certificate();
    data.fiscal_year = 2024;
    let refused = renderer().render(&data, &verification("0000-0000-0000-0000"));
    assert!(matches!(refused, Err(DocumentError::Input(ref c)) if c == "interest_months"));
    data.fiscal_year = 2025;
    data.months.clear();
    assert!(
        renderer()
            .render(&data, &verification("0000-0000-0000-0000"))
            .is_err()
    );
}
