//! Requests ("trámites"): filing one, moving it through its states, and showing where it stands.
//!
//! Each use case owns one transaction: the change, its timeline event, its audit row and the
//! member's notifications are written together or not at all. A member reaches only their own
//! requests (the member always comes from the session); an operator on the phone or at a CESI
//! acts for a member through the same functions, in the member's role, and the operator and the
//! channel are recorded.

mod acting;
mod notices;
mod views;

use std::sync::Arc;

use domain::audit::AuditEntry;
use domain::registry::MemberId;
use domain::requests::{
    Action, ActionName, Folio, Holidays, RequestKind, RequestStage, RequestState, ServiceClock,
    ServiceStandards, next_owner, transition,
};
use serde_json::json;
use store::{
    LedgerPosting, NewRequest, NewRequestEvent, QueueQuery, Request, StateChange, Store,
    StoreError, Submission,
};
use time::Date;

use domain::dates::mexico_city_date;

use crate::accounts::Caller;
use crate::clock::Clock;
use crate::i18n::{Lang, Messages};
pub use acting::{Acting, RequestError};
pub use notices::{kind_text, long_date, reason_text};
use views::timeline_entry;
pub use views::{Filed, RequestLine, RequestStatus, TimelineEntry};

/// The most a request's answers may weigh, as JSON text. Documents are attachments, not answers.
pub const MAX_ANSWERS_BYTES: usize = 64 * 1024;

/// Folios drawn before giving up: a clash is rare, three in a row means something is wrong.
const FOLIO_DRAWS: usize = 3;

/// A change of state ready to be written, with what it was made from.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The request as read before the change.
    pub request: Request,
    pub change: StateChange,
    pub audit: Vec<AuditEntry>,
    pub notify: Vec<store::NewMessage>,
}

/// The request use cases and what they need.
#[derive(Clone)]
pub struct Requests {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    standards: Arc<ServiceStandards>,
    holidays: Arc<Holidays>,
    messages: Arc<Messages>,
}

pub(crate) fn from_store(e: StoreError) -> RequestError {
    match e {
        StoreError::Conflict("request_state_changed") => RequestError::Changed,
        StoreError::Conflict("request_not_found") => RequestError::NotFound,
        StoreError::Conflict(code @ ("posting_already_made" | "posting_overdraws")) => {
            RequestError::Posting(code)
        }
        other => RequestError::Store(other),
    }
}

