//! Money and dates as the PDFs print them: "$12,345.67", "25/11/2026", "25 de noviembre de
//! 2026". The same rules as the web pages' formatting, kept here because the documents crate
//! sits below the web tier.

use domain::money::Money;
use time::{Date, OffsetDateTime};

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

/// A date in words: "25 de noviembre de 2026".
pub fn long_date(day: Date) -> String {
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
    let month = MONTHS[usize::from(u8::from(day.month())) - 1];
    format!("{} de {month} de {}", day.day(), day.year())
}

/// The day an instant falls on in Mexico City.
pub fn local_date(at: OffsetDateTime) -> Date {
    at.to_offset(domain::dates::MEXICO_CITY).date()
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
    fn dates_in_spanish() {
        assert_eq!(short_date(date!(2026 - 11 - 05)), "05/11/2026");
        assert_eq!(long_date(date!(2026 - 01 - 31)), "31 de enero de 2026");
        // 02:30 UTC is still the evening before in Mexico City.
        let at = datetime!(2026-12-01 02:30 UTC);
        assert_eq!(local_date(at), date!(2026 - 11 - 30));
        assert_eq!(long_date_time(at), "30 de noviembre de 2026, 20:30 h");
    }
}
