//! "Mi crédito": each credit of the signed-in member with its balance, payment and movements,
//! the payroll-discount notices that apply to it, and the interest certificate of a closed
//! fiscal year. The member id always comes from the session; a credit number of another
//! member finds nothing.

use std::sync::Arc;

use domain::credit::account::AccountFacts;
use domain::credit::{
    CreditAccount, Discount, DiscountChange, DiscountKind, InterestCertificate, InterestError,
    NoticeFacts, NoticeOffer, interest_certificate, notices_for, vsm,
};
use domain::money::MoneyError;
use domain::reference::{ReferenceError, ReferenceTables};
use domain::registry::{
    Credit, CreditMovement, CreditMovementKind, CreditNumber, Denomination, Employer, MemberId,
    RelationPeriod,
};
use serde::Serialize;
use store::{Store, StoreError};
use time::{Date, Month};

#[derive(Clone)]
pub struct Credits {
    store: Arc<dyn Store>,
    tables: Arc<ReferenceTables>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreditError {
    #[error("credit_not_found")]
    NotFound,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Reference(#[from] ReferenceError),
    #[error("{0}")]
    Money(#[from] MoneyError),
    #[error("{0}")]
    Interest(#[from] InterestError),
}

impl CreditError {
    pub fn code(&self) -> &'static str {
        match self {
            CreditError::NotFound => "credit_not_found",
            CreditError::Store(_) => "service_unavailable",
            CreditError::Reference(e) => e.code(),
            CreditError::Money(e) => e.code(),
            CreditError::Interest(e) => e.code(),
        }
    }
}

/// One credit as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditView {
    pub credit: Credit,
    pub account: CreditAccount,
    /// The payroll discount in force.
    pub discount: Discount,
    /// Closed fiscal years with interest: the interest certificates on offer.
    pub interest_years: Vec<i32>,
}

/// A notice on offer, with the employer it is addressed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub credit_number: CreditNumber,
    pub offer: NoticeOffer,
    /// `None` when the employer is not in the registry.
    pub employer: Option<Employer>,
}

/// What one credit's pages read, gathered once.
pub struct CreditRecord {
    pub view: CreditView,
    pub movements: Vec<CreditMovement>,
    pub discounts: Vec<DiscountChange>,
}

impl Credits {
    pub fn new(store: Arc<dyn Store>, tables: Arc<ReferenceTables>) -> Credits {
        Credits { store, tables }
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn tables(&self) -> &ReferenceTables {
        &self.tables
    }

    /// Every credit of the member, newest first.
    pub async fn credits(
        &self,
        member: MemberId,
        today: Date,
    ) -> Result<Vec<CreditView>, CreditError> {
        let relations = self.store.relations(member).await?;
        let mut out = Vec::new();
        for credit in self.store.credits(member).await?.into_iter().rev() {
            out.push(self.record(credit, &relations, today).await?.view);
        }
        Ok(out)
    }

    /// One credit with its movements, if it is the member's.
    pub async fn credit(
        &self,
        member: MemberId,
        number: &CreditNumber,
        today: Date,
    ) -> Result<CreditRecord, CreditError> {
        Ok(self.credit_and_relations(member, number, today).await?.0)
    }

    async fn credit_and_relations(
        &self,
        member: MemberId,
        number: &CreditNumber,
        today: Date,
    ) -> Result<(CreditRecord, Vec<RelationPeriod>), CreditError> {
        let credit = self
            .store
            .credits(member)
            .await?
            .into_iter()
            .find(|c| &c.credit_number == number)
            .ok_or(CreditError::NotFound)?;
        let relations = self.store.relations(member).await?;
        let record = self.record(credit, &relations, today).await?;
        Ok((record, relations))
    }

    async fn record(
        &self,
        credit: Credit,
        relations: &[RelationPeriod],
        today: Date,
    ) -> Result<CreditRecord, CreditError> {
        let member = credit.member_id;
        let movements = self
            .store
            .credit_movements(member, &credit.credit_number)
            .await?;
        let discounts = self
            .store
            .credit_discounts(member, &credit.credit_number)
            .await?;
        let (unit_at_origination, unit_today) = match credit.denomination {
            Denomination::Vsm => (
                Some(vsm::monthly_unit(&self.tables, credit.originated_on)?),
                Some(vsm::monthly_unit(&self.tables, today)?),
            ),
            Denomination::Pesos => (None, None),
        };
        let grants = self
            .store
            .relief_grants(member, &credit.credit_number)
            .await?;
        let facts = AccountFacts {
            excused_months: domain::credit::relief::excused_months(&grants, today),
            movements: &movements,
            discounts: &discounts,
            employed: relations
                .iter()
                .any(|r| r.start_date <= today && r.end_date.is_none_or(|e| e >= today)),
            unit_at_origination,
            unit_today,
            today,
        };
        let account = CreditAccount::new(&credit, &facts)?;
        let discount = discounts
            .iter()
            .filter(|d| d.valid_from <= today)
            .max_by_key(|d| d.valid_from)
            .map(|d| d.discount)
            .unwrap_or(match account.monthly_payment_units {
                Some(units) => Discount {
                    kind: DiscountKind::VsmFactor,
                    value: units,
                },
                None => Discount {
                    kind: DiscountKind::FixedPesos,
                    value: account.monthly_payment.to_decimal(),
                },
            });
        let mut interest_years: Vec<i32> = movements
            .iter()
            .filter(|m| m.kind == CreditMovementKind::Interest && m.booked_on.year() < today.year())
            .map(|m| m.booked_on.year())
            .collect();
        interest_years.sort_unstable_by(|a, b| b.cmp(a));
        interest_years.dedup();
        Ok(CreditRecord {
            view: CreditView {
                credit,
                account,
                discount,
                interest_years,
            },
            movements,
            discounts,
        })
    }

    /// The notices that apply today to any of the member's credits.
    pub async fn notices(&self, member: MemberId, today: Date) -> Result<Vec<Notice>, CreditError> {
        let relations = self.store.relations(member).await?;
        let mut out = Vec::new();
        for credit in self.store.credits(member).await? {
            let record = self.record(credit, &relations, today).await?;
            out.extend(self.notices_of(&record, &relations, today).await?);
        }
        Ok(out)
    }

    async fn notices_of(
        &self,
        record: &CreditRecord,
        relations: &[RelationPeriod],
        today: Date,
    ) -> Result<Vec<Notice>, CreditError> {
        let view = &record.view;
        // A relief that stops the payroll discount (a prórroga, a deferral) in force today.
        let extension_since = self
            .store
            .relief_grants(view.credit.member_id, &view.credit.credit_number)
            .await?
            .into_iter()
            .filter(|g| g.suspends_discount && g.covers(today))
            .map(|g| g.start)
            .min();
        let facts = NoticeFacts {
            credit: &view.credit,
            paid_off: view.account.paid_off,
            paid_off_on: view.account.paid_off_on,
            discount: view.discount,
            discounts: &record.discounts,
            relations,
            extension_since,
            today,
        };
        let mut out = Vec::new();
        for offer in notices_for(&facts) {
            out.push(Notice {
                credit_number: view.credit.credit_number.clone(),
                offer,
                employer: self.store.employer(&offer.employer).await?,
            });
        }
        Ok(out)
    }

    /// The notice of `kind` for `credit` addressed to `employer`, if it applies today, with
    /// the credit it is about.
    pub async fn notice(
        &self,
        member: MemberId,
        number: &CreditNumber,
        kind: domain::credit::NoticeKind,
        employer: &domain::registry::Nrp,
        today: Date,
    ) -> Result<(Notice, CreditRecord), CreditError> {
        let (record, relations) = self.credit_and_relations(member, number, today).await?;
        let notice = self
            .notices_of(&record, &relations, today)
            .await?
            .into_iter()
            .find(|n| n.offer.kind == kind && &n.offer.employer == employer)
            .ok_or(CreditError::NotFound)?;
        Ok((notice, record))
    }

    /// The interest certificate of `year` for one of the member's credits.
    pub async fn interest(
        &self,
        member: MemberId,
        number: &CreditNumber,
        year: i32,
        today: Date,
    ) -> Result<(CreditRecord, InterestCertificate), CreditError> {
        let record = self.credit(member, number, today).await?;
        let tables = &self.tables;
        let certificate = interest_certificate(
            year,
            &record.movements,
            |y, m| {
                (m == Month::December)
                    .then(|| tables.inpc_december(y).ok())
                    .flatten()
            },
            today,
        )?;
        Ok((record, certificate))
    }
}
