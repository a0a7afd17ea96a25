//! Working requests: the queues by promised date, one request with its answers and timeline,
//! decisions with reasons, and who a request is assigned to.

use domain::operators::Permission;
use domain::registry::MemberId;
use domain::requests::{
    Action, ActionName, Actor, Folio, ReasonCode, RequestKind, RequestStage, RequestState,
    ServiceClock, available_actions,
};
use serde_json::json;
use store::{RequestEvent, StoreError};
use time::Date;

use super::{BackOffice, BackOfficeError, OperatorContext, PAGE};
use crate::accounts::Caller;
use crate::requests::{Acting, RequestError};

/// What a queue shows: one kind or all, the stages, and whose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub kind: Option<RequestKind>,
    /// Empty: every open stage.
    pub stages: Vec<RequestStage>,
    /// Only the requests assigned to this operator.
    pub assigned_to: Option<i64>,
    /// The page after this (promised date, folio).
    pub after: Option<(Date, Folio)>,
}

/// The open stages an operator works.
pub const OPEN_STAGES: [RequestStage; 4] = [
    RequestStage::Submitted,
    RequestStage::InReview,
    RequestStage::NeedsCorrection,
    RequestStage::Approved,
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueLine {
    pub folio: Folio,
    pub kind: RequestKind,
    pub state: RequestState,
    pub promised_on: Option<Date>,
    pub clock: Option<ServiceClock>,
    pub assigned_to: Option<i64>,
}

/// One request as an operator works it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestCase {
    pub member_id: MemberId,
    pub folio: Folio,
    pub kind: RequestKind,
    pub state: RequestState,
    /// The member's answers, as filed (JSON).
    pub answers: serde_json::Value,
    pub channel: domain::audit::Channel,
    pub created_by: String,
    pub promised_on: Option<Date>,
    pub clock: Option<ServiceClock>,
    pub assigned_to: Option<i64>,
    /// The whole timeline, with who acted (operators by id).
    pub timeline: Vec<RequestEvent>,
    /// What this operator may do next.
    pub actions: Vec<ActionName>,
    /// Files filed with the request (a correction's evidence).
    pub attachments: Vec<store::Attachment>,
}

impl BackOffice {
    /// Whose request a folio is.
    async fn owner_of(&self, folio: &Folio) -> Result<MemberId, BackOfficeError> {
        Ok(self
            .store
            .folio_owner(folio)
            .await?
            .ok_or(RequestError::NotFound)?)
    }

    /// The request with a folio, and whose it is.
    async fn request_of(
        &self,
        folio: &Folio,
    ) -> Result<(MemberId, store::Request), BackOfficeError> {
        let owner = self.owner_of(folio).await?;
        let request = self
            .store
            .request_by_folio(owner, folio)
            .await?
            .ok_or(RequestError::NotFound)?;
        Ok((owner, request))
    }

    /// Open requests by promised date, oldest promise first, at most a page.
    pub async fn queue(
        &self,
        operator: &OperatorContext,
        filter: &QueueFilter,
        caller: &Caller,
    ) -> Result<Vec<QueueLine>, BackOfficeError> {
        self.require(operator, Permission::ReadRequests, "read_queue", caller)
            .await?;
        let stages = if filter.stages.is_empty() {
            OPEN_STAGES.to_vec()
        } else {
            filter.stages.clone()
        };
        // Assignment is filtered here: a page of the queue is read, and pages are read until
        // one is full or the queue ends.
        let mut lines = Vec::new();
        let mut after = filter.after.clone();
        loop {
            let page = self
                .requests
                .queue(filter.kind, &stages, PAGE, after.clone())
                .await?;
            let full_page = page.len() == PAGE as usize;
            after = page
                .last()
                .and_then(|(r, _)| r.promised_on.map(|d| (d, r.folio.clone())));
            for (request, clock) in page {
                let assigned_to = self
                    .store
                    .request_assignee(request.member_id, &request.folio)
                    .await?;
                if filter.assigned_to.is_some() && filter.assigned_to != assigned_to {
                    continue;
                }
                lines.push(QueueLine {
                    folio: request.folio,
                    kind: request.kind,
                    state: request.state,
                    promised_on: request.promised_on,
                    clock,
                    assigned_to,
                });
            }
            if !full_page || lines.len() >= PAGE as usize || after.is_none() {
                break;
            }
        }
        lines.truncate(PAGE as usize);
        let audit = self.audit(
            caller,
            operator.label(),
            "operator_read_queue",
            None,
            json!({
                "kind": filter.kind.map(RequestKind::code),
                "mine": filter.assigned_to.is_some(),
                "results": lines.len(),
            }),
        );
        self.store.append_audit(&[audit]).await?;
        Ok(lines)
    }