impl Requests {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        standards: Arc<ServiceStandards>,
        holidays: Holidays,
        messages: Arc<Messages>,
    ) -> Requests {
        Requests {
            store,
            clock,
            standards,
            holidays: Arc::new(holidays),
            messages,
        }
    }

    /// The texts notices are written from.
    pub fn messages(&self) -> &Arc<Messages> {
        &self.messages
    }

    /// The instant use cases stamp their rows with.
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// Today in Mexico City: the day promises are counted from.
    pub fn today(&self) -> Date {
        mexico_city_date(self.clock.now())
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
            at: store::stored_instant(self.clock.now()),
            actor: acting.label(),
            action: action.to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: details.to_string(),
        }
    }

    /// What the timeline records besides who acted: that an operator acted for the member.
    fn event_details(acting: Acting) -> String {
        match acting {
            Acting::ForMember { .. } => json!({ "for_member": true }).to_string(),
            _ => "{}".to_owned(),
        }
    }

    /// The member's notices about `notice`, to the contacts of their account (none without
    /// one). Members have no language preference yet, so they are written in Spanish.
    fn notices(
        &self,
        account: Option<&store::Account>,
        notice: &notices::Notice<'_>,
    ) -> Vec<store::NewMessage> {
        notices::compose(&self.messages, Lang::Es, account, notice, self.clock.now())
    }

    /// Files a request for `member`: a folio, the date promised by the kind's service standard
    /// in force today, the first line of the timeline, the audit row and the member's notices.
    pub async fn submit(
        &self,
        member: MemberId,
        kind: RequestKind,
        answers: &serde_json::Value,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Filed, RequestError> {
        self.submit_with_attachments(member, kind, answers, &[], acting, caller)
            .await
    }

    /// Like `submit`, keeping files (already checked by the caller) with the request in the
    /// same transaction.
    pub async fn submit_with_attachments(
        &self,
        member: MemberId,
        kind: RequestKind,
        answers: &serde_json::Value,
        attachments: &[store::NewAttachment],
        acting: Acting,
        caller: &Caller,
    ) -> Result<Filed, RequestError> {
        self.submit_prepared(member, kind, attachments, acting, caller, |_| {
            Ok::<_, RequestError>(answers.clone())
        })
        .await
    }

    /// `submit`, with answers that depend on the folio: `answers_for` is called with each folio
    /// drawn (again, in the rare case one is taken), so a signature can cover it.
    pub async fn submit_with<E, F>(
        &self,
        member: MemberId,
        kind: RequestKind,
        acting: Acting,
        caller: &Caller,
        answers_for: F,
    ) -> Result<Filed, E>
    where
        E: From<RequestError> + Send,
        F: FnMut(&Folio) -> Result<serde_json::Value, E> + Send,
    {
        self.submit_prepared(member, kind, &[], acting, caller, answers_for)
            .await
    }

    async fn submit_prepared<E, F>(
        &self,
        member: MemberId,
        kind: RequestKind,
        attachments: &[store::NewAttachment],
        acting: Acting,
        caller: &Caller,
        mut answers_for: F,
    ) -> Result<Filed, E>
    where
        E: From<RequestError> + Send,
        F: FnMut(&Folio) -> Result<serde_json::Value, E> + Send,
    {
        if acting.member() != Some(member) {
            return Err(RequestError::NotPermitted.into());
        }
        if self
            .store
            .member(member)
            .await
            .map_err(RequestError::from)?
            .is_none()
        {
            return Err(RequestError::NoMember.into());
        }
        let state = transition(kind, &RequestState::Draft, &Action::Submit, acting.role())
            .map_err(RequestError::from)?;
        let now = self.clock.now();
        let today = mexico_city_date(now);
        let standard = self
            .standards
            .standard(kind, today)
            .map_err(RequestError::from)?;
        let promised_on = standard.value.promised_on(today, &self.holidays);
        let latest_on = standard.value.latest_on(today, &self.holidays);
        let account = self
            .store
            .account_by_member(member)
            .await
            .map_err(RequestError::from)?;
        let mut last = RequestError::Store(StoreError::Conflict("request_folio_taken"));
        for _ in 0..FOLIO_DRAWS {
            let folio = Folio::generate(kind, today.year(), &mut rand::rng());
            let answers = answers_for(&folio)?.to_string();
            if answers.len() > MAX_ANSWERS_BYTES {
                return Err(RequestError::AnswersTooLarge.into());
            }
            let notice = notices::Notice {
                kind,
                folio: &folio,
                action: ActionName::Submit,
                state: &state,
                promised_on: Some(promised_on),
            };
            let notify = self.notices(account.as_ref(), &notice);
            let details = json!({
                "folio": folio.as_str(),
                "kind": kind.code(),
                "promised_on": domain::dates::iso(promised_on),
            });
            let audit = [self.audit(caller, acting, "request_submitted", member, details)];
            let new = NewRequest {
                member_id: member,
                folio: folio.clone(),
                kind,
                state: state.clone(),
                answers,
                channel: caller.channel,
                created_by: acting.label(),
                created_at: now,
                submitted: Some(Submission {
                    at: now,
                    promised_on,
                }),
                event: NewRequestEvent {
                    at: now,
                    event: ActionName::Submit.event_code().to_owned(),
                    actor: acting.label(),
                    channel: caller.channel,
                    details: Self::event_details(acting),
                },
            };
            let created = if attachments.is_empty() {
                self.store.create_request(&new, &audit, &notify).await
            } else {
                self.store
                    .create_request_with_attachments(&new, attachments, &audit, &notify)
                    .await
            };
            match created {
                Ok(_) => {
                    return Ok(Filed {
                        folio,
                        kind,
                        submitted_on: today,
                        promised_on,
                        latest_on,
                        estimate: standard.estimate,
                    });
                }
                Err(StoreError::Conflict("request_folio_taken")) => {
                    last = RequestError::Store(StoreError::Conflict("request_folio_taken"));
                }
                Err(StoreError::Conflict("request_already_open")) => {
                    return Err(RequestError::AlreadyOpen.into());
                }
                Err(e) => return Err(RequestError::from(e).into()),
            }
        }
        Err(last.into())
    }

    /// Starts a draft of `kind` for `member`: a folio and the first line of the timeline
    /// ("draft_saved"), no promise yet (the clock starts at submission) and no notice. The
    /// member builds it and submits it with `act(…, Action::Submit, …)`.
    pub async fn create_draft(
        &self,
        member: MemberId,
        kind: RequestKind,
        answers: &serde_json::Value,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RequestError> {
        if acting.member() != Some(member) {
            return Err(RequestError::NotPermitted);
        }
        if self.store.member(member).await?.is_none() {
            return Err(RequestError::NoMember);
        }
        let answers = answers.to_string();
        if answers.len() > MAX_ANSWERS_BYTES {
            return Err(RequestError::AnswersTooLarge);
        }
        let now = self.clock.now();
        let today = mexico_city_date(now);
        let mut last = RequestError::Store(StoreError::Conflict("request_folio_taken"));
        for _ in 0..FOLIO_DRAWS {
            let folio = Folio::generate(kind, today.year(), &mut rand::rng());
            let details = json!({ "folio": folio.as_str(), "kind": kind.code() });
            let audit = [self.audit(caller, acting, "request_draft_saved", member, details)];
            let new = NewRequest {
                member_id: member,
                folio: folio.clone(),
                kind,
                state: RequestState::Draft,
                answers: answers.clone(),
                channel: caller.channel,
                created_by: acting.label(),
                created_at: now,
                submitted: None,
                event: NewRequestEvent {
                    at: now,
                    event: "draft_saved".to_owned(),
                    actor: acting.label(),
                    channel: caller.channel,
                    details: Self::event_details(acting),
                },
            };
            match self.store.create_request(&new, &audit, &[]).await {
                Ok(created) => return Ok(created),
                Err(StoreError::Conflict("request_folio_taken")) => {
                    last = RequestError::Store(StoreError::Conflict("request_folio_taken"));
                }
                Err(StoreError::Conflict("request_already_open")) => {
                    return Err(RequestError::AlreadyOpen);
                }
                Err(e) => return Err(RequestError::from(e)),
            }
        }
        Err(last)
    }

    /// The member's request with `folio`. A folio of someone else's is answered like one that
    /// does not exist, and the attempt is audited.
    async fn own_request(
        &self,
        member: MemberId,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RequestError> {
        if let Some(request) = self.store.request_by_folio(member, folio).await? {
            return Ok(request);
        }
        self.refuse_foreign(member, folio, acting, caller).await?;
        Err(RequestError::NotFound)
    }

    /// For a use case that did not find `folio` among `member`'s requests: when it is someone
    /// else's, the attempt is audited as `access_denied` (the member is answered as for a folio
    /// that does not exist).
    pub async fn refuse_foreign(
        &self,
        member: MemberId,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<(), RequestError> {
        if let Some(owner) = self.store.folio_owner(folio).await?
            && owner != member
        {
            let details = json!({ "folio": folio.as_str(), "what": "request" });
            let entry = self.audit(caller, acting, "access_denied", member, details);
            self.store.append_audit(&[entry]).await?;
        }
        Ok(())
    }

    /// Takes `action` on the request with `folio`: the member (or an operator for them) on
    /// their own request; an operator or the system on anyone's.
    pub async fn act(
        &self,
        folio: &Folio,
        action: Action,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RequestError> {
        let prepared = self.prepare(folio, action, acting, caller).await?;
        self.store
            .transition_request(
                prepared.request.member_id,
                folio,
                &prepared.change,
                &prepared.audit,
                &prepared.notify,
            )
            .await
            .map_err(from_store)
    }

    /// `act`, and `posting` booked on the ledger in the same transaction: the change and the
    /// money move together or not at all, and a posting is never made twice (see
    /// `store::RequestRepo::transition_request_posting`).
    pub async fn act_posting(
        &self,
        folio: &Folio,
        action: Action,
        acting: Acting,
        caller: &Caller,
        posting: &LedgerPosting,
    ) -> Result<Request, RequestError> {
        let prepared = self.prepare(folio, action, acting, caller).await?;
        self.store
            .transition_request_posting(
                prepared.request.member_id,
                folio,
                &prepared.change,
                posting,
                &prepared.audit,
                &prepared.notify,
            )
            .await
            .map_err(from_store)
    }

    /// Everything a change of state writes — the change, its audit entry and the member's
    /// notices — for a use case that writes more in the same transaction (a data correction
    /// rewrites the member's record as it completes).
    pub async fn prepare(
        &self,
        folio: &Folio,
        action: Action,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Prepared, RequestError> {
        let request = match acting.member() {
            Some(member) => self.own_request(member, folio, acting, caller).await?,
            None => {
                let owner = self
                    .store
                    .folio_owner(folio)
                    .await?
                    .ok_or(RequestError::NotFound)?;
                self.store
                    .request_by_folio(owner, folio)
                    .await?
                    .ok_or(RequestError::NotFound)?
            }
        };
        let member = request.member_id;
        let next = transition(request.kind, &request.state, &action, acting.role())?;
        let now = self.clock.now();
        // A draft is promised a date when it is submitted.
        let submitted = if request.promised_on.is_none() && action == Action::Submit {
            let today = mexico_city_date(now);
            let standard = self.standards.standard(request.kind, today)?;
            Some(Submission {
                at: now,
                promised_on: standard.value.promised_on(today, &self.holidays),
            })
        } else {
            None
        };
        let event = action.name().event_code();
        let notice = notices::Notice {
            kind: request.kind,
            folio,
            action: action.name(),
            state: &next,
            promised_on: request.promised_on.or(submitted.map(|s| s.promised_on)),
        };
        let account = self.store.account_by_member(member).await?;
        let notify = self.notices(account.as_ref(), &notice);
        let details = json!({
            "folio": folio.as_str(),
            "kind": request.kind.code(),
            "from": request.state.stage().code(),
            "to": next.stage().code(),
            "reason": next.reason().map(|r| r.as_str()),
        });
        let audit = [self.audit(caller, acting, &format!("request_{event}"), member, details)];
        let change = StateChange {
            expected: request.state.clone(),
            new: next,
            submitted,
            event: NewRequestEvent {
                at: now,
                event: event.to_owned(),
                actor: acting.label(),
                channel: caller.channel,
                details: Self::event_details(acting),
            },
        };
        Ok(Prepared {
            request,
            change,
            audit: audit.to_vec(),
            notify,
        })
    }

    /// The service clock of a request: from its submission to today, or to the day it closed.
    pub fn clock(&self, request: &Request) -> Option<ServiceClock> {
        self.clock_of(request)
    }

    fn clock_of(&self, request: &Request) -> Option<ServiceClock> {
        let submitted_on = mexico_city_date(request.submitted_at?);
        let promised_on = request.promised_on?;
        let as_of = if request.state.is_closed() {
            mexico_city_date(request.updated_at)
        } else {
            self.today()
        };
        Some(ServiceClock::read(
            submitted_on,
            promised_on,
            as_of,
            &self.holidays,
        ))
    }

    /// Where the member's request stands: its state, who must move next, the service clock and
    /// the timeline.
    pub async fn status(
        &self,
        member: MemberId,
        folio: &Folio,
        caller: &Caller,
    ) -> Result<RequestStatus, RequestError> {
        let request = self
            .own_request(member, folio, Acting::Member(member), caller)
            .await?;
        self.status_from(request).await
    }

    /// Where `member`'s request stands, for the back office (an operator reaches any member's
    /// request; the member's own pages use `status`).
    pub async fn status_of(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<RequestStatus, RequestError> {
        let request = self
            .store
            .request_by_folio(member, folio)
            .await?
            .ok_or(RequestError::NotFound)?;
        self.status_from(request).await
    }

    async fn status_from(&self, request: Request) -> Result<RequestStatus, RequestError> {
        let events = self
            .store
            .request_events(request.member_id, &request.folio)
            .await?;
        Ok(RequestStatus {
            folio: request.folio.clone(),
            kind: request.kind,
            next_owner: next_owner(&request.state),
            clock: self.clock_of(&request),
            state: request.state,
            timeline: events.into_iter().map(timeline_entry).collect(),
        })
    }

    /// The member's requests, newest first, each with its clock.
    pub async fn list(&self, member: MemberId) -> Result<Vec<RequestLine>, RequestError> {
        let requests = self.store.requests_of_member(member).await?;
        Ok(requests
            .into_iter()
            .map(|r| RequestLine {
                clock: self.clock_of(&r),
                next_owner: next_owner(&r.state),
                folio: r.folio,
                kind: r.kind,
                state: r.state,
            })
            .collect())
    }

    /// The operators' queue: open requests in `stages` (of one kind, or all), oldest promise
    /// first, `limit` at a time after `after`.
    pub async fn queue(
        &self,
        kind: Option<RequestKind>,
        stages: &[RequestStage],
        limit: u32,
        after: Option<(Date, Folio)>,
    ) -> Result<Vec<(Request, Option<ServiceClock>)>, RequestError> {
        let query = QueueQuery {
            kind,
            stages: stages.to_vec(),
            limit,
            after,
        };
        let rows = self.store.requests_queue(&query).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let clock = self.clock_of(&r);
                (r, clock)
            })
            .collect())
    }
}
