//! One parser per import file: a CSV record becomes a typed row or a reason to reject it.
//! The column order of each file is documented in `docs/imports.md`.

use crate::bimester::Bimester;
use crate::credit::{Discount, DiscountChange, DiscountChangeReason, DiscountKind};
use crate::dates::parse_iso;
use crate::ids::{Curp, Nss, Rfc};
use crate::money::Money;
use crate::refund::{HoldKind, PensionKind, PensionOutcome};
use crate::registry::{
    CreditMovementKind, CreditNumber, CreditProduct, CreditStatus, Denomination, Nrp, Person, Sex,
    StateCode,
};
use rust_decimal::Decimal;
use time::Date;

/// Why a row was refused: a stable code (translated in `locales/*/import.ftl` or `ids.ftl`) and
/// the column it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowError {
    pub field: &'static str,
    pub code: &'static str,
}

pub fn bad(field: &'static str, code: &'static str) -> RowError {
    RowError { field, code }
}

pub type Fields<'a> = &'a csv::StringRecord;

fn field<'a>(rec: Fields<'a>, index: usize, name: &'static str) -> Result<&'a str, RowError> {
    rec.get(index)
        .map(str::trim)
        .ok_or(bad(name, "missing_field"))
}

fn required<'a>(rec: Fields<'a>, index: usize, name: &'static str) -> Result<&'a str, RowError> {
    let value = field(rec, index, name)?;
    if value.is_empty() {
        Err(bad(name, "empty_field"))
    } else {
        Ok(value)
    }
}

fn date(rec: Fields, index: usize, name: &'static str) -> Result<Date, RowError> {
    parse_iso(required(rec, index, name)?).map_err(|_| bad(name, "date_format"))
}

fn optional_date(rec: Fields, index: usize, name: &'static str) -> Result<Option<Date>, RowError> {
    let value = field(rec, index, name)?;
    if value.is_empty() {
        return Ok(None);
    }
    parse_iso(value)
        .map(Some)
        .map_err(|_| bad(name, "date_format"))
}

fn money(rec: Fields, index: usize, name: &'static str) -> Result<Money, RowError> {
    Money::parse(required(rec, index, name)?).map_err(|e| bad(name, e.code()))
}

fn positive_money(rec: Fields, index: usize, name: &'static str) -> Result<Money, RowError> {
    let amount = money(rec, index, name)?;
    if amount.centavos() <= 0 {
        Err(bad(name, "amount_not_positive"))
    } else {
        Ok(amount)
    }
}

pub fn nss(rec: Fields, index: usize) -> Result<Nss, RowError> {
    Nss::parse(required(rec, index, "nss")?).map_err(|e| bad("nss", e.code()))
}

pub fn nrp(rec: Fields, index: usize) -> Result<Nrp, RowError> {
    Nrp::parse(required(rec, index, "nrp")?).map_err(|_| bad("nrp", "nrp_format"))
}

fn state(rec: Fields, index: usize) -> Result<StateCode, RowError> {
    required(rec, index, "state")?
        .parse::<u8>()
        .ok()
        .and_then(StateCode::new)
        .ok_or(bad("state", "state_unknown"))
}

fn name_part(
    rec: Fields,
    index: usize,
    name: &'static str,
    needed: bool,
) -> Result<String, RowError> {
    let value = if needed {
        required(rec, index, name)?
    } else {
        field(rec, index, name)?
    };
    if value.chars().count() > 80 {
        return Err(bad(name, "name_too_long"));
    }
    if !value
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '-'))
    {
        return Err(bad(name, "name_characters"));
    }
    Ok(value.to_uppercase())
}

pub const MEMBERS: &[&str] = &[
    "nss",
    "curp",
    "rfc",
    "first_surname",
    "second_surname",
    "given_names",
    "birth_date",
    "sex",
    "state",
];

/// A member row, and whether its RFC check digit failed (accepted with a warning).
pub fn member(rec: Fields) -> Result<(Person, bool), RowError> {
    let nss = nss(rec, 0)?;
    let curp = Curp::parse(required(rec, 1, "curp")?).map_err(|e| bad("curp", e.code()))?;
    let rfc = Rfc::parse(required(rec, 2, "rfc")?).map_err(|e| bad("rfc", e.code()))?;
    let birth_date = date(rec, 6, "birth_date")?;
    let sex = Sex::from_letter(required(rec, 7, "sex")?).ok_or(bad("sex", "sex_unknown"))?;
    if curp.birth_date() != birth_date {
        return Err(bad("curp", "curp_birth_date_mismatch"));
    }
    if curp.sex() != sex {
        return Err(bad("curp", "curp_sex_mismatch"));
    }
    // The RFC has no century: the latest date with its digits not after the birth date must be it.
    if rfc.birth_date(birth_date) != birth_date {
        return Err(bad("rfc", "rfc_birth_date_mismatch"));
    }
    let person = Person {
        nss,
        curp,
        rfc,
        first_surname: name_part(rec, 3, "first_surname", true)?,
        second_surname: name_part(rec, 4, "second_surname", false)?,
        given_names: name_part(rec, 5, "given_names", true)?,
        birth_date,
        sex,
        state: state(rec, 8)?,
    };
    let warned = person.rfc.warning().is_some();
    Ok((person, warned))
}

