//! Credits in VSM (veces salario mínimo): the debt is a number of monthly units whose peso
//! value rises every 1 January — with the Distrito Federal minimum wage until 2016 and with the
//! UMI (Unidad Mixta Infonavit) since (domain.md §5.1).

use rust_decimal::{Decimal, RoundingStrategy};
use time::{Date, Month};

use crate::money::{Money, MoneyError};
use crate::reference::{DAYS_PER_MONTH, ReferenceError, ReferenceTables};

/// The first year VSM credits were re-indexed by the UMI instead of the minimum wage.
pub const UMI_FROM: i32 = 2016;

/// The peso value of one monthly VSM unit on `date`: the daily unit × 30.4, unrounded.
pub fn monthly_unit(tables: &ReferenceTables, date: Date) -> Result<Decimal, ReferenceError> {
    let daily = if date.year() >= UMI_FROM {
        tables.umi.value_on(date)?.daily
    } else {
        let date = date.max(tables.minimum_wage.first_date());
        tables.minimum_wage.value_on(date)?.general
    };
    Ok(daily.to_decimal() * DAYS_PER_MONTH)
}

/// How much a VSM balance grows on 1 January of `year`: this year's unit over last year's.
pub fn reindexation_factor(tables: &ReferenceTables, year: i32) -> Result<Decimal, ReferenceError> {
    let jan = |y: i32| Date::from_calendar_date(y, Month::January, 1);
    let (Ok(now), Ok(before)) = (jan(year), jan(year - 1)) else {
        return Err(ReferenceError::Missing {
            table: "umi",
            key: year.to_string(),
            column: "daily",
        });
    };
    let before = monthly_unit(tables, before)?;
    if before.is_zero() {
        return Err(ReferenceError::Missing {
            table: "umi",
            key: (year - 1).to_string(),
            column: "daily",
        });
    }
    Ok(monthly_unit(tables, now)? / before)
}

/// The re-indexation movement on a balance of `balance` pesos: balance × (factor − 1), rounded
/// once, half away from zero, to the centavo. Nothing for a balance that is not owed.
pub fn reindexation(balance: Money, factor: Decimal) -> Result<Money, MoneyError> {
    if balance.centavos() <= 0 {
        return Ok(Money::ZERO);
    }
    balance.times(factor - Decimal::ONE)
}

/// A peso amount in VSM units at `unit` pesos each, to four decimals as statements print it.
pub fn in_units(amount: Money, unit: Decimal) -> Option<Decimal> {
    if unit.is_zero() {
        return None;
    }
    Some(
        (amount.to_decimal() / unit)
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn tables() -> ReferenceTables {
        ReferenceTables::embedded().unwrap()
    }

    #[test]
    fn the_umi_sets_the_unit_since_2016() {
        let t = tables();
        let date = Date::from_calendar_date(2021, Month::June, 1).unwrap();
        // 87.21 × 30.4
        assert_eq!(monthly_unit(&t, date).unwrap(), dec("2651.184"));
    }

    #[test]
    fn a_worked_reindexation() {
        let t = tables();
        // 2021: UMI 84.55 → 87.21, a factor of 87.21 / 84.55 (the 30.4 cancels out).
        let factor = reindexation_factor(&t, 2021).unwrap();
        assert_eq!(factor.round_dp(6), dec("1.031461"));
        // 250,000.00 × 0.0314606741… = 7,865.168539… → 7,865.17
        let growth = reindexation(Money::parse("250000.00").unwrap(), factor).unwrap();
        assert_eq!(growth, Money::parse("7865.17").unwrap());
        // No growth in 2026 (UMI unchanged), none on a paid-off balance.
        let flat = reindexation_factor(&t, 2026).unwrap();
        assert_eq!(
            reindexation(Money::parse("1000.00").unwrap(), flat).unwrap(),
            Money::ZERO
        );
        assert_eq!(reindexation(Money::ZERO, factor).unwrap(), Money::ZERO);
    }

    #[test]
    fn balances_read_in_units() {
        let unit = dec("3064.624"); // 100.81 × 30.4
        assert_eq!(
            in_units(Money::parse("306462.40").unwrap(), unit),
            Some(dec("100.0000"))
        );
        assert_eq!(in_units(Money::ZERO, Decimal::ZERO), None);
    }
}
