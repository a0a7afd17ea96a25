//! Loading registry files: one file is one batch, applied whole or not at all.

use async_trait::async_trait;
use domain::ids::{Curp, Nss};
use domain::refund::{PensionResolution, SubaccountHold};
use domain::registry::{
    Credit, CreditMovement, CreditNumber, Employer, MemberId, Movement, Nrp, Person, RelationPeriod,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::StoreError;
use crate::registry::CreditDiscount;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ImportKind {
    Members,
    Employers,
    Relations,
    Contributions,
    Credits,
    CreditMovements,
    /// The payroll discount of each credit and its changes.
    CreditDiscounts,
    /// A population written by the synthetic generator (demo, generate).
    Synthetic,
    /// A year's yield posted by `vivienda batch yield`.
    YieldPosting,
    /// A bimester's employer payments posted by `vivienda batch contributions`.
    ContributionPosting,
    /// A year's re-indexation of VSM credits posted by `vivienda batch reindex`.
    Reindexation,
    /// IMSS pension resolutions and denials.
    Pensions,
    /// Processes that hold the housing subaccount (court orders, unifications, claims).
    Holds,
    /// Money a completed request moved on the ledger (a refund paid out): one per request.
    RequestPosting,
    /// The discount booked by a credit's conversion to fixed pesos: one per credit.
    CreditConversion,
    /// The movements a relief grant posted on a credit: one per grant.
    ReliefPosting,
}

impl ImportKind {
    pub const FILE_KINDS: [ImportKind; 9] = [
        ImportKind::Members,
        ImportKind::Employers,
        ImportKind::Relations,
        ImportKind::Contributions,
        ImportKind::Credits,
        ImportKind::CreditMovements,
        ImportKind::CreditDiscounts,
        ImportKind::Pensions,
        ImportKind::Holds,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Members => "members",
            ImportKind::Employers => "employers",
            ImportKind::Relations => "relations",
            ImportKind::Contributions => "contributions",
            ImportKind::Credits => "credits",
            ImportKind::CreditMovements => "credit-movements",
            ImportKind::CreditDiscounts => "credit-discounts",
            ImportKind::Reindexation => "reindexation",
            ImportKind::Synthetic => "synthetic",
            ImportKind::YieldPosting => "yield",
            ImportKind::ContributionPosting => "contribution-batch",
            ImportKind::Pensions => "pensions",
            ImportKind::Holds => "holds",
            ImportKind::RequestPosting => "request-posting",
            ImportKind::CreditConversion => "credit-conversion",
            ImportKind::ReliefPosting => "relief-posting",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportKind> {
        [
            ImportKind::Synthetic,
            ImportKind::YieldPosting,
            ImportKind::ContributionPosting,
            ImportKind::Reindexation,
            ImportKind::RequestPosting,
            ImportKind::CreditConversion,
            ImportKind::ReliefPosting,
        ]
        .into_iter()
        .chain(ImportKind::FILE_KINDS)
        .find(|k| k.code() == code)
    }
}

/// What identifies a batch: the kind and the SHA-256 of the file's bytes.
#[derive(Clone, Debug)]
pub struct FileIdentity {
    pub kind: ImportKind,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    pub file_name: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportTotals {
    pub accepted: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub warnings: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    pub batch_id: i64,
    pub kind: String,
    pub sha256: String,
    pub file_name: String,
    pub finished_at: OffsetDateTime,
    pub totals: ImportTotals,
}

#[async_trait]
pub trait ImportRepo {
    /// Opens a batch in its own transaction. Fails with `AlreadyImported` if a batch with the
    /// same SHA-256 was committed before.
    async fn begin_import(&self, file: &FileIdentity) -> Result<Box<dyn ImportBatch>, StoreError>;
    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError>;
}

/// An open batch. Nothing it writes is visible until `commit`; dropping it without commit (or a
/// crash) leaves the database as it was.
///
/// Look-ups answer from inside the batch, so rows inserted earlier in it are seen. Inserts skip
/// rows whose natural key is already present and return how many were really inserted; the
/// ledger and credit balances move with the rows that were.
#[async_trait]
pub trait ImportBatch: Send {
    fn batch_id(&self) -> i64;
    async fn member_ids(&mut self, nss: &[Nss]) -> Result<Vec<Option<MemberId>>, StoreError>;
    async fn curp_owners(&mut self, curps: &[Curp]) -> Result<Vec<Option<MemberId>>, StoreError>;
    async fn employers_known(&mut self, nrps: &[Nrp]) -> Result<Vec<bool>, StoreError>;
    async fn credit_owners(
        &mut self,
        numbers: &[CreditNumber],
    ) -> Result<Vec<Option<MemberId>>, StoreError>;
    /// Inserts members and returns their new ids, in order.
    async fn insert_members(&mut self, rows: &[Person]) -> Result<Vec<MemberId>, StoreError>;
    async fn insert_employers(&mut self, rows: &[Employer]) -> Result<u64, StoreError>;
    async fn insert_relations(&mut self, rows: &[RelationPeriod]) -> Result<u64, StoreError>;
    async fn insert_movements(&mut self, rows: &[Movement]) -> Result<u64, StoreError>;
    async fn insert_credits(&mut self, rows: &[Credit]) -> Result<u64, StoreError>;
    async fn insert_credit_movements(&mut self, rows: &[CreditMovement])
    -> Result<u64, StoreError>;
    /// Inserts discounts; one per credit and `valid_from`.
    async fn insert_credit_discounts(&mut self, rows: &[CreditDiscount])
    -> Result<u64, StoreError>;
    /// Inserts pension resolutions; one per member, outcome and date.
    async fn insert_pension_resolutions(
        &mut self,
        rows: &[PensionResolution],
    ) -> Result<u64, StoreError>;
    /// Inserts holds; one per member, kind and day placed. A hold already there that is not
    /// lifted takes the row's `lifted_on` (counted as inserted); otherwise the row is skipped.
    async fn insert_subaccount_holds(&mut self, rows: &[SubaccountHold])
    -> Result<u64, StoreError>;
    /// Records the batch with its totals and makes everything visible at once.
    async fn commit(self: Box<Self>, totals: ImportTotals) -> Result<ImportRecord, StoreError>;
}