pub const EMPLOYERS: &[&str] = &["nrp", "name", "state", "sector"];

pub fn employer(rec: Fields) -> Result<crate::registry::Employer, RowError> {
    let name = required(rec, 1, "name")?;
    if name.chars().count() > 200 {
        return Err(bad("name", "name_too_long"));
    }
    Ok(crate::registry::Employer {
        nrp: nrp(rec, 0)?,
        name: name.to_owned(),
        state: state(rec, 2)?,
        sector: field(rec, 3, "sector")?.to_owned(),
    })
}

pub const RELATIONS: &[&str] = &[
    "nss",
    "nrp",
    "start_date",
    "end_date",
    "wage_from",
    "daily_wage",
];

pub struct RelationRow {
    pub nss: Nss,
    pub nrp: Nrp,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub wage_from: Date,
    pub daily_wage: Money,
}

pub fn relation(rec: Fields) -> Result<RelationRow, RowError> {
    let row = RelationRow {
        nss: nss(rec, 0)?,
        nrp: nrp(rec, 1)?,
        start_date: date(rec, 2, "start_date")?,
        end_date: optional_date(rec, 3, "end_date")?,
        wage_from: date(rec, 4, "wage_from")?,
        daily_wage: positive_money(rec, 5, "daily_wage")?,
    };
    if row.end_date.is_some_and(|end| end < row.start_date) {
        return Err(bad("end_date", "end_before_start"));
    }
    if row.wage_from < row.start_date || row.end_date.is_some_and(|end| row.wage_from > end) {
        return Err(bad("wage_from", "wage_outside_relation"));
    }
    Ok(row)
}

pub const CONTRIBUTIONS: &[&str] = &["nss", "nrp", "bimester", "amount", "booked_on"];

pub struct ContributionRow {
    pub nss: Nss,
    pub nrp: Nrp,
    pub bimester: Bimester,
    pub amount: Money,
    pub booked_on: Date,
}

pub fn contribution(rec: Fields) -> Result<ContributionRow, RowError> {
    let bimester =
        Bimester::parse(required(rec, 2, "bimester")?).map_err(|e| bad("bimester", e.code()))?;
    let booked_on = date(rec, 4, "booked_on")?;
    if booked_on < bimester.first_day() {
        return Err(bad("booked_on", "booked_before_bimester"));
    }
    if bimester.key() < 19723 {
        return Err(bad("bimester", "bimester_before_fund"));
    }
    Ok(ContributionRow {
        nss: nss(rec, 0)?,
        nrp: nrp(rec, 1)?,
        bimester,
        amount: positive_money(rec, 3, "amount")?,
        booked_on,
    })
}

pub const CREDITS: &[&str] = &[
    "credit_number",
    "nss",
    "product",
    "denomination",
    "originated_on",
    "amount",
    "amount_vsm",
    "rate",
    "term_months",
    "status",
];

pub struct CreditRow {
    pub nss: Nss,
    pub credit: crate::registry::Credit,
}

fn credit_number(rec: Fields, index: usize) -> Result<CreditNumber, RowError> {
    CreditNumber::parse(required(rec, index, "credit_number")?)
        .map_err(|_| bad("credit_number", "credit_number_format"))
}

pub fn credit(rec: Fields) -> Result<CreditRow, RowError> {
    let denomination = Denomination::from_code(required(rec, 3, "denomination")?)
        .ok_or(bad("denomination", "denomination_unknown"))?;
    let vsm = field(rec, 6, "amount_vsm")?;
    let amount_vsm = match (denomination, vsm.is_empty()) {
        (Denomination::Vsm, true) => return Err(bad("amount_vsm", "amount_vsm_missing")),
        (Denomination::Vsm, false) => Some(
            vsm.parse::<Decimal>()
                .ok()
                .filter(|v| *v > Decimal::ZERO)
                .ok_or(bad("amount_vsm", "amount_format"))?,
        ),
        (Denomination::Pesos, true) => None,
        (Denomination::Pesos, false) => return Err(bad("amount_vsm", "amount_vsm_for_pesos")),
    };
    let rate = required(rec, 7, "rate")?
        .parse::<Decimal>()
        .ok()
        .filter(|r| *r >= Decimal::ZERO && *r < Decimal::ONE)
        .ok_or(bad("rate", "rate_format"))?;
    let term_months = required(rec, 8, "term_months")?
        .parse::<u16>()
        .ok()
        .filter(|t| (1..=480).contains(t))
        .ok_or(bad("term_months", "term_format"))?;
    Ok(CreditRow {
        nss: nss(rec, 1)?,
        credit: crate::registry::Credit {
            credit_number: credit_number(rec, 0)?,
            member_id: crate::registry::MemberId(0),
            product: CreditProduct::from_code(required(rec, 2, "product")?)
                .ok_or(bad("product", "product_unknown"))?,
            denomination,
            originated_on: date(rec, 4, "originated_on")?,
            amount: positive_money(rec, 5, "amount")?,
            amount_vsm,
            rate,
            term_months,
            status: CreditStatus::from_code(required(rec, 9, "status")?)
                .ok_or(bad("status", "status_unknown"))?,
        },
    })
}

