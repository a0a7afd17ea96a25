//! Requests ("trámites"): every procedure that ends in a person's decision — a credit
//! application, a cancellation letter, deeds, a refund, a data correction — gets a folio, follows
//! one state machine, is promised by a date from the kind's service standard, and always says who
//! owns the next step.
//!
//! - [`kind`]: the kinds and their codes.
//! - [`machine`]: states, actions, who may take them, [`transition`] and [`next_owner`].
//! - [`folio`]: the unguessable, readable reference.
//! - [`calendar`]: business days under the Ley Federal del Trabajo.
//! - [`standards`]: the promise per kind (a data file) and the service clock.

pub mod calendar;
pub mod folio;
pub mod kind;
pub mod machine;
pub mod standards;

pub use calendar::{Holidays, days_elapsed, is_business_day, promised_on};
pub use folio::{Folio, FolioError};
pub use kind::RequestKind;
pub use machine::{
    Action, ActionName, Actor, Flow, Owner, ReasonCode, ReasonCodeError, RequestStage,
    RequestState, TransitionError, available_actions, next_owner, transition,
};
pub use standards::{ServiceClock, ServiceStandard, ServiceStandards};
