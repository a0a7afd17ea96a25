//! The e.firma crate driven as the portal drives it, with certificates and keys made here by a
//! SAT-like authority (and one pair made by OpenSSL), never with anyone's real e.firma.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod certificate;
mod hostile;
mod key;
mod openssl;
mod signing;
mod support;
