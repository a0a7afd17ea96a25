//! One-time codes: six random digits from a CSPRNG, kept only as a keyed hash bound to their
//! purpose and to the request that asked for them, so a code for one thing never works for
//! another and a stolen table does not give the codes away.

use hmac::{Hmac, Mac};
use rand::{CryptoRng, Rng};
use sha2::Sha256;
use time::Duration;

/// How long a code is valid.
pub const LIFETIME: Duration = Duration::minutes(10);
/// Wrong tries allowed on one code before a new one is needed.
pub const MAX_ATTEMPTS: u32 = 5;
/// Codes that can be sent for one purpose in an hour.
pub const MAX_SENDS_PER_HOUR: u32 = 5;
/// Wait before the first resend; it doubles with each one.
pub const RESEND_AFTER: Duration = Duration::seconds(60);

/// What a code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    Activation,
    PasswordReset,
    ContactChange,
    SignInStepUp,
    Unfreeze,
    /// The ticket between a correct password and the authenticator code at sign-in.
    SecondFactor,
    /// A single-use recovery code, kept in place of the authenticator app.
    RecoveryCode,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Activation => "activation",
            Purpose::PasswordReset => "password_reset",
            Purpose::ContactChange => "contact_change",
            Purpose::SignInStepUp => "sign_in_step_up",
            Purpose::Unfreeze => "unfreeze",
            Purpose::SecondFactor => "second_factor",
            Purpose::RecoveryCode => "recovery_code",
        }
    }
}

/// Six uniformly random digits ("004217" is as likely as any other).
pub fn generate(rng: &mut (impl Rng + CryptoRng)) -> String {
    format!("{:06}", rng.random_range(0..1_000_000u32))
}

/// The stored form: HMAC-SHA-256 under the server's key, over purpose, binding and code.
pub fn hash(key: &[u8], purpose: Purpose, bound_to: &str, code: &str) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for part in [purpose.code(), bound_to, code.trim()] {
        mac.update(&(part.len() as u64).to_le_bytes());
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of two hashes.
pub fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How long the member must wait before asking for another code, after `sent` codes.
pub fn resend_wait(sent: u32) -> Duration {
    RESEND_AFTER * 2i32.saturating_pow(sent.saturating_sub(1).min(6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| generate(&mut rng)).collect();
        assert!(codes.len() > 190);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn a_hash_is_bound_to_purpose_request_and_key() {
        let h = hash(b"k", Purpose::Activation, "attempt-1", "123456");
        assert!(same(
            &h,
            &hash(b"k", Purpose::Activation, "attempt-1", " 123456 ")
        ));
        assert!(!same(
            &h,
            &hash(b"k", Purpose::PasswordReset, "attempt-1", "123456")
        ));
        assert!(!same(
            &h,
            &hash(b"k", Purpose::Activation, "attempt-2", "123456")
        ));
        assert!(!same(
            &h,
            &hash(b"other", Purpose::Activation, "attempt-1", "123456")
        ));
        assert!(!same(
            &h,
            &hash(b"k", Purpose::Activation, "attempt-1", "123457")
        ));
    }

    #[test]
    fn resends_wait_longer_each_time() {
        assert_eq!(resend_wait(1), Duration::seconds(60));
        assert_eq!(resend_wait(2), Duration::seconds(120));
        assert!(resend_wait(50) <= Duration::seconds(60 * 64));
    }
}
