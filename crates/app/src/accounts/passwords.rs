//! Password hashing with Argon2id. Hashing is deliberately slow (about 13 ms per verification
//! at the OWASP parameters on this machine), so it runs on the blocking pool, a few at a time,
//! and a sign-in for an account that does not exist still costs one verification, so response
//! times do not reveal which accounts exist.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::auth::password::{AcceptablePassword, normalize};
use tokio::sync::Semaphore;

/// Argon2id cost. The default is OWASP's recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashCost {
    /// The cheapest Argon2id allows: for tests only.
    pub fn cheapest() -> Self {
        HashCost {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("invalid Argon2 parameters: {0}")]
    Params(String),
    #[error("hashing failed: {0}")]
    Hash(String),
}

#[derive(Clone)]
pub struct Passwords {
    argon: Arc<Argon2<'static>>,
    /// Bounds concurrent hashes so a burst of sign-ins cannot take every core.
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so that costs the same.
    decoy: Arc<String>,
}

impl Passwords {
    pub fn new(cost: HashCost, concurrent: usize) -> Result<Passwords, HashError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| HashError::Params(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let decoy = argon
            .hash_password(b"decoy password never used", &salt)
            .map_err(|e| HashError::Hash(e.to_string()))?
            .to_string();
        Ok(Passwords {
            argon: Arc::new(argon),
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            decoy: Arc::new(decoy),
        })
    }

    /// The PHC string to store for an acceptable password.
    pub async fn hash(&self, password: &AcceptablePassword) -> Result<String, HashError> {
        let argon = self.argon.clone();
        let password = password.as_str().to_owned();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await
        .map_err(|e| HashError::Hash(e.to_string()))?
    }

    /// Whether `candidate` matches the stored hash. `None` (no such account) costs the same and
    /// answers false. A stored hash that cannot be parsed answers false and is logged.
    pub async fn verify(&self, stored: Option<&str>, candidate: &str) -> bool {
        let exists = stored.is_some();
        let stored = stored.unwrap_or(self.decoy.as_str()).to_owned();
        let candidate = normalize(candidate);
        let argon = self.argon.clone();
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let matched = tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
            Ok(parsed) => argon.verify_password(candidate.as_bytes(), &parsed).is_ok(),
            Err(e) => {
                tracing::error!(error = %e, "stored password hash cannot be parsed");
                false
            }
        })
        .await
        .unwrap_or(false);
        exists && matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::auth::password::{PersonalData, check};

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = Passwords::new(HashCost::cheapest(), 2).unwrap();
        let ok = check("una frase larga y mía", &PersonalData::default()).unwrap();
        let hash = passwords.hash(&ok).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(passwords.verify(Some(&hash), "una frase larga y mía").await);
        assert!(!passwords.verify(Some(&hash), "una frase larga y mia").await);
        assert!(!passwords.verify(None, "una frase larga y mía").await);
        assert!(!passwords.verify(Some("not a hash"), "x").await);
        // The same password typed in full-width characters is the same password.
        let wide = check("ｆｒａｓｅ ｌａｒｇａ ｕｎｏ", &PersonalData::default()).unwrap();
        let hash = passwords.hash(&wide).await.unwrap();
        assert!(passwords.verify(Some(&hash), "frase larga uno").await);
    }

    #[test]
    fn the_default_cost_is_owasps() {
        assert_eq!(
            HashCost::default(),
            HashCost {
                memory_kib: 19_456,
                iterations: 2,
                parallelism: 1
            }
        );
    }
}
