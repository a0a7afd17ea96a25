//! Payment relief on a credit (domain.md §10): the programmes open to one of the member's
//! credits today, the questionnaire, and the automatic decision — re-checked with the app's
//! clock when the member applies. A grant is kept with the movements it posts on the credit,
//! its audit row and the member's notice in one transaction; a refusal is audited too, with its
//! reason and the day the member can try again. The member id always comes from the session:
//! another member's credit is not found.

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::audit::AuditEntry;
use domain::credit::relief::{
    self, Answers, Decision, Family, Programme, Refusal, ReliefFacts, ReliefGrant, ReliefMonth,
    ReliefProgrammes, Situation,
};
use domain::dates::{mexico_city_date, parse_iso};
use domain::money::MoneyError;
use domain::registry::{CreditNumber, MemberId, RelationPeriod};
use fluent_bundle::FluentArgs;
use serde::Serialize;
use serde_json::json;
use store::{NewMessage, OutboxChannel, Store, StoreError};
use time::{Date, OffsetDateTime};

use crate::accounts::Caller;
use crate::clock::Clock;
use crate::credit::{CreditError, CreditView, Credits};
use crate::i18n::{Lang, Messages};
use crate::requests::{Acting, long_date};

#[derive(Debug, thiserror::Error)]
pub enum ReliefError {
    #[error("credit_not_found")]
    NotFound,
    /// A question of the questionnaire, with its code.
    #[error("{1}")]
    Field(&'static str, &'static str),
    #[error("{0}")]
    Credit(#[from] CreditError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Money(#[from] MoneyError),
}

impl ReliefError {
    pub fn code(&self) -> &'static str {
        match self {
            ReliefError::NotFound | ReliefError::Credit(CreditError::NotFound) => {
                "credit_not_found"
            }
            ReliefError::Field(_, code) => code,
            ReliefError::Credit(e) => e.code(),
            ReliefError::Store(_) => "service_unavailable",
            ReliefError::Money(e) => e.code(),
        }
    }
}

/// One family of relief as the credit's page shows it before the questionnaire.
#[derive(Clone, Debug, Serialize)]
pub struct ReliefOffer {
    pub family: Family,
    /// The rows of the family open to this credit today.
    pub programmes: Vec<Programme>,
    /// Why the member cannot ask for it today, when that is already clear.
    pub refusal: Option<Refusal>,
}

/// A grant with its effect month by month.
#[derive(Clone, Debug, Serialize)]
pub struct GrantView {
    pub grant: ReliefGrant,
    pub months: Vec<ReliefMonth>,
}

/// What `/mi-credito/{n}/apoyos` shows.
#[derive(Clone, Debug)]
pub struct ReliefOverview {
    pub credit: CreditView,
    pub offers: Vec<ReliefOffer>,
    /// Every grant on the credit, newest first.
    pub grants: Vec<GrantView>,
    pub today: Date,
}

/// The questionnaire as posted: text as typed, parsed here.
#[derive(Clone, Debug, Default)]
pub struct ReliefForm {
    pub situation: String,
    /// YYYY-MM-DD, or the day, month and year apart (`since_day` …).
    pub since: String,
    pub also_defer: bool,
    pub pension_or_disability: bool,
}

/// What an application came to.
#[derive(Clone, Debug, Serialize)]
pub enum Outcome {
    /// Granted now, or `already` granted by the same application sent before.
    Granted {
        view: GrantView,
        already: bool,
    },
    Refused(Refusal),
}

#[derive(Clone)]
pub struct Relief {
    store: Arc<dyn Store>,
    credits: Credits,
    programmes: Arc<ReliefProgrammes>,
    clock: Arc<dyn Clock>,
    messages: Arc<Messages>,
}

impl Relief {
    pub fn new(
        store: Arc<dyn Store>,
        credits: Credits,
        programmes: Arc<ReliefProgrammes>,
        clock: Arc<dyn Clock>,
        messages: Arc<Messages>,
    ) -> Relief {
        Relief {
            store,
            credits,
            programmes,
            clock,
            messages,
        }
    }