    /// One request with its answers and timeline. Reading it is audited against the member.
    pub async fn request_case(
        &self,
        operator: &OperatorContext,
        folio: &Folio,
        caller: &Caller,
    ) -> Result<RequestCase, BackOfficeError> {
        self.require(operator, Permission::ReadRequests, "read_request", caller)
            .await?;
        let (owner, request) = self.request_of(folio).await?;
        let timeline = self.store.request_events(owner, folio).await?;
        let assigned_to = self.store.request_assignee(owner, folio).await?;
        let attachments = self.store.attachments(owner, folio).await?;
        let audit = self.audit(
            caller,
            operator.label(),
            "operator_viewed_request",
            Some(owner.0),
            json!({ "folio": folio.as_str() }),
        );
        self.store.append_audit(&[audit]).await?;
        let clock = self.requests.clock(&request);
        let actions = if operator.role.may(Permission::DecideRequests) {
            available_actions(request.kind, &request.state, Actor::Operator)
        } else {
            Vec::new()
        };
        Ok(RequestCase {
            member_id: owner,
            folio: request.folio.clone(),
            kind: request.kind,
            answers: serde_json::from_str(&request.answers).unwrap_or(serde_json::Value::Null),
            state: request.state,
            channel: request.channel,
            created_by: request.created_by,
            promised_on: request.promised_on,
            clock,
            assigned_to,
            timeline,
            actions,
            attachments,
        })
    }

    /// Takes a decision on a request: start the review, ask for a correction or reject (with a
    /// reason code), approve, complete. The request machinery writes the timeline, the audit
    /// entry with the operator, and the member's notices.
    pub async fn decide(
        &self,
        operator: &OperatorContext,
        folio: &Folio,
        action: ActionName,
        reason: Option<&str>,
        caller: &Caller,
    ) -> Result<RequestState, BackOfficeError> {
        self.require(operator, Permission::DecideRequests, action.code(), caller)
            .await?;
        let needs_reason = matches!(action, ActionName::AskForCorrection | ActionName::Reject);
        let reason = if needs_reason {
            let typed = reason.unwrap_or("").trim();
            if typed.is_empty() {
                return Err(BackOfficeError::ReasonRequired);
            }
            Some(ReasonCode::parse(typed).map_err(|_| BackOfficeError::ReasonRequired)?)
        } else {
            None
        };
        let action = action
            .with_reason(reason)
            .ok_or(BackOfficeError::ReasonRequired)?;
        if matches!(action, Action::Submit | Action::Resubmit | Action::Cancel) {
            return Err(BackOfficeError::Forbidden);
        }
        let acting = Acting::Operator(operator.operator_id);
        // Completing a data correction writes the corrected record with it.
        if action == Action::Complete {
            let (_, request) = self.request_of(folio).await?;
            if request.kind == RequestKind::DataCorrection {
                self.corrections().apply(folio, acting, caller).await?;
                return Ok(RequestState::Done);
            }
        }
        // A refund's signature is checked again before it is approved or paid, and paying it
        // books the withdrawal with the change.
        if matches!(action, Action::Approve | Action::Complete) {
            let (_, request) = self.request_of(folio).await?;
            if request.kind == RequestKind::PensionerRefund {
                let updated = crate::refund::decide(
                    &self.store,
                    &self.requests,
                    folio,
                    action,
                    acting,
                    caller,
                )
                .await?;
                return Ok(updated.state);
            }
        }
        let updated = self.requests.act(folio, action, acting, caller).await?;
        Ok(updated.state)
    }

