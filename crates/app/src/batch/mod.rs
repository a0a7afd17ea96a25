//! The batches that post money to the ledger: a year's yield and a bimester's employer
//! payments. Each runs as one import batch (applied whole or not at all) whose identity makes a
//! second run a no-op, and every movement has a natural key, so nothing is ever posted twice.

pub mod contributions;
pub mod yields;
