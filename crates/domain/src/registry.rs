//! The member registry the fund already holds, imported from the social-security institute:
//! members, employers, employment relations, the housing-subaccount ledger and credits.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::bimester::Bimester;
use crate::ids::{Curp, Nss, Rfc};
use crate::money::Money;

/// The internal key of a member. NSS is the outside identifier and can be corrected or unified,
/// so nothing keys on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MemberId(pub i64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// The letter used in the CURP and in import files: M (mujer) or H (hombre).
    pub fn letter(self) -> char {
        match self {
            Sex::Female => 'M',
            Sex::Male => 'H',
        }
    }

    pub fn from_letter(letter: &str) -> Option<Sex> {
        match letter.trim() {
            "M" | "m" => Some(Sex::Female),
            "H" | "h" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// A state by its INEGI number, 1–32.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StateCode(pub u8);

impl StateCode {
    pub fn new(code: u8) -> Option<StateCode> {
        (1..=32).contains(&code).then_some(StateCode(code))
    }
}

/// A member as held in the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub member_id: MemberId,
    pub person: Person,
}

/// The personal data of a member, as imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub nss: Nss,
    pub curp: Curp,
    pub rfc: Rfc,
    pub first_surname: String,
    pub second_surname: String,
    pub given_names: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub state: StateCode,
}

impl Person {
    pub fn full_name(&self) -> String {
        let mut name = self.given_names.clone();
        for part in [&self.first_surname, &self.second_surname] {
            if !part.is_empty() {
                name.push(' ');
                name.push_str(part);
            }
        }
        name
    }
}

/// An employer's IMSS registration (registro patronal): 11 upper-case letters or digits, held
/// inline so that rows naming an employer cost no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nrp([u8; 11]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nrp_format")]
pub struct NrpError;

impl Nrp {
    pub fn parse(text: &str) -> Result<Nrp, NrpError> {
        let bytes: [u8; 11] = text.trim().as_bytes().try_into().map_err(|_| NrpError)?;
        if bytes
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            Ok(Nrp(bytes))
        } else {
            Err(NrpError)
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits get in.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// A registration made of "Y" and ten digits of `n`, for synthetic and test employers.
    pub fn numbered(n: u64) -> Nrp {
        let mut bytes = [b'Y'; 11];
        let mut rest = n % 10_000_000_000;
        for b in bytes[1..].iter_mut().rev() {
            *b = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        Nrp(bytes)
    }

    /// The registration as a number (base 36), used as the `source` of a contribution in the
    /// ledger key. 36^11 fits in an i64, so the mapping is exact and reversible.
    pub fn source_key(&self) -> i64 {
        self.0.iter().fold(0i64, |acc, &b| {
            let digit = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A' + 10
            };
            acc * 36 + i64::from(digit)
        })
    }
}

impl fmt::Display for Nrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Nrp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Nrp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Nrp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod nrp_tests {
    use super::*;

    #[test]
    fn numbered_registrations_parse_and_map_to_distinct_keys() {
        let a = Nrp::numbered(42);
        assert_eq!(a.as_str(), "Y0000000042");
        assert_eq!(Nrp::parse("Y0000000042"), Ok(a));
        assert_ne!(a.source_key(), Nrp::numbered(43).source_key());
        assert_eq!(Nrp::parse("y0000000042"), Err(NrpError));
        assert_eq!(Nrp::parse("Y00000042"), Err(NrpError));
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    pub nrp: Nrp,
    pub name: String,
    pub state: StateCode,
    pub sector: String,
}

/// One period of an employment relation at one integrated daily wage. A relation is the run of
/// periods sharing (member, employer, start date); each wage change starts a new period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationPeriod {
    pub member_id: MemberId,
    pub nrp: Nrp,
    /// Alta: the day the relation started.
    pub start_date: Date,
    /// Baja: the last day, when the relation has ended.
    pub end_date: Option<Date>,
    /// The day this wage took effect (the start date for the first period).
    pub wage_from: Date,
    /// Salario diario integrado.
    pub daily_wage: Money,
}

/// The four buckets of the housing subaccount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Bucket {
    /// Fondo de Ahorro 1972–1992: earns no yield.
    Fondo7292,
    /// Subcuenta de Vivienda 1992 (Mar 1992 – Jun 1997).
    Scv92,
    /// Subcuenta de Vivienda 1997 (Jul 1997 onward).
    Scv97,
    /// Solo Infonavit: voluntary and independent-worker money held only at the fund.
    SoloInfonavit,
}