    pub fn programmes(&self) -> &ReliefProgrammes {
        &self.programmes
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Today in Mexico City, by the app's clock.
    pub fn today(&self) -> Date {
        mexico_city_date(self.now())
    }

    /// The programmes open to the member's credit today and the grants it had.
    pub async fn overview(
        &self,
        member: MemberId,
        number: &CreditNumber,
    ) -> Result<ReliefOverview, ReliefError> {
        let today = self.today();
        let gathered = self.gather(member, number, today).await?;
        let facts = gathered.facts(today, None);
        let offers = Family::ALL
            .into_iter()
            .map(
                |family| match relief::precheck(&self.programmes, family, &facts) {
                    Ok(rows) => ReliefOffer {
                        family,
                        programmes: rows.into_iter().cloned().collect(),
                        refusal: None,
                    },
                    Err(refusal) => ReliefOffer {
                        family,
                        programmes: Vec::new(),
                        refusal: Some(refusal),
                    },
                },
            )
            .collect();
        let mut grants = Vec::new();
        for grant in gathered.grants.iter().rev() {
            grants.push(self.view(grant, &gathered)?);
        }
        Ok(ReliefOverview {
            credit: gathered.record.view.clone(),
            offers,
            grants,
            today,
        })
    }

    fn view(&self, grant: &ReliefGrant, gathered: &Gathered) -> Result<GrantView, ReliefError> {
        Ok(GrantView {
            months: grant.months(&self.programmes, gathered.record.view.credit.rate)?,
            grant: grant.clone(),
        })
    }

    /// The grant starting on `start`, if the credit has one.
    pub async fn grant(
        &self,
        member: MemberId,
        number: &CreditNumber,
        start: Date,
    ) -> Result<GrantView, ReliefError> {
        let gathered = self.gather(member, number, self.today()).await?;
        let grant = gathered
            .grants
            .iter()
            .find(|g| g.start == start)
            .ok_or(ReliefError::NotFound)?;
        self.view(grant, &gathered)
    }

    /// Applies for `family` with the questionnaire's answers: the decision is made again here,
    /// with today's facts, whatever the page showed before.
    pub async fn apply(
        &self,
        member: MemberId,
        number: &CreditNumber,
        family: Family,
        form: &ReliefForm,
        caller: &Caller,
        acting: Acting,
    ) -> Result<Outcome, ReliefError> {
        let now = self.now();
        let today = mexico_city_date(now);
        let answers = parse_answers(form, today)?;
        let gathered = self.gather(member, number, today).await?;
        // The same application sent again: the grant it made.
        if let Some(made) = gathered
            .grants
            .iter()
            .find(|g| g.family == family && g.decided_on == today && g.covers(today))
        {
            return Ok(Outcome::Granted {
                view: self.view(made, &gathered)?,
                already: true,
            });
        }
        let facts = gathered.facts(today, Some(answers.since));
        let decision = relief::decide(&self.programmes, family, &facts, &answers)?;
        match decision {
            Decision::Refused(refusal) => {
                let entry = self.audit(
                    caller,
                    acting,
                    "relief_refused",
                    member,
                    json!({
                        "credit": number.as_str(),
                        "family": family.code(),
                        "situation": answers.situation.code(),
                        "reason": refusal.reason.code(),
                        "retry_on": refusal.retry_on.map(domain::dates::iso),
                    }),
                );
                self.store.append_audit(&[entry]).await?;
                Ok(Outcome::Refused(refusal))
            }
            Decision::Granted(plan) => {
                let posted = relief::movements(&plan.grant, &plan.months);
                let entry = self.audit(
                    caller,
                    acting,
                    "relief_granted",
                    member,
                    json!({
                        "credit": number.as_str(),
                        "programme": plan.grant.programme,
                        "situation": answers.situation.code(),
                        "start": domain::dates::iso(plan.grant.start),
                        "months": plan.grant.months,
                        "renewal": plan.grant.renewal,
                        "movements": posted.len(),
                    }),
                );
                let notify = self.notices(member, &plan.grant, now).await?;
                match self
                    .store
                    .grant_relief(&plan.grant, &posted, &[entry], &notify)
                    .await
                {
                    Ok(()) => Ok(Outcome::Granted {
                        view: GrantView {
                            grant: plan.grant,
                            months: plan.months,
                        },
                        already: false,
                    }),
                    // Sent twice at once: the other one made the grant.
                    Err(StoreError::Conflict("relief_already_granted")) => {
                        let view = self.grant(member, number, plan.grant.start).await?;
                        Ok(Outcome::Granted {
                            view,
                            already: true,
                        })
                    }
                    Err(StoreError::Conflict("credit_not_found")) => Err(ReliefError::NotFound),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    async fn gather(
        &self,
        member: MemberId,
        number: &CreditNumber,
        today: Date,
    ) -> Result<Gathered, ReliefError> {
        let record = self.credits.credit(member, number, today).await?;
        let relations = self.store.relations(member).await?;
        let grants = self.store.relief_grants(member, number).await?;
        Ok(Gathered {
            record,
            relations,
            grants,
        })
    }

    fn audit(
        &self,
        caller: &Caller,
        acting: Acting,
        action: &str,
        member: MemberId,
        details: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: store::stored_instant(self.now()),
            actor: acting.label(),
            action: action.to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: details.to_string(),
        }
    }

    /// The e-mail telling the member what was granted and until when.
    async fn notices(
        &self,
        member: MemberId,
        grant: &ReliefGrant,
        now: OffsetDateTime,
    ) -> Result<Vec<NewMessage>, ReliefError> {
        let Some(account) = self.store.account_by_member(member).await? else {
            return Ok(Vec::new());
        };
        let (lang, m) = (Lang::Es, &self.messages);
        let mut args = FluentArgs::new();
        args.set(
            "programme",
            m.text(lang, &format!("relief-programme-{}", grant.programme)),
        );
        args.set("credit", grant.credit_number.as_str().to_owned());
        args.set("start", long_date(lang, grant.start));
        args.set("end", long_date(lang, grant.end()));
        let body = format!(
            "{}\n\n{}",
            m.format(lang, "relief-notice-body", Some(&args)),
            m.text(lang, "free-and-personal")
        );
        Ok(vec![NewMessage {
            channel: OutboxChannel::Email,
            recipient: account.email.clone(),
            subject: m.format(lang, "relief-notice-subject", Some(&args)),
            body,
            created_at: now,
        }])
    }
}

/// What a decision reads, gathered once.
struct Gathered {
    record: crate::credit::CreditRecord,
    relations: Vec<RelationPeriod>,
    grants: Vec<ReliefGrant>,
}

impl Gathered {
    fn facts(&self, today: Date, since: Option<Date>) -> ReliefFacts<'_> {
        let view = &self.record.view;
        ReliefFacts {
            credit: &view.credit,
            paid_off: view.account.paid_off,
            balance: view.account.balance,
            monthly_payment: view.account.monthly_payment,
            arrears_months: view.account.arrears_months,
            employed_today: self
                .relations
                .iter()
                .any(|r| r.start_date <= today && r.end_date.is_none_or(|e| e >= today)),
            months_worked: months_worked(&self.relations, since.unwrap_or(today)),
            movements: &self.record.movements,
            grants: &self.grants,
            today,
        }
    }
}

/// Calendar months with salaried work in the registry up to `until` (a month counts when any
/// day of it was worked).
fn months_worked(relations: &[RelationPeriod], until: Date) -> u32 {
    let index = |d: Date| d.year() * 12 + i32::from(u8::from(d.month())) - 1;
    let mut months = BTreeSet::new();
    for r in relations {
        let end = r.end_date.map_or(until, |e| e.min(until));
        if end < r.start_date {
            continue;
        }
        months.extend(index(r.start_date)..=index(end));
    }
    u32::try_from(months.len()).unwrap_or(u32::MAX)
}

/// The questionnaire's answers, or the first question that needs another answer.
pub fn parse_answers(form: &ReliefForm, today: Date) -> Result<Answers, ReliefError> {
    let situation = Situation::from_code(form.situation.trim())
        .ok_or(ReliefError::Field("situation", "relief_situation_missing"))?;
    let since = if situation == Situation::NotAffected {
        parse_iso(form.since.trim()).unwrap_or(today)
    } else {
        let text = form.since.trim();
        if text.is_empty() {
            return Err(ReliefError::Field("since", "relief_since_missing"));
        }
        let since =
            parse_iso(text).map_err(|_| ReliefError::Field("since", "relief_since_invalid"))?;
        if since > today {
            return Err(ReliefError::Field("since", "relief_since_future"));
        }
        since
    };
    Ok(Answers {
        situation,
        since,
        also_defer: form.also_defer,
        ended_by_pension_or_disability: form.pension_or_disability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::money::Money;
    use domain::registry::Nrp;
    use time::macros::date;

    fn relation(start: Date, end: Option<Date>) -> RelationPeriod {
        RelationPeriod {
            member_id: MemberId(1),
            nrp: Nrp::parse("Y0000000001").unwrap(),
            start_date: start,
            end_date: end,
            wage_from: start,
            daily_wage: Money::from_centavos(30_000),
        }
    }

    #[test]
    fn months_worked_counts_each_month_once() {
        let r = [
            relation(date!(2025 - 01 - 15), Some(date!(2025 - 03 - 02))),
            // The same job with a raise: the same months again.
            relation(date!(2025 - 01 - 15), Some(date!(2025 - 03 - 02))),
            relation(date!(2025 - 06 - 01), None),
        ];
        // January to March, then June to August: 6 months.
        assert_eq!(months_worked(&r, date!(2025 - 08 - 31)), 6);
        assert_eq!(months_worked(&r, date!(2025 - 02 - 01)), 2);
    }

    #[test]
    fn the_questionnaire_asks_again_for_what_is_missing() {
        let today = date!(2020 - 05 - 10);
        let form = |situation: &str, since: &str| ReliefForm {
            situation: situation.into(),
            since: since.into(),
            ..ReliefForm::default()
        };
        let code = |f: &ReliefForm| parse_answers(f, today).unwrap_err().code();
        assert_eq!(code(&form("", "")), "relief_situation_missing");
        assert_eq!(code(&form("job_lost", " ")), "relief_since_missing");
        assert_eq!(
            code(&form("job_lost", "31/04/2020")),
            "relief_since_invalid"
        );
        assert_eq!(code(&form("job_lost", "2020-05-11")), "relief_since_future");
        let a = parse_answers(&form("job_lost", "2020-05-10"), today).unwrap();
        assert_eq!(a.since, today);
        assert_eq!(
            parse_answers(&form("not_affected", ""), today)
                .unwrap()
                .situation,
            Situation::NotAffected
        );
    }
}
