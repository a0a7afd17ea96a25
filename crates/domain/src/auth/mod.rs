//! The rules of member authentication (NIST SP 800-63B): which passwords are acceptable, how
//! one-time codes are made and kept, authenticator-app codes (TOTP), and how failed sign-ins
//! slow an attacker down without locking the real member out.

pub mod code;
pub mod password;
pub mod recovery;
pub mod throttle;
pub mod totp;
