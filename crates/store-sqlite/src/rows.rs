//! Turning stored rows back into domain types. Stored data is parsed again with the same
//! constructors as input, so a hand-edited or corrupt row is an error, never a wrong answer.

use domain::credit::{Discount, DiscountChange, DiscountChangeReason, DiscountKind};
use domain::dates::parse_iso;
use domain::ids::{Curp, Nss, Rfc};
use domain::money::Money;
use domain::registry::{
    Bucket, Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, Member, MemberId, Movement, MovementKind, Nrp, Person, RelationPeriod, Sex,
    StateCode,
};
use rusqlite::Row;
use store::StoreError;
use time::Date;

pub(crate) const MEMBER_COLUMNS: &str = "member_id, nss, curp, rfc, first_surname, \
     second_surname, given_names, birth_date, sex, state";

fn text(row: &Row, i: usize, table: &'static str) -> Result<String, StoreError> {
    row.get::<_, String>(i)
        .map_err(|e| StoreError::corrupt(table, e))
}

fn int(row: &Row, i: usize, table: &'static str) -> Result<i64, StoreError> {
    row.get::<_, i64>(i)
        .map_err(|e| StoreError::corrupt(table, e))
}

fn date(row: &Row, i: usize, table: &'static str) -> Result<Date, StoreError> {
    parse_iso(&text(row, i, table)?).map_err(|e| StoreError::corrupt(table, e))
}

fn parsed<T, E: std::fmt::Display>(
    table: &'static str,
    result: Result<T, E>,
) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::corrupt(table, e))
}

fn some<T>(table: &'static str, what: &str, value: Option<T>) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::corrupt(table, format!("bad {what}")))
}

pub(crate) fn member(row: &Row) -> Result<Member, StoreError> {
    const T: &str = "members";
    let state = u8::try_from(int(row, 9, T)?).ok().and_then(StateCode::new);
    Ok(Member {
        member_id: MemberId(int(row, 0, T)?),
        person: Person {
            nss: parsed(T, Nss::parse(&text(row, 1, T)?))?,
            curp: parsed(T, Curp::parse(&text(row, 2, T)?))?,
            rfc: parsed(T, Rfc::parse(&text(row, 3, T)?))?,
            first_surname: text(row, 4, T)?,
            second_surname: text(row, 5, T)?,
            given_names: text(row, 6, T)?,
            birth_date: date(row, 7, T)?,
            sex: some(T, "sex", Sex::from_letter(&text(row, 8, T)?))?,
            state: some(T, "state", state)?,
        },
    })
}

pub(crate) fn movement(row: &Row) -> Result<Movement, StoreError> {
    const T: &str = "subaccount_movements";
    Ok(Movement {
        member_id: MemberId(int(row, 0, T)?),
        bucket: some(T, "bucket", Bucket::from_number(int(row, 1, T)?))?,
        kind: some(T, "kind", MovementKind::from_number(int(row, 2, T)?))?,
        period: parsed(T, i32::try_from(int(row, 3, T)?))?,
        source: int(row, 4, T)?,
        amount: Money::from_centavos(int(row, 5, T)?),
        booked_on: date(row, 6, T)?,
    })
}

pub(crate) fn relation(row: &Row) -> Result<RelationPeriod, StoreError> {
    const T: &str = "employment_periods";
    let end: Option<String> = row.get(4).map_err(|e| StoreError::corrupt(T, e))?;
    Ok(RelationPeriod {
        member_id: MemberId(int(row, 0, T)?),
        nrp: parsed(T, Nrp::parse(&text(row, 1, T)?))?,
        start_date: date(row, 2, T)?,
        wage_from: date(row, 3, T)?,
        end_date: end.map(|e| parsed(T, parse_iso(&e))).transpose()?,
        daily_wage: Money::from_centavos(int(row, 5, T)?),
    })
}

pub(crate) fn credit(row: &Row) -> Result<Credit, StoreError> {
    const T: &str = "credits";
    let amount_vsm: Option<String> = row.get(6).map_err(|e| StoreError::corrupt(T, e))?;
    Ok(Credit {
        member_id: MemberId(int(row, 0, T)?),
        credit_number: parsed(T, CreditNumber::parse(&text(row, 1, T)?))?,
        product: some(T, "product", CreditProduct::from_code(&text(row, 2, T)?))?,
        denomination: some(
            T,
            "denomination",
            Denomination::from_code(&text(row, 3, T)?),
        )?,
        originated_on: date(row, 4, T)?,
        amount: Money::from_centavos(int(row, 5, T)?),
        amount_vsm: amount_vsm.map(|v| parsed(T, v.parse())).transpose()?,
        rate: parsed(T, text(row, 7, T)?.parse())?,
        term_months: parsed(T, u16::try_from(int(row, 8, T)?))?,
        status: some(T, "status", CreditStatus::from_code(&text(row, 9, T)?))?,
    })
}

pub(crate) fn credit_discount(row: &Row) -> Result<DiscountChange, StoreError> {
    const T: &str = "credit_discounts";
    Ok(DiscountChange {
        valid_from: date(row, 0, T)?,
        discount: Discount {
            kind: some(T, "kind", DiscountKind::from_code(&text(row, 1, T)?))?,
            value: parsed(T, text(row, 2, T)?.parse())?,
        },
        reason: some(
            T,
            "reason",
            DiscountChangeReason::from_code(&text(row, 3, T)?),
        )?,
    })
}

pub(crate) fn credit_movement(row: &Row) -> Result<CreditMovement, StoreError> {
    const T: &str = "credit_movements";
    Ok(CreditMovement {
        member_id: MemberId(int(row, 0, T)?),
        credit_number: parsed(T, CreditNumber::parse(&text(row, 1, T)?))?,
        reference: text(row, 2, T)?,
        kind: some(T, "kind", CreditMovementKind::from_code(&text(row, 3, T)?))?,
        booked_on: date(row, 4, T)?,
        amount: Money::from_centavos(int(row, 5, T)?),
    })
}
