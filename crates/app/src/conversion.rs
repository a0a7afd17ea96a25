//! Responsabilidad Compartida (domain.md §11): "Ver condiciones" puts the member's VSM credit
//! next to what it would be in fixed pesos, and applying converts it — once, in one
//! transaction with its audit row and the member's notice — after checking again, on the
//! app's clock, that the credit may convert and that the monthly window is open. The welcome
//! letter and the payroll modification notice are then issued as verifiable PDFs.
//!
//! The rules are in `domain::credit::conversion`; this module gathers their facts: the
//! credit's balance and re-indexation, today's payment, the member's income and the unit's
//! recent rises.

use std::sync::Arc;

use documents::{ConversionLetter, Rendered, Renderer};
use domain::audit::AuditEntry;
use domain::credit::conversion::{
    Ineligible, Offer, OfferFacts, Window, eligibility, offer, window, yearly_unit_growth,
};
use domain::dates::mexico_city_date;
use domain::money::{Money, MoneyError};
use domain::points::{PointsError, PointsTables, rate_for_salary};
use domain::reference::{DAYS_PER_MONTH, ReferenceError};
use domain::registry::{CreditNumber, MemberId, RelationPeriod};
use fluent_bundle::FluentArgs;
use serde_json::json;
use store::{CreditConversion, NewMessage, OutboxChannel, StoreError};
use time::{Date, OffsetDateTime};

use crate::accounts::Caller;
use crate::credit::{CreditError, CreditRecord, Credits};
use crate::i18n::{Lang, Messages};
use crate::issue::{IssueError, issue};
use crate::requests::Acting;

