//! Money, rates and dates as the PDFs print them: "$12,345.67", "7.36%", "25/11/2026", "25 de
//! noviembre de 2026". The same rules as the web pages' formatting, kept here because the
//! documents crate sits below the web tier.

use domain::money::Money;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

const MONTHS: [&str; 12] = [
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

/// Pesos with a thousands comma and two decimals, the way Mexican banks print them:
/// "$12,345.67", "-$80.00".
pub fn money(amount: Money) -> String {
    amount.pesos()
}

/// A date in a table: "05/11/2026".
pub fn short_date(day: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        day.day(),
        u8::from(day.month()),
        day.year()
    )
}

/// A rate or share as a percentage, as the web pages print it: 0.0736 → "7.36%", 0.2 → "20%".
pub fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

/// A date in words: "25 de noviembre de 2026".
pub fn long_date(day: Date) -> String {
    format!("{} de {} de {}", day.day(), month_name(day), day.year())
}

/// The month a date falls in: "noviembre de 2026".
pub fn month_year(day: Date) -> String {
    format!("{} de {}", month_name(day), day.year())
}

fn month_name(day: Date) -> &'static str {
    MONTHS[usize::from(u8::from(day.month())) - 1]
}

/// An instant as a member in Mexico reads it: "25 de noviembre de 2026, 12:04 h".
pub fn long_date_time(at: OffsetDateTime) -> String {
    let local = at.to_offset(domain::dates::MEXICO_CITY);
    format!(
        "{}, {:02}:{:02} h",
        long_date(local.date()),
        local.hour(),
        local.minute()
    )
}

/// A wall-clock time as written where it happens (an office's): "3 de diciembre de 2026,
/// 10:30 h".
pub fn local_date_time(at: PrimitiveDateTime) -> String {
    format!(
        "{}, {:02}:{:02} h",
        long_date(at.date()),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn money_has_thousands_commas_and_two_decimals() {
        assert_eq!(money(Money::from_centavos(1_234_567)), "$12,345.67");
        assert_eq!(money(Money::from_centavos(-8_000)), "-$80.00");
        assert_eq!(money(Money::from_centavos(5)), "$0.05");
        assert_eq!(money(Money::from_centavos(100_000_000)), "$1,000,000.00");
        assert_eq!(money(Money::from_centavos(99_999)), "$999.99");
    }

    #[test]
    fn percentages_drop_trailing_zeros() {
        assert_eq!(percent(Decimal::new(20, 2)), "20%");
        assert_eq!(percent(Decimal::new(1045, 4)), "10.45%");
        assert_eq!(percent(Decimal::new(736, 4)), "7.36%");
        assert_eq!(percent(Decimal::new(12_345, 6)), "1.23%");
    }

    #[test]
    fn dates_in_spanish() {
        assert_eq!(short_date(date!(2026 - 11 - 05)), "05/11/2026");
        assert_eq!(long_date(date!(2026 - 01 - 31)), "31 de enero de 2026");
        assert_eq!(month_year(date!(2025 - 12 - 31)), "diciembre de 2025");
        // 02:30 UTC is still the evening before in Mexico City.
        let at = datetime!(2026-12-01 02:30 UTC);
        assert_eq!(domain::dates::mexico_city_date(at), date!(2026 - 11 - 30));
        assert_eq!(long_date_time(at), "30 de noviembre de 2026, 20:30 h");
        assert_eq!(
            local_date_time(time::macros::datetime!(2026-12-03 8:30)),
            "3 de diciembre de 2026, 08:30 h"
        );
    }
}
