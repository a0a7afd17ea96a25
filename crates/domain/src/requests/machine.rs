//! The life of a request: its states, the actions that move it, who may take each action, and
//! who owns the next step.
//!
//! Every kind follows the same path — draft, submitted, in review, a decision, done — with two
//! differences, written down in [`Flow`]: some kinds are decided by an automatic check straight
//! from "submitted" (the cancellation letter of a paid-off credit), and some are finished by the
//! system (a letter issued, a deposit made) rather than by an operator.
//!
//! The member submits, resubmits and cancels (cancelling only before a decision); operators
//! review, ask for corrections, decide and complete; the system decides or completes only where
//! the kind's flow allows it. An operator acting for a member on the phone or at a CESI acts in
//! the member's role: the channel and the operator are recorded by the caller.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::RequestKind;

/// Why a request was refused, or what must be corrected: a stable snake_case code
/// ("clabe_not_in_member_name"), translated for the member, never free text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReasonCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("reason_code_format")]
pub struct ReasonCodeError;

impl ReasonCodeError {
    pub fn code(&self) -> &'static str {
        "reason_code_format"
    }
}

impl ReasonCode {
    /// The longest code accepted.
    pub const MAX_LEN: usize = 64;

    /// 1 to 64 characters of `a`–`z`, `0`–`9` and `_`, starting with a letter.
    pub fn parse(text: &str) -> Result<ReasonCode, ReasonCodeError> {
        let text = text.trim();
        let well_formed = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if well_formed {
            Ok(ReasonCode(text.to_owned()))
        } else {
            Err(ReasonCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReasonCode({})", self.0)
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ReasonCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Where a request stands, without the reason: what queues filter on and storage keys by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStage {
    Draft,
    Submitted,
    InReview,
    NeedsCorrection,
    Approved,
    Rejected,
    /// Paid, issued or delivered: the fund did what was asked.
    Done,
    Cancelled,
}

impl RequestStage {
    pub const ALL: [RequestStage; 8] = [
        RequestStage::Draft,
        RequestStage::Submitted,
        RequestStage::InReview,
        RequestStage::NeedsCorrection,
        RequestStage::Approved,
        RequestStage::Rejected,
        RequestStage::Done,
        RequestStage::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RequestStage::Draft => "draft",
            RequestStage::Submitted => "submitted",
            RequestStage::InReview => "in_review",
            RequestStage::NeedsCorrection => "needs_correction",
            RequestStage::Approved => "approved",
            RequestStage::Rejected => "rejected",
            RequestStage::Done => "done",
            RequestStage::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<RequestStage> {
        RequestStage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Rejected, done or cancelled: nothing more can happen to the request.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStage::Rejected | RequestStage::Done | RequestStage::Cancelled
        )
    }

    /// Whether the stage carries a reason code (what to correct, why refused).
    pub fn has_reason(self) -> bool {
        matches!(self, RequestStage::NeedsCorrection | RequestStage::Rejected)
    }
}

/// Where a request stands, with what the member must correct or why it was refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum RequestState {
    Draft,
    Submitted,
    InReview,
    NeedsCorrection { what: ReasonCode },
    Approved,
    Rejected { reason: ReasonCode },
    Done,
    Cancelled,
}

impl RequestState {
    pub fn stage(&self) -> RequestStage {
        match self {
            RequestState::Draft => RequestStage::Draft,
            RequestState::Submitted => RequestStage::Submitted,
            RequestState::InReview => RequestStage::InReview,
            RequestState::NeedsCorrection { .. } => RequestStage::NeedsCorrection,
            RequestState::Approved => RequestStage::Approved,
            RequestState::Rejected { .. } => RequestStage::Rejected,
            RequestState::Done => RequestStage::Done,
            RequestState::Cancelled => RequestStage::Cancelled,
        }
    }

    /// What to correct, or why refused.
    pub fn reason(&self) -> Option<&ReasonCode> {
        match self {
            RequestState::NeedsCorrection { what } => Some(what),
            RequestState::Rejected { reason } => Some(reason),
            _ => None,
        }
    }

    /// The state from its stored parts; `None` when a reason is missing where the stage needs
    /// one, or present where it has none.
    pub fn from_parts(stage: RequestStage, reason: Option<ReasonCode>) -> Option<RequestState> {
        Some(match (stage, reason) {
            (RequestStage::NeedsCorrection, Some(what)) => RequestState::NeedsCorrection { what },
            (RequestStage::Rejected, Some(reason)) => RequestState::Rejected { reason },
            (_, Some(_)) => return None,
            (RequestStage::Draft, None) => RequestState::Draft,
            (RequestStage::Submitted, None) => RequestState::Submitted,
            (RequestStage::InReview, None) => RequestState::InReview,
            (RequestStage::Approved, None) => RequestState::Approved,
            (RequestStage::Done, None) => RequestState::Done,
            (RequestStage::Cancelled, None) => RequestState::Cancelled,
            (RequestStage::NeedsCorrection | RequestStage::Rejected, None) => return None,
        })
    }

    pub fn is_closed(&self) -> bool {
        self.stage().is_closed()
    }
}

/// Who takes an action, by role. An operator acting for a member (phone, CESI) is `Member`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Member,
    Operator,
    /// An automatic step: a check, a batch, a document issued without a person.
    System,
}

impl Actor {
    pub const ALL: [Actor; 3] = [Actor::Member, Actor::Operator, Actor::System];

    pub fn code(self) -> &'static str {
        match self {
            Actor::Member => "member",
            Actor::Operator => "operator",
            Actor::System => "system",
        }
    }
}

/// What moves a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Submit,
    StartReview,
    AskForCorrection {
        what: ReasonCode,
    },
    Resubmit,
    Approve,
    Reject {
        reason: ReasonCode,
    },
    /// Paid, issued or delivered.
    Complete,
    Cancel,
}

