//! Sealing small secrets with the server's key (XChaCha20-Poly1305): the authenticator-app
//! secrets at rest, the enrolment in progress, and drafts kept across a time-out. A sealed
//! value is bound to a context (whose it is and what for), so one cannot be moved to another
//! account or used for another purpose.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const NONCE: usize = 24;

#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// A sealer for one use of the server key; different `purpose`s get independent keys.
    pub fn new(server_key: &[u8], purpose: &str) -> Sealer {
        let key: [u8; 32] = match <Hmac<Sha256> as Mac>::new_from_slice(server_key) {
            Ok(mut mac) => {
                mac.update(b"vivienda seal v1\0");
                mac.update(purpose.as_bytes());
                mac.finalize().into_bytes().into()
            }
            // HMAC takes keys of any length; this arm is never reached.
            Err(_) => [0; 32],
        };
        Sealer {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// A random nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plain,
            aad: context,
        };
        match self.cipher.encrypt(XNonce::from_slice(&nonce), payload) {
            Ok(sealed) => [nonce.as_slice(), &sealed].concat(),
            // Encryption fails only for messages beyond 256 GiB.
            Err(_) => Vec::new(),
        }
    }

    /// The plain bytes, or `None` if `sealed` was altered, sealed under another key or
    /// purpose, or for another context.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE);
        let payload = Payload {
            msg: body,
            aad: context,
        };
        self.cipher.decrypt(XNonce::from_slice(nonce), payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_what_it_sealed_for_that_context() {
        let sealer = Sealer::new(b"server key", "totp");
        let sealed = sealer.seal(b"secret", b"account:1");
        assert_eq!(
            sealer.open(&sealed, b"account:1").as_deref(),
            Some(&b"secret"[..])
        );
        assert_eq!(sealer.open(&sealed, b"account:2"), None);
        assert_eq!(
            Sealer::new(b"server key", "draft").open(&sealed, b"account:1"),
            None
        );
        assert_eq!(
            Sealer::new(b"other key", "totp").open(&sealed, b"account:1"),
            None
        );
        let mut altered = sealed.clone();
        if let Some(last) = altered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(sealer.open(&altered, b"account:1"), None);
        assert_ne!(
            sealer.seal(b"secret", b"account:1"),
            sealed,
            "fresh nonce each time"
        );
        assert_eq!(sealer.open(&sealed[..10], b"account:1"), None);
    }
}
