//! Member accounts: sign-up, activation, sign-in, recovery, sessions and protection.

pub mod passwords;