    /// One file of a request, for an operator deciding it. Opening it is audited.
    pub async fn request_file(
        &self,
        operator: &OperatorContext,
        folio: &Folio,
        seq: u32,
        caller: &Caller,
    ) -> Result<(store::Attachment, Vec<u8>), BackOfficeError> {
        self.require(
            operator,
            Permission::ReadRequests,
            "read_request_file",
            caller,
        )
        .await?;
        let owner = self.owner_of(folio).await?;
        let mut found = self
            .store
            .attachment(owner, folio, seq)
            .await?
            .ok_or(RequestError::NotFound)?;
        // A credit application's documents are in the blob store (at most
        // `credit_application::MAX_FILE_BYTES` each).
        if found.0.in_blob_store {
            use futures_util::TryStreamExt;
            let blobs = self.blobs.as_ref().ok_or(RequestError::NotFound)?;
            let stream = blobs
                .get(&found.0.sha256)
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
                .ok_or(RequestError::NotFound)?;
            found.1 = stream
                .try_fold(Vec::new(), |mut all, chunk| async move {
                    all.extend_from_slice(&chunk);
                    Ok(all)
                })
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        }
        let audit = self.audit(
            caller,
            operator.label(),
            "operator_opened_file",
            Some(owner.0),
            json!({ "folio": folio.as_str(), "seq": seq }),
        );
        self.store.append_audit(&[audit]).await?;
        Ok(found)
    }

    /// Gives a request to an operator, or to nobody. A supervisor gives any request to anyone;
    /// an agent may only take an unassigned request for themselves.
    pub async fn assign(
        &self,
        operator: &OperatorContext,
        folio: &Folio,
        to: Option<i64>,
        caller: &Caller,
    ) -> Result<(), BackOfficeError> {
        self.require(operator, Permission::ReadRequests, "assign_request", caller)
            .await?;
        let owner = self.owner_of(folio).await?;
        let current = self.store.request_assignee(owner, folio).await?;
        let taking = to == Some(operator.operator_id) && current.is_none();
        if !taking {
            self.require(operator, Permission::Reassign, "reassign_request", caller)
                .await?;
        }
        if let Some(to) = to {
            let target = self
                .store
                .operator(to)
                .await?
                .ok_or(BackOfficeError::OperatorNotFound)?;
            if !target.active || !target.role.may(Permission::DecideRequests) {
                return Err(BackOfficeError::OperatorNotFound);
            }
        }
        let audit = self.audit(
            caller,
            operator.label(),
            "request_assigned",
            Some(owner.0),
            json!({ "folio": folio.as_str(), "from": current, "to": to }),
        );
        self.store
            .assign_request(owner, folio, to, &[audit])
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict("request_not_found") => {
                    BackOfficeError::Request(RequestError::NotFound)
                }
                other => BackOfficeError::Store(other),
            })
    }

    /// The latest entries of the audit log, or of one member's, for an auditor. Reading the
    /// log is itself audited.
    pub async fn audit_log(
        &self,
        operator: &OperatorContext,
        member: Option<MemberId>,
        limit: u32,
        caller: &Caller,
    ) -> Result<Vec<store::StoredAuditEntry>, BackOfficeError> {
        self.require(operator, Permission::ReadAudit, "read_audit", caller)
            .await?;
        let audit = self.audit(
            caller,
            operator.label(),
            "operator_read_audit",
            None,
            json!({ "member": member.map(|m| m.0) }),
        );
        self.store.append_audit(&[audit]).await?;
        let limit = limit.clamp(1, 500);
        Ok(match member {
            Some(member) => self.store.recent_audit(member, limit).await?,
            None => self.store.recent_audit_all(limit).await?,
        })
    }
}
