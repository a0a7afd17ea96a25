//! Who acts on a request, and what can go wrong.

use domain::reference::ReferenceError;
use domain::registry::MemberId;
use domain::requests::{Actor, TransitionError};
use store::StoreError;

/// Who is acting, and for whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acting {
    /// The member, signed in.
    Member(MemberId),
    /// An operator acting for the member on the phone or at a CESI: the member's role, with the
    /// operator recorded.
    ForMember { member: MemberId, operator: i64 },
    /// An operator working the back office.
    Operator(i64),
    /// An automatic step: a check, a batch.
    System,
}

impl Acting {
    /// The role the state machine judges.
    pub fn role(self) -> Actor {
        match self {
            Acting::Member(_) | Acting::ForMember { .. } => Actor::Member,
            Acting::Operator(_) => Actor::Operator,
            Acting::System => Actor::System,
        }
    }

    /// Who did it, as the audit log and the timeline write it.
    pub fn label(self) -> String {
        match self {
            Acting::Member(member) => format!("member:{}", member.0),
            Acting::ForMember { operator, .. } | Acting::Operator(operator) => {
                format!("operator:{operator}")
            }
            Acting::System => "system".to_owned(),
        }
    }

    /// The member acting or acted for.
    pub fn member(self) -> Option<MemberId> {
        match self {
            Acting::Member(member) | Acting::ForMember { member, .. } => Some(member),
            Acting::Operator(_) | Acting::System => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("{0}")]
    Store(#[from] StoreError),
    /// No request of this member has this folio.
    #[error("request_not_found")]
    NotFound,
    #[error("{0}")]
    Transition(#[from] TransitionError),
    /// Someone else moved the request meanwhile: show it again before acting.
    #[error("request_state_changed")]
    Changed,
    /// Filing is for the member, or an operator acting for them.
    #[error("request_not_permitted")]
    NotPermitted,
    #[error("request_answers_too_large")]
    AnswersTooLarge,
    /// No service standard covers the kind today: the standards file needs a row.
    #[error("{0}")]
    NoStandard(#[from] ReferenceError),
    #[error("member_not_found")]
    NoMember,
    /// One of this kind is already in process, and the kind allows one at a time.
    #[error("request_already_open")]
    AlreadyOpen,
    /// The ledger refused the money the change moves: already posted, or more than there is.
    #[error("{0}")]
    Posting(&'static str),
}

impl RequestError {
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::Store(_) | RequestError::NoStandard(_) => "service_unavailable",
            RequestError::NotFound => "request_not_found",
            RequestError::Transition(e) => e.code(),
            RequestError::Changed => "request_state_changed",
            RequestError::NotPermitted => "request_not_permitted",
            RequestError::AnswersTooLarge => "request_answers_too_large",
            RequestError::NoMember => "member_not_found",
            RequestError::Posting(code) => code,
            RequestError::AlreadyOpen => "request_already_open",
        }
    }
}
