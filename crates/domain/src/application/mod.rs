//! The credit application ("Tramitar mi crédito", domain.md §4.1 and §4.6): what the member
//! applies for (a product and a purpose), the documents each application needs, and which files
//! are accepted as documents.
//!
//! - [`checklist`]: the purposes each product allows and the documents it asks for.
//! - [`files`]: a file's type told from its content, and the ways a file is refused.
//! - [`course`]: "Saber más para decidir mejor", the course and quiz required before applying.

pub mod checklist;
pub mod course;
pub mod files;

pub use checklist::{DocumentItem, Purpose, checklist, purposes};
pub use files::{FileKind, FileProblem, Sniffed, judge};
