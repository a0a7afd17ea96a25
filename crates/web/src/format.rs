//! Money and dates as a member reads them: "$12,345.67", "25 de noviembre de 2026" or
//! "25 November 2026". Pure functions, so pages and PDFs format alike.

use app::i18n::Lang;
use domain::money::Money;
use time::{Date, Month};

/// Pesos with a thousands comma and two decimals, the way Mexican banks print them (the same
/// in English): "$12,345.67", "-$80.00".
pub(crate) fn money(amount: Money) -> String {
    amount.pesos()
}

/// A date in words: "25 de noviembre de 2026" in Spanish, "25 November 2026" in English.
pub(crate) fn date(day: Date, lang: Lang) -> String {
    let month = month_name(day.month(), lang);
    match lang {
        Lang::Es => format!("{} de {month} de {}", day.day(), day.year()),
        Lang::En => format!("{} {month} {}", day.day(), day.year()),
    }
}

/// An instant as a member in Mexico reads it: "25 de noviembre de 2026, 12:04".
pub(crate) fn date_time(lang: Lang, at: time::OffsetDateTime) -> String {
    let local = at.to_offset(domain::dates::MEXICO_CITY);
    format!(
        "{}, {:02}:{:02}",
        date(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// A yearly rate as a percentage: 0.0736 → "7.36%".
pub(crate) fn percent(rate: rust_decimal::Decimal) -> String {
    format!(
        "{}%",
        (rate * rust_decimal::Decimal::from(100))
            .round_dp(2)
            .normalize()
    )
}

/// "diciembre de 2024" / "December 2024".
pub(crate) fn month_year(month: Month, year: i32, lang: Lang) -> String {
    let name = month_name(month, lang);
    match lang {
        Lang::Es => format!("{name} de {year}"),
        Lang::En => format!("{name} {year}"),
    }
}

/// "noviembre" / "November".
pub(crate) fn month_name(month: Month, lang: Lang) -> &'static str {
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let index = usize::from(u8::from(month) - 1);
    match lang {
        Lang::Es => ES[index],
        Lang::En => EN[index],
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn instants_are_shown_in_mexico_city_time() {
        let at = time::macros::datetime!(2026-11-26 03:05 UTC);
        assert_eq!(date_time(Lang::Es, at), "25 de noviembre de 2026, 21:05");
        assert_eq!(date_time(Lang::En, at), "25 November 2026, 21:05");
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn money_has_thousands_commas_and_two_decimals() {
        let cases = [
            (1_234_567, "$12,345.67"),
            (0, "$0.00"),
            (5, "$0.05"),
            (99_999, "$999.99"),
            (100_000, "$1,000.00"),
            (12_345_678_900, "$123,456,789.00"),
            (-8_000, "-$80.00"),
        ];
        for (centavos, text) in cases {
            assert_eq!(money(Money::from_centavos(centavos)), text);
        }
        assert_eq!(
            money(Money::from_centavos(i64::MIN)),
            "-$92,233,720,368,547,758.08"
        );
    }

    #[test]
    fn dates_are_written_out_in_each_language() {
        assert_eq!(
            date(date!(2026 - 11 - 25), Lang::Es),
            "25 de noviembre de 2026"
        );
        assert_eq!(date(date!(2026 - 11 - 25), Lang::En), "25 November 2026");
        assert_eq!(date(date!(2027 - 01 - 01), Lang::Es), "1 de enero de 2027");
        assert_eq!(date(date!(2024 - 02 - 29), Lang::En), "29 February 2024");
    }
}
