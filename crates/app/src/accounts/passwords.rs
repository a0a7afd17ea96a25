//! Password hashing with Argon2id. Hashing is deliberately slow (about 13 ms per verification
//! at the OWASP parameters on this machine), so it runs on the blocking pool, a few at a time,
//! and a sign-in for an account that does not exist still costs one verification, so response
//! times do not reveal which accounts exist.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
    /// Argon2's working memory (19 MiB at the default cost), one buffer a permit, kept between
    /// verifications: allocated afresh each time, the freed buffers stayed with the allocator
    /// on every blocking thread that had run one (130 MB more at 38 sign-ins/s).
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
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
            memory: Arc::new(Mutex::new(Vec::new())),
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
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        // Holding a permit, at most as many buffers are out as there are permits.
        let mut memory = lock(&self.memory).pop().unwrap_or_default();
        let pool = self.memory.clone();
        let matched = tokio::task::spawn_blocking(move || {
            let matched = matches(&stored, candidate.as_bytes(), &mut memory);
            lock(&pool).push(memory);
            matched
        })
        .await
        .unwrap_or(false);
        exists && matched
    }
}

fn lock(memory: &Mutex<Vec<Vec<Block>>>) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
    memory
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether `candidate` hashes to `stored` (a PHC string) with the algorithm, version, cost and
/// salt written in it, working in `memory` (grown when too small). The comparison takes the
/// same time wherever the hashes differ.
fn matches(stored: &str, candidate: &[u8], memory: &mut Vec<Block>) -> bool {
    let parsed = match PasswordHash::new(stored) {
        Ok(parsed) => parsed,
        Err(e) => {
            tracing::error!(error = %e, "stored password hash cannot be parsed");
            return false;
        }
    };
    let Some((argon, expected, blocks)) = checker(&parsed) else {
        tracing::error!("stored password hash is not one Argon2 can check");
        return false;
    };
    let mut salt = [0u8; 64];
    let Some(salt) = parsed.salt.and_then(|s| s.decode_b64(&mut salt).ok()) else {
        return false;
    };
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    argon
        .hash_password_into_with_memory(candidate, salt, &mut out, &mut memory[..blocks])
        .is_ok()
        && Output::new(&out).is_ok_and(|out| out == expected)
}

/// The Argon2 that made `parsed` (its algorithm, version and cost), the hash it made, and the
/// memory blocks it needs.
fn checker(parsed: &PasswordHash<'_>) -> Option<(Argon2<'static>, Output, usize)> {
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(parsed).ok()?;
    let blocks = params.block_count();
    Some((
        Argon2::new(algorithm, version, params),
        parsed.hash?,
        blocks,
    ))
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

    #[tokio::test]
    async fn the_working_memory_is_kept_and_fits_any_stored_cost() {
        // Hashes of two costs, made by the argon2 crate's own API, checked with one buffer.
        let passwords = Passwords::new(HashCost::cheapest(), 1).unwrap();
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 2, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let stored = other
            .hash_password(b"otra frase", &salt)
            .unwrap()
            .to_string();
        assert!(passwords.verify(Some(&stored), "otra frase").await);
        assert!(!passwords.verify(Some(&stored), "otra frase.").await);
        assert_eq!(lock(&passwords.memory).len(), 1, "one buffer, kept");
        assert_eq!(
            lock(&passwords.memory)[0].len(),
            64,
            "grown to the larger cost"
        );
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x10, Params::default());
        let stored = argon2i.hash_password(b"vieja", &salt).unwrap().to_string();
        assert!(passwords.verify(Some(&stored), "vieja").await);
        assert!(
            !passwords
                .verify(Some("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ"), "x")
                .await
        );
        assert_eq!(lock(&passwords.memory).len(), 1);
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