impl Bucket {
    pub const ALL: [Bucket; 4] = [
        Bucket::Fondo7292,
        Bucket::Scv92,
        Bucket::Scv97,
        Bucket::SoloInfonavit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Bucket::Fondo7292 => "fondo_72_92",
            Bucket::Scv92 => "scv_92",
            Bucket::Scv97 => "scv_97",
            Bucket::SoloInfonavit => "solo_infonavit",
        }
    }

    pub fn from_code(code: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.code() == code.trim())
    }

    /// Small stable number used in storage keys.
    pub fn number(self) -> i16 {
        match self {
            Bucket::Fondo7292 => 1,
            Bucket::Scv92 => 2,
            Bucket::Scv97 => 3,
            Bucket::SoloInfonavit => 4,
        }
    }

    pub fn from_number(n: i64) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| i64::from(b.number()) == n)
    }

    /// Whether the bucket earns the yearly yield.
    pub fn earns_yield(self) -> bool {
        !matches!(self, Bucket::Fondo7292)
    }

    /// The bucket that receives an employer contribution for a bimester.
    pub fn for_contribution(bimester: Bimester) -> Bucket {
        match bimester.key() {
            k if k < 19922 => Bucket::Fondo7292,
            k if k < 19974 => Bucket::Scv92,
            _ => Bucket::Scv97,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MovementKind {
    Contribution,
    Yield,
    Withdrawal,
    AppliedToCredit,
    Adjustment,
}

impl MovementKind {
    pub const ALL: [MovementKind; 5] = [
        MovementKind::Contribution,
        MovementKind::Yield,
        MovementKind::Withdrawal,
        MovementKind::AppliedToCredit,
        MovementKind::Adjustment,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MovementKind::Contribution => "contribution",
            MovementKind::Yield => "yield",
            MovementKind::Withdrawal => "withdrawal",
            MovementKind::AppliedToCredit => "applied_to_credit",
            MovementKind::Adjustment => "adjustment",
        }
    }

    pub fn from_code(code: &str) -> Option<MovementKind> {
        MovementKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    pub fn number(self) -> i16 {
        match self {
            MovementKind::Contribution => 1,
            MovementKind::Yield => 2,
            MovementKind::Withdrawal => 3,
            MovementKind::AppliedToCredit => 4,
            MovementKind::Adjustment => 5,
        }
    }

    pub fn from_number(n: i64) -> Option<MovementKind> {
        MovementKind::ALL
            .into_iter()
            .find(|k| i64::from(k.number()) == n)
    }
}

/// One movement of the housing-subaccount ledger.
///
/// Its natural key is (member, bucket, kind, period, source): a contribution is keyed by its
/// bimester and employer, a yield by its year, so posting the same thing twice is a no-op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub member_id: MemberId,
    pub bucket: Bucket,
    pub kind: MovementKind,
    /// Bimester key (20203) for contributions, the year for yields, yyyymmdd otherwise.
    pub period: i32,
    /// The employer for contributions; otherwise a reference that separates same-day movements.
    pub source: i64,
    pub amount: Money,
    pub booked_on: Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketBalance {
    pub bucket: Bucket,
    pub balance: Money,
}

/// How a credit is denominated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Denomination {
    Pesos,
    /// Veces salario mínimo: re-indexed each year (by the UMI since 2016).
    Vsm,
}

impl Denomination {
    pub fn code(self) -> &'static str {
        match self {
            Denomination::Pesos => "pesos",
            Denomination::Vsm => "vsm",
        }
    }

    pub fn from_code(code: &str) -> Option<Denomination> {
        match code.trim() {
            "pesos" => Some(Denomination::Pesos),
            "vsm" => Some(Denomination::Vsm),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CreditStatus {
    Active,
    PaidOff,
    Cancelled,
}

impl CreditStatus {
    pub fn code(self) -> &'static str {
        match self {
            CreditStatus::Active => "active",
            CreditStatus::PaidOff => "paid_off",
            CreditStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<CreditStatus> {
        match code.trim() {
            "active" => Some(CreditStatus::Active),
            "paid_off" => Some(CreditStatus::PaidOff),
            "cancelled" => Some(CreditStatus::Cancelled),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CreditProduct {
    Tradicional,
    Cofinavit,
    UnamosCreditos,
    Mejoravit,
    InfonavitTotal,
}

impl CreditProduct {
    pub const ALL: [CreditProduct; 5] = [
        CreditProduct::Tradicional,
        CreditProduct::Cofinavit,
        CreditProduct::UnamosCreditos,
        CreditProduct::Mejoravit,
        CreditProduct::InfonavitTotal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CreditProduct::Tradicional => "tradicional",
            CreditProduct::Cofinavit => "cofinavit",
            CreditProduct::UnamosCreditos => "unamos_creditos",
            CreditProduct::Mejoravit => "mejoravit",
            CreditProduct::InfonavitTotal => "infonavit_total",
        }
    }

    pub fn from_code(code: &str) -> Option<CreditProduct> {
        CreditProduct::ALL
            .into_iter()
            .find(|p| p.code() == code.trim())
    }
}

/// A credit number: 10 digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CreditNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credit_number_format")]
pub struct CreditNumberError;

impl CreditNumber {
    /// The ten-digit number of `n` (modulo 10^10), for synthetic and test credits.
    pub fn numbered(n: u64) -> CreditNumber {
        CreditNumber(format!("{:010}", n % 10_000_000_000))
    }

    pub fn parse(text: &str) -> Result<CreditNumber, CreditNumberError> {
        let text = text.trim();
        if text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CreditNumber(text.to_owned()))
        } else {
            Err(CreditNumberError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub credit_number: CreditNumber,
    pub member_id: MemberId,
    pub product: CreditProduct,
    pub denomination: Denomination,
    pub originated_on: Date,
    /// The amount lent, in pesos on the origination date.
    pub amount: Money,
    /// For VSM credits, the amount lent in monthly minimum wages.
    pub amount_vsm: Option<Decimal>,
    /// Annual rate, e.g. 0.12 for 12%.
    pub rate: Decimal,
    pub term_months: u16,
    pub status: CreditStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CreditMovementKind {
    Disbursement,
    Interest,
    Insurance,
    PayrollPayment,
    DirectPayment,
    EmployerContribution,
    Reindexation,
    Discount,
    Adjustment,
    /// A relief fund paid (part of) the instalment: the 2020 unemployment insurance, the
    /// payment-protection fund (domain.md §10).
    ReliefPayment,
    /// Interest not charged because of a relief measure (deferral, stoppage).
    InterestWaiver,
}

impl CreditMovementKind {
    pub const ALL: [CreditMovementKind; 11] = [
        CreditMovementKind::Disbursement,
        CreditMovementKind::Interest,
        CreditMovementKind::Insurance,
        CreditMovementKind::PayrollPayment,
        CreditMovementKind::DirectPayment,
        CreditMovementKind::EmployerContribution,
        CreditMovementKind::Reindexation,
        CreditMovementKind::Discount,
        CreditMovementKind::Adjustment,
        CreditMovementKind::ReliefPayment,
        CreditMovementKind::InterestWaiver,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CreditMovementKind::Disbursement => "disbursement",
            CreditMovementKind::Interest => "interest",
            CreditMovementKind::Insurance => "insurance",
            CreditMovementKind::PayrollPayment => "payroll_payment",
            CreditMovementKind::DirectPayment => "direct_payment",
            CreditMovementKind::EmployerContribution => "employer_contribution",
            CreditMovementKind::Reindexation => "reindexation",
            CreditMovementKind::Discount => "discount",
            CreditMovementKind::Adjustment => "adjustment",
            CreditMovementKind::ReliefPayment => "relief_payment",
            CreditMovementKind::InterestWaiver => "interest_waiver",
        }
    }

    pub fn from_code(code: &str) -> Option<CreditMovementKind> {
        CreditMovementKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    /// Whether the movement raises what is owed (charges) rather than lowering it (payments).
    pub fn is_charge(self) -> bool {
        matches!(
            self,
            CreditMovementKind::Disbursement
                | CreditMovementKind::Interest
                | CreditMovementKind::Insurance
                | CreditMovementKind::Reindexation
        )
    }
}

/// One movement on a credit. Amounts are signed as they change the balance owed: charges
/// positive, payments and discounts negative. Keyed by (member, credit, reference).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditMovement {
    pub member_id: MemberId,
    pub credit_number: CreditNumber,
    pub reference: String,
    pub kind: CreditMovementKind,
    pub booked_on: Date,
    pub amount: Money,
}
