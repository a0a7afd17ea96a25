//! Turning stored rows back into domain types. Stored data is parsed again with the same
//! constructors as input, so a hand-edited or corrupt row is an error, never a wrong answer.

use domain::credit::{Discount, DiscountChange, DiscountChangeReason, DiscountKind};
use domain::ids::{Curp, Nss, Rfc};
use domain::money::Money;
use domain::registry::{
    Bucket, Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, Employer, Member, MemberId, Movement, MovementKind, Nrp, Person, RelationPeriod,
    Sex, StateCode,
};
use store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

pub(crate) const MEMBER_COLUMNS: &str = "member_id, nss, curp, rfc, first_surname, \
     second_surname, given_names, birth_date, sex, state";

fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize, table: &'static str) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| StoreError::corrupt(table, e))
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

fn state(row: &Row, i: usize, table: &'static str) -> Result<StateCode, StoreError> {
    let code = u8::try_from(get::<i16>(row, i, table)?)
        .ok()
        .and_then(StateCode::new);
    some(table, "state", code)
}

pub(crate) fn member(row: &Row) -> Result<Member, StoreError> {
    const T: &str = "members";
    Ok(Member {
        member_id: MemberId(get(row, 0, T)?),
        person: Person {
            nss: parsed(T, Nss::parse(get(row, 1, T)?))?,
            curp: parsed(T, Curp::parse(get(row, 2, T)?))?,
            rfc: parsed(T, Rfc::parse(get(row, 3, T)?))?,
            first_surname: get(row, 4, T)?,
            second_surname: get(row, 5, T)?,
            given_names: get(row, 6, T)?,
            birth_date: get(row, 7, T)?,
            sex: some(T, "sex", Sex::from_letter(get(row, 8, T)?))?,
            state: state(row, 9, T)?,
        },
    })
}

pub(crate) fn employer(row: &Row) -> Result<Employer, StoreError> {
    const T: &str = "employers";
    Ok(Employer {
        nrp: parsed(T, Nrp::parse(get(row, 0, T)?))?,
        name: get(row, 1, T)?,
        state: state(row, 2, T)?,
        sector: get(row, 3, T)?,
    })
}

pub(crate) fn movement(row: &Row) -> Result<Movement, StoreError> {
    const T: &str = "subaccount_movements";
    Ok(Movement {
        member_id: MemberId(get(row, 0, T)?),
        bucket: some(
            T,
            "bucket",
            Bucket::from_number(get::<i16>(row, 1, T)?.into()),
        )?,
        kind: some(
            T,
            "kind",
            MovementKind::from_number(get::<i16>(row, 2, T)?.into()),
        )?,
        period: get(row, 3, T)?,
        source: get(row, 4, T)?,
        amount: Money::from_centavos(get(row, 5, T)?),
        booked_on: get(row, 6, T)?,
    })
}

pub(crate) fn relation(row: &Row) -> Result<RelationPeriod, StoreError> {
    const T: &str = "employment_periods";
    Ok(RelationPeriod {
        member_id: MemberId(get(row, 0, T)?),
        nrp: parsed(T, Nrp::parse(get(row, 1, T)?))?,
        start_date: get(row, 2, T)?,
        wage_from: get(row, 3, T)?,
        end_date: get(row, 4, T)?,
        daily_wage: Money::from_centavos(get(row, 5, T)?),
    })
}

pub(crate) fn credit(row: &Row) -> Result<Credit, StoreError> {
    const T: &str = "credits";
    Ok(Credit {
        member_id: MemberId(get(row, 0, T)?),
        credit_number: parsed(T, CreditNumber::parse(get(row, 1, T)?))?,
        product: some(T, "product", CreditProduct::from_code(get(row, 2, T)?))?,
        denomination: some(T, "denomination", Denomination::from_code(get(row, 3, T)?))?,
        originated_on: get(row, 4, T)?,
        amount: Money::from_centavos(get(row, 5, T)?),
        amount_vsm: get(row, 6, T)?,
        rate: get(row, 7, T)?,
        term_months: parsed(T, u16::try_from(get::<i32>(row, 8, T)?))?,
        status: some(T, "status", CreditStatus::from_code(get(row, 9, T)?))?,
    })
}

pub(crate) fn credit_discount(row: &Row) -> Result<DiscountChange, StoreError> {
    const T: &str = "credit_discounts";
    Ok(DiscountChange {
        valid_from: get(row, 0, T)?,
        discount: Discount {
            kind: some(T, "kind", DiscountKind::from_code(get(row, 1, T)?))?,
            value: get(row, 2, T)?,
        },
        reason: some(
            T,
            "reason",
            DiscountChangeReason::from_code(get(row, 3, T)?),
        )?,
    })
}

pub(crate) fn credit_movement(row: &Row) -> Result<CreditMovement, StoreError> {
    const T: &str = "credit_movements";
    Ok(CreditMovement {
        member_id: MemberId(get(row, 0, T)?),
        credit_number: parsed(T, CreditNumber::parse(get(row, 1, T)?))?,
        reference: get(row, 2, T)?,
        kind: some(T, "kind", CreditMovementKind::from_code(get(row, 3, T)?))?,
        booked_on: get(row, 4, T)?,
        amount: Money::from_centavos(get(row, 5, T)?),
    })
}
