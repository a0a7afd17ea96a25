//! The values the reference tables hold: units of account, wages, rates, states and banks.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::Money;
use crate::registry::StateCode;

/// Days in the fund's month: monthly amounts are daily amounts × 30.4.
pub const DAYS_PER_MONTH: Decimal = Decimal::from_parts(304, 0, 0, false, 1);

/// Unidad de Medida y Actualización: the legal unit of account since 2016 (INEGI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Uma {
    pub daily: Money,
    /// daily × 30.4, rounded to the centavo as published.
    pub monthly: Money,
    /// monthly × 12, as published.
    pub annual: Money,
}

/// The daily general minimum wage. Before 2016 the table holds the area A / Distrito Federal
/// value, the one old VSM credits are indexed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MinimumWage {
    pub general: Money,
    /// Zona Libre de la Frontera Norte, a separate zone since 2019.
    pub northern_border: Option<Money>,
}

/// Unidad Mixta Infonavit: the daily unit that re-indexes VSM credits since 2016.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Umi {
    pub daily: Money,
}

impl Umi {
    /// daily × 30.4, unrounded: the fund rounds once, at the end of a calculation.
    pub fn monthly(&self) -> Decimal {
        self.daily.to_decimal() * DAYS_PER_MONTH
    }
}

/// A yearly rate as a decimal (0.0736 for 7.36%).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct YearRate {
    pub rate: Decimal,
    pub estimate: bool,
}

/// An index value such as the December INPC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IndexValue {
    pub value: Decimal,
    pub estimate: bool,
}

/// One year of the inflation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InflationYear {
    /// December/December change of the INPC.
    pub december_inflation: YearRate,
    /// The December INPC (base: second half of July 2018 = 100), where known.
    pub inpc_december: Option<IndexValue>,
}

/// Where a year's housing-subaccount yield came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum YieldSource {
    /// The yield table (the rate the fund credited).
    Table,
    /// Not in the yield table: that year's December inflation, the legal minimum (Ley Infonavit
    /// art. 39).
    Inflation,
}

impl YieldSource {
    pub fn code(self) -> &'static str {
        match self {
            YieldSource::Table => "table",
            YieldSource::Inflation => "inflation",
        }
    }
}

/// A state (entidad federativa).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct State {
    /// INEGI number, 1–32.
    pub inegi: StateCode,
    pub name: String,
    /// The two letters used in a CURP (RENAPO): "DF" for Ciudad de México.
    pub curp_code: String,
    /// ISO 3166-2, "MX-CMX".
    pub iso: String,
}

/// Bank names by the three-digit code that opens a CLABE.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Banks {
    names: BTreeMap<String, String>,
}

impl Banks {
    /// The caller guarantees three-digit codes and non-empty names; the file loader checks them.
    pub(super) fn new(names: BTreeMap<String, String>) -> Self {
        Banks { names }
    }

    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code.trim()).map(String::as_str)
    }

    /// (code, name) in code order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names
            .iter()
            .map(|(code, name)| (code.as_str(), name.as_str()))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl crate::ids::BankDirectory for Banks {
    fn bank_name(&self, code: &str) -> Option<&str> {
        self.name(code)
    }
}