/// An action without its reason, for listing what can be done and parsing forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    Submit,
    StartReview,
    AskForCorrection,
    Resubmit,
    Approve,
    Reject,
    Complete,
    Cancel,
}

impl ActionName {
    pub const ALL: [ActionName; 8] = [
        ActionName::Submit,
        ActionName::StartReview,
        ActionName::AskForCorrection,
        ActionName::Resubmit,
        ActionName::Approve,
        ActionName::Reject,
        ActionName::Complete,
        ActionName::Cancel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionName::Submit => "submit",
            ActionName::StartReview => "start_review",
            ActionName::AskForCorrection => "ask_for_correction",
            ActionName::Resubmit => "resubmit",
            ActionName::Approve => "approve",
            ActionName::Reject => "reject",
            ActionName::Complete => "complete",
            ActionName::Cancel => "cancel",
        }
    }

    pub fn from_code(code: &str) -> Option<ActionName> {
        ActionName::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The event it leaves on the timeline, in the past tense: "submitted", "approved", …
    pub fn event_code(self) -> &'static str {
        match self {
            ActionName::Submit => "submitted",
            ActionName::StartReview => "review_started",
            ActionName::AskForCorrection => "correction_requested",
            ActionName::Resubmit => "resubmitted",
            ActionName::Approve => "approved",
            ActionName::Reject => "rejected",
            ActionName::Complete => "completed",
            ActionName::Cancel => "cancelled",
        }
    }

    /// The action, given the reason code the two actions that need one take.
    pub fn with_reason(self, reason: Option<ReasonCode>) -> Option<Action> {
        Some(match (self, reason) {
            (ActionName::AskForCorrection, Some(what)) => Action::AskForCorrection { what },
            (ActionName::Reject, Some(reason)) => Action::Reject { reason },
            (ActionName::AskForCorrection | ActionName::Reject, None) => return None,
            (_, Some(_)) => return None,
            (ActionName::Submit, None) => Action::Submit,
            (ActionName::StartReview, None) => Action::StartReview,
            (ActionName::Resubmit, None) => Action::Resubmit,
            (ActionName::Approve, None) => Action::Approve,
            (ActionName::Complete, None) => Action::Complete,
            (ActionName::Cancel, None) => Action::Cancel,
        })
    }
}

impl Action {
    pub fn name(&self) -> ActionName {
        match self {
            Action::Submit => ActionName::Submit,
            Action::StartReview => ActionName::StartReview,
            Action::AskForCorrection { .. } => ActionName::AskForCorrection,
            Action::Resubmit => ActionName::Resubmit,
            Action::Approve => ActionName::Approve,
            Action::Reject { .. } => ActionName::Reject,
            Action::Complete => ActionName::Complete,
            Action::Cancel => ActionName::Cancel,
        }
    }

    pub fn code(&self) -> &'static str {
        self.name().code()
    }
}

/// Who must move next: what the member's status page and the operator queue show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Member,
    Fund,
    /// The request is closed.
    Nobody,
}

impl Owner {
    pub fn code(self) -> &'static str {
        match self {
            Owner::Member => "member",
            Owner::Fund => "fund",
            Owner::Nobody => "nobody",
        }
    }
}

/// Why an action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The request is rejected, done or cancelled.
    #[error("request_closed")]
    Closed { stage: RequestStage },
    /// Nobody can take this action at this stage for this kind.
    #[error("request_wrong_state")]
    WrongState {
        stage: RequestStage,
        action: ActionName,
    },
    /// The action is possible at this stage, but not for this actor.
    #[error("request_not_permitted")]
    NotPermitted { actor: Actor, action: ActionName },
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Closed { .. } => "request_closed",
            TransitionError::WrongState { .. } => "request_wrong_state",
            TransitionError::NotPermitted { .. } => "request_not_permitted",
        }
    }
}

