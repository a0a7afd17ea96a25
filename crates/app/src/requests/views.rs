//! What the pages and the API show of requests: the confirmation of a filing, a request's
//! status with its timeline and clock, and a member's list.

use domain::requests::{Folio, Owner, RequestKind, RequestState, ServiceClock};
use serde::Serialize;
use store::RequestEvent;
use time::{Date, OffsetDateTime};

/// A request just filed: what the confirmation page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filed {
    pub folio: Folio,
    pub kind: RequestKind,
    pub submitted_on: Date,
    pub promised_on: Date,
    /// The latest date if the fund uses the extension the standard allows.
    pub latest_on: Date,
    /// The standard is not published; the fund's own estimate.
    pub estimate: bool,
}

/// Where a request stands: what the status page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestStatus {
    pub folio: Folio,
    pub kind: RequestKind,
    pub state: RequestState,
    pub next_owner: Owner,
    /// `None` for a draft: the clock starts at submission.
    pub clock: Option<ServiceClock>,
    pub timeline: Vec<TimelineEntry>,
}

/// One line of the timeline as a member may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at: OffsetDateTime,
    pub event: String,
    pub state: RequestState,
    /// Who acted, by role: "member", "operator" or "system" (an operator acting for the member
    /// is "operator"). Never the operator's identity.
    pub by: &'static str,
    pub channel: domain::audit::Channel,
}

/// A member's request in a list, with its clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestLine {
    pub folio: Folio,
    pub kind: RequestKind,
    pub state: RequestState,
    pub next_owner: Owner,
    pub clock: Option<ServiceClock>,
}

pub(crate) fn timeline_entry(event: RequestEvent) -> TimelineEntry {
    let by = if event.actor.starts_with("member:") {
        "member"
    } else if event.actor.starts_with("operator:") {
        "operator"
    } else {
        "system"
    };
    TimelineEntry {
        at: event.at,
        event: event.event,
        state: event.state,
        by,
        channel: event.channel,
    }
}
