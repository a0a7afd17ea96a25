//! The rulebook of the fund: pure types and functions, no IO and no clock.
//!
//! Everything here takes the date as an argument and returns plain data, so that a person who
//! knows the fund's rules can read it and every other crate can rely on it.

pub mod application;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod bimester;
pub mod corrections;
pub mod credit;
pub mod dates;
pub mod identity;
pub mod ids;
pub mod import_rows;
pub mod money;
pub mod operators;
pub mod points;
pub mod reference;
pub mod refund;
pub mod registry;
pub mod requests;
pub mod savings;