pub const CREDIT_MOVEMENTS: &[&str] =
    &["credit_number", "reference", "kind", "booked_on", "amount"];

pub struct CreditMovementRow {
    pub credit_number: CreditNumber,
    pub reference: String,
    pub kind: CreditMovementKind,
    pub booked_on: Date,
    pub amount: Money,
}

pub fn credit_movement(rec: Fields) -> Result<CreditMovementRow, RowError> {
    let kind = CreditMovementKind::from_code(required(rec, 2, "kind")?)
        .ok_or(bad("kind", "movement_kind_unknown"))?;
    let amount = money(rec, 4, "amount")?;
    // Charges raise the balance owed and payments lower it; the sign must agree with the kind.
    let sign_ok = match kind {
        CreditMovementKind::Adjustment => !amount.is_zero(),
        k if k.is_charge() => amount.centavos() > 0,
        _ => amount.centavos() < 0,
    };
    if !sign_ok {
        return Err(bad("amount", "amount_sign_for_kind"));
    }
    let reference = required(rec, 1, "reference")?;
    if reference.len() > 40 {
        return Err(bad("reference", "reference_too_long"));
    }
    Ok(CreditMovementRow {
        credit_number: credit_number(rec, 0)?,
        reference: reference.to_owned(),
        kind,
        booked_on: date(rec, 3, "booked_on")?,
        amount,
    })
}

pub const CREDIT_DISCOUNTS: &[&str] = &["credit_number", "valid_from", "kind", "value", "reason"];

pub struct CreditDiscountRow {
    pub credit_number: CreditNumber,
    pub change: DiscountChange,
}

/// A discount: a percentage as a rate above 0 and at most 1, pesos per month above zero, or
/// a VSM factor above zero and below 100.
pub fn credit_discount(rec: Fields) -> Result<CreditDiscountRow, RowError> {
    let kind = DiscountKind::from_code(required(rec, 2, "kind")?)
        .ok_or(bad("kind", "discount_kind_unknown"))?;
    let value = required(rec, 3, "value")?
        .parse::<Decimal>()
        .ok()
        .filter(|v| {
            *v > Decimal::ZERO
                && match kind {
                    DiscountKind::Percentage => *v <= Decimal::ONE,
                    DiscountKind::FixedPesos => v.scale() <= 2,
                    DiscountKind::VsmFactor => *v < Decimal::ONE_HUNDRED,
                }
        })
        .ok_or(bad("value", "discount_value_format"))?;
    Ok(CreditDiscountRow {
        credit_number: credit_number(rec, 0)?,
        change: DiscountChange {
            valid_from: date(rec, 1, "valid_from")?,
            discount: Discount { kind, value },
            reason: DiscountChangeReason::from_code(required(rec, 4, "reason")?)
                .ok_or(bad("reason", "discount_reason_unknown"))?,
        },
    })
}

pub const PENSIONS: &[&str] = &["nss", "outcome", "kind", "resolved_on"];

pub struct PensionRow {
    pub nss: Nss,
    pub outcome: PensionOutcome,
    pub kind: PensionKind,
    pub resolved_on: Date,
}

/// An IMSS resolution: granted or denied, the kind of pension, and the day it was resolved.
pub fn pension(rec: Fields) -> Result<PensionRow, RowError> {
    Ok(PensionRow {
        nss: nss(rec, 0)?,
        outcome: PensionOutcome::from_code(required(rec, 1, "outcome")?)
            .ok_or(bad("outcome", "pension_outcome_unknown"))?,
        kind: PensionKind::from_code(required(rec, 2, "kind")?)
            .ok_or(bad("kind", "pension_kind_unknown"))?,
        resolved_on: date(rec, 3, "resolved_on")?,
    })
}

pub const HOLDS: &[&str] = &["nss", "kind", "placed_on", "lifted_on"];

pub struct HoldRow {
    pub nss: Nss,
    pub kind: HoldKind,
    pub placed_on: Date,
    pub lifted_on: Option<Date>,
}

/// A process holding the subaccount: its kind, the day placed, and the day lifted if it was.
pub fn hold(rec: Fields) -> Result<HoldRow, RowError> {
    let placed_on = date(rec, 2, "placed_on")?;
    let lifted_on = optional_date(rec, 3, "lifted_on")?;
    if lifted_on.is_some_and(|l| l < placed_on) {
        return Err(bad("lifted_on", "hold_lifted_before_placed"));
    }
    Ok(HoldRow {
        nss: nss(rec, 0)?,
        kind: HoldKind::from_code(required(rec, 1, "kind")?)
            .ok_or(bad("kind", "hold_kind_unknown"))?,
        placed_on,
        lifted_on,
    })
}
