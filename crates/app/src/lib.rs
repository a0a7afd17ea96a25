//! The use cases of Vivienda. Each procedure is one function here that owns its transaction;
//! the web tier and the CLI both call it and only translate its answer.

pub mod accounts;
pub mod appointments;
pub mod backoffice;
pub mod batch;
pub mod cancellation;
pub mod clock;
pub mod corrections;
pub mod credit;
pub mod credit_documents;
pub mod i18n;
pub mod import;
pub mod issue;
pub mod notify;
pub mod population;
pub mod prequal;
pub mod reference;
pub mod refund;
pub mod relief;
pub mod requests;
pub mod savings;
pub mod seal;
pub mod validate;
pub mod verify;
