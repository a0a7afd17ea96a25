//! The SAT advanced electronic signature (e.firma, formerly FIEL): reading the holder's `.cer`
//! and password-protected `.key`, checking the certificate against the SAT authorities the
//! portal trusts and the member's RFC, and signing and verifying with it.
//!
//! Pure: no files, no network, no clock (the date is an argument). Every input is bounded in
//! size, and bad input of any kind is an [`EfirmaError`], never a panic.

mod certificate;
mod error;
mod key;
mod request;
mod signature;
#[cfg(feature = "testing")]
pub mod testing;
mod verify;
mod x509;

pub use certificate::Certificate;
pub use error::EfirmaError;
pub use key::{MAX_PBKDF2_ITERATIONS, PrivateKey};
pub use request::{SignedRequest, sign_request};
pub use signature::{Signature, sign, verify_signature};
pub use verify::{TrustedIssuers, verify_certificate};

/// The largest `.cer` or `.key` accepted. Real ones are under 2 KiB.
pub const MAX_FILE_BYTES: usize = 64 * 1024;
