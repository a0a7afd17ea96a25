//! The batches that post money to the ledger: a year's yield, a bimester's employer
//! payments and the yearly re-indexation of VSM credits. Each runs as one import batch (applied whole or not at all) whose identity makes a
//! second run a no-op, and every movement has a natural key, so nothing is ever posted twice.

pub mod contributions;
pub mod reindex;
pub mod yields;