/// How a kind differs from the common path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// A decision may be taken straight from "submitted", by an automatic check or an operator,
    /// without a review first.
    pub decided_without_review: bool,
    /// The system may mark an approved request done: a letter issued, a deposit made by the
    /// payment batch, a credit signed.
    pub system_completes: bool,
}

impl RequestKind {
    pub fn flow(self) -> Flow {
        let (decided_without_review, system_completes) = match self {
            // A paid-off credit is checked against the ledger; the letter is then issued.
            RequestKind::CancellationLetter => (true, true),
            // Signing the credit is recorded by the credit process.
            RequestKind::CreditApplication => (false, true),
            // The deposit is made by the payment batch.
            RequestKind::OverpaymentRefund | RequestKind::PensionerRefund => (false, true),
            // A person hands over the deed, or applies the correction to the registry.
            RequestKind::Deeds | RequestKind::DataCorrection => (false, false),
        };
        Flow {
            decided_without_review,
            system_completes,
        }
    }
}

const MEMBER: &[Actor] = &[Actor::Member];
const OPERATOR: &[Actor] = &[Actor::Operator];
const OPERATOR_OR_SYSTEM: &[Actor] = &[Actor::Operator, Actor::System];

/// The state a request of `kind` moves to when `actor` takes `action` in `state`, or why it
/// cannot.
pub fn transition(
    kind: RequestKind,
    state: &RequestState,
    action: &Action,
    actor: Actor,
) -> Result<RequestState, TransitionError> {
    use RequestStage as S;
    let stage = state.stage();
    if stage.is_closed() {
        return Err(TransitionError::Closed { stage });
    }
    let flow = kind.flow();
    let deciders = if stage == S::Submitted {
        OPERATOR_OR_SYSTEM
    } else {
        OPERATOR
    };
    let decidable = stage == S::InReview || (stage == S::Submitted && flow.decided_without_review);
    let (allowed, next) = match (action, stage) {
        (Action::Submit, S::Draft) => (MEMBER, RequestState::Submitted),
        (Action::StartReview, S::Submitted) => (OPERATOR, RequestState::InReview),
        (Action::AskForCorrection { what }, S::InReview) => (
            OPERATOR,
            RequestState::NeedsCorrection { what: what.clone() },
        ),
        (Action::Resubmit, S::NeedsCorrection) => (MEMBER, RequestState::Submitted),
        (Action::Approve, _) if decidable => (deciders, RequestState::Approved),
        (Action::Reject { reason }, _) if decidable => (
            deciders,
            RequestState::Rejected {
                reason: reason.clone(),
            },
        ),
        (Action::Complete, S::Approved) if flow.system_completes => {
            (OPERATOR_OR_SYSTEM, RequestState::Done)
        }
        (Action::Complete, S::Approved) => (OPERATOR, RequestState::Done),
        // Only before a decision: an approved request is the fund's to finish.
        (Action::Cancel, S::Draft | S::Submitted | S::InReview | S::NeedsCorrection) => {
            (MEMBER, RequestState::Cancelled)
        }
        _ => {
            return Err(TransitionError::WrongState {
                stage,
                action: action.name(),
            });
        }
    };
    if allowed.contains(&actor) {
        Ok(next)
    } else {
        Err(TransitionError::NotPermitted {
            actor,
            action: action.name(),
        })
    }
}

/// The actions `actor` can take on a request of `kind` in `state`, in [`ActionName::ALL`] order:
/// what a page offers as buttons.
pub fn available_actions(kind: RequestKind, state: &RequestState, actor: Actor) -> Vec<ActionName> {
    let placeholder = ReasonCode("placeholder".to_owned());
    ActionName::ALL
        .into_iter()
        .filter(|name| {
            let reason = matches!(name, ActionName::AskForCorrection | ActionName::Reject)
                .then(|| placeholder.clone());
            name.with_reason(reason)
                .is_some_and(|action| transition(kind, state, &action, actor).is_ok())
        })
        .collect()
}

/// Who must move next.
pub fn next_owner(state: &RequestState) -> Owner {
    match state.stage() {
        RequestStage::Draft | RequestStage::NeedsCorrection => Owner::Member,
        RequestStage::Submitted | RequestStage::InReview | RequestStage::Approved => Owner::Fund,
        RequestStage::Rejected | RequestStage::Done | RequestStage::Cancelled => Owner::Nobody,
    }
}

#[cfg(test)]
mod tests;