#[derive(Debug, thiserror::Error)]
pub enum ConversionError {
    #[error("{0}")]
    Credit(#[from] CreditError),
    /// The credit cannot convert (already converted, in pesos, paid off, co-financed…).
    #[error("not_eligible: {}", .0.code())]
    NotEligible(Ineligible),
    /// Days 1–8 of the month: closed until the 9th.
    #[error("conversion_window_closed")]
    WindowClosed { reopens_on: Date },
    /// What the credit owes moved since the conditions were read: read them again.
    #[error("conversion_changed")]
    Changed,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Reference(#[from] ReferenceError),
    #[error("{0}")]
    Points(#[from] PointsError),
    #[error("{0}")]
    Money(#[from] MoneyError),
    #[error("{0}")]
    Issue(#[from] IssueError),
}

impl ConversionError {
    pub fn code(&self) -> &'static str {
        match self {
            ConversionError::Credit(e) => e.code(),
            ConversionError::NotEligible(Ineligible::AlreadyConverted) => "already_converted",
            ConversionError::NotEligible(_) => "not_eligible",
            ConversionError::WindowClosed { .. } => "conversion_window_closed",
            ConversionError::Changed => "conversion_changed",
            ConversionError::Store(_) => "service_unavailable",
            ConversionError::Reference(e) => e.code(),
            ConversionError::Points(e) => e.code(),
            ConversionError::Money(e) => e.code(),
            ConversionError::Issue(e) => e.code(),
        }
    }
}

/// "Ver condiciones": the credit, whether and when it may convert, and the offer.
pub struct Conditions {
    pub record: CreditRecord,
    /// `Ok` when the credit may convert.
    pub eligibility: Result<(), Ineligible>,
    pub window: Window,
    /// The member's monthly income the rate was read for: 30.4 × the daily wage of the jobs
    /// open today (of the last job, when none is).
    pub monthly_salary: Money,
    /// The rate was interpolated inside a published band (§4.5).
    pub rate_estimate: bool,
    /// The offer, for a credit that may convert.
    pub offer: Option<Offer>,
    /// The conversion already made, for a converted credit.
    pub conversion: Option<CreditConversion>,
}

/// The conversion use cases, over the credits' reads.
#[derive(Clone)]
pub struct Conversions {
    credits: Credits,
    points: Arc<PointsTables>,
    messages: Arc<Messages>,
}

/// 30.4 × the daily wages of the relations open today; without one, of the latest period.
pub fn monthly_income(relations: &[RelationPeriod], today: Date) -> Option<Money> {
    let open: Vec<&RelationPeriod> = relations
        .iter()
        .filter(|r| r.start_date <= today && r.end_date.is_none_or(|e| e >= today))
        .filter(|r| r.wage_from <= today)
        .collect();
    // The wage in force with each open employer: its latest period.
    let mut daily = Money::ZERO;
    let mut employers: Vec<_> = open.iter().map(|r| r.nrp).collect();
    employers.sort();
    employers.dedup();
    for nrp in employers {
        if let Some(r) = open
            .iter()
            .filter(|r| r.nrp == nrp)
            .max_by_key(|r| r.wage_from)
        {
            daily += r.daily_wage;
        }
    }
    if daily.is_zero() {
        daily = relations
            .iter()
            .filter(|r| r.wage_from <= today)
            .max_by_key(|r| (r.wage_from, r.start_date))?
            .daily_wage;
    }
    daily.times(DAYS_PER_MONTH).ok()
}

impl Conversions {
    pub fn new(
        credits: Credits,
        points: Arc<PointsTables>,
        messages: Arc<Messages>,
    ) -> Conversions {
        Conversions {
            credits,
            points,
            messages,
        }
    }

    /// The conditions of one of the member's credits at `now`.
    pub async fn conditions(
        &self,
        member: MemberId,
        number: &CreditNumber,
        now: OffsetDateTime,
    ) -> Result<Conditions, ConversionError> {
        let today = mexico_city_date(now);
        let record = self.credits.credit(member, number, today).await?;
        let store = self.credits.store();
        let conversion = store.credit_conversion(member, number).await?;
        let relations = store.relations(member).await?;
        let tables = self.credits.tables();
        let monthly_salary = match monthly_income(&relations, today) {
            Some(income) => income,
            // No job on record: the minimum wage, the lowest income the rate table reads.
            None => tables
                .minimum_wage
                .value_on(today)?
                .general
                .times(DAYS_PER_MONTH)?,
        };
        let (rate_for_income, rate_estimate) =
            rate_for_salary(monthly_salary, today, tables, &self.points)?;
        let eligibility = eligibility(
            &record.view.credit,
            &record.view.account,
            conversion.is_some(),
        );
        let offer = match eligibility {
            Ok(()) => {
                let account = &record.view.account;
                Some(offer(&OfferFacts {
                    balance: account.balance,
                    reindexation: account.totals.reindexation,
                    current_payment: account.monthly_payment,
                    current_rate: record.view.credit.rate,
                    rate_for_income,
                    yearly_unit_growth: yearly_unit_growth(tables, today.year())?,
                    today,
                })?)
            }
            Err(_) => None,
        };
        Ok(Conditions {
            record,
            eligibility,
            window: window(today),
            monthly_salary,
            rate_estimate,
            offer,
            conversion,
        })
    }

    /// Converts the credit: the conditions read again at `now`, the window checked, then one
    /// transaction with the audit row and the member's notice.
    pub async fn apply(
        &self,
        member: MemberId,
        number: &CreditNumber,
        acting: Acting,
        caller: &Caller,
        now: OffsetDateTime,
    ) -> Result<CreditConversion, ConversionError> {
        let conditions = self.conditions(member, number, now).await?;
        conditions
            .eligibility
            .map_err(ConversionError::NotEligible)?;
        if let Window::Closed { reopens_on } = conditions.window {
            return Err(ConversionError::WindowClosed { reopens_on });
        }
        let Some(offer) = conditions.offer else {
            return Err(ConversionError::NotEligible(Ineligible::NothingOwed));
        };
        let conversion = CreditConversion {
            member_id: member,
            credit_number: number.clone(),
            converted_at: now,
            channel: caller.channel,
            offer,
        };
        let audit = [AuditEntry {
            at: store::stored_instant(now),
            actor: acting.label(),
            action: "credit_converted".into(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: json!({
                "credit_number": number.as_str(),
                "balance": offer.balance.to_string(),
                "discount": offer.discount.to_string(),
                "new_balance": offer.new_balance.to_string(),
                "rate": offer.rate.to_string(),
                "monthly_payment": offer.monthly_payment.to_string(),
                "ends_on": domain::dates::iso(offer.ends_on),
            })
            .to_string(),
        }];
        let notify = self.notice(member, number, &offer, now).await?;
        let store = self.credits.store();
        match store.convert_credit(&conversion, &audit, &notify).await {
            Ok(()) => Ok(conversion),
            Err(StoreError::Conflict("already_converted")) => {
                Err(ConversionError::NotEligible(Ineligible::AlreadyConverted))
            }
            Err(StoreError::Conflict("credit_not_found")) => {
                Err(ConversionError::Credit(CreditError::NotFound))
            }
            Err(StoreError::Conflict("credit_changed")) => Err(ConversionError::Changed),
            Err(e) => Err(e.into()),
        }
    }

    /// The e-mail and SMS telling the member the credit is now in pesos; none without an
    /// account.
    async fn notice(
        &self,
        member: MemberId,
        number: &CreditNumber,
        offer: &Offer,
        now: OffsetDateTime,
    ) -> Result<Vec<NewMessage>, ConversionError> {
        let Some(account) = self.credits.store().account_by_member(member).await? else {
            return Ok(Vec::new());
        };
        let lang = Lang::Es;
        let mut args = FluentArgs::new();
        args.set("credit", number.as_str().to_owned());
        args.set("payment", offer.monthly_payment.pesos());
        args.set("balance", offer.new_balance.pesos());
        args.set("discount", offer.discount.pesos());
        args.set("ends", crate::requests::long_date(lang, offer.ends_on));
        let m = &self.messages;
        Ok(vec![
            NewMessage {
                channel: OutboxChannel::Email,
                recipient: account.email.clone(),
                subject: m.format(lang, "conversion-notice-subject", Some(&args)),
                body: format!(
                    "{}\n\n{}",
                    m.format(lang, "conversion-notice-body", Some(&args)),
                    m.text(lang, "free-and-personal")
                ),
                created_at: now,
            },
            NewMessage {
                channel: OutboxChannel::Sms,
                recipient: account.mobile.clone(),
                subject: String::new(),
                body: m.format(lang, "conversion-notice-sms", Some(&args)),
                created_at: now,
            },
        ])
    }

    /// The welcome letter ("Carta de bienvenida") of a converted credit, with the conditions
    /// it was converted on.
    pub async fn letter_pdf(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        number: &CreditNumber,
        now: OffsetDateTime,
        caller: &Caller,
    ) -> Result<Rendered, ConversionError> {
        let store = self.credits.store();
        let conversion = store
            .credit_conversion(member, number)
            .await?
            .ok_or(ConversionError::Credit(CreditError::NotFound))?;
        let person = store
            .member(member)
            .await?
            .ok_or(ConversionError::Credit(CreditError::NotFound))?;
        let data = ConversionLetter {
            member: person,
            credit_number: number.clone(),
            converted_on: mexico_city_date(conversion.converted_at),
            offer: conversion.offer,
        };
        Ok(issue(
            store.as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await?)
    }
}
