//! Unamos Créditos (domain.md §4.6): two members pool their credits, each evaluated on their own
//! record. Pairing needs both to agree: one makes a code and gives it to the other, who enters
//! it. What either sees of the other is only whether they pre-qualify and the pooled amounts —
//! never their name, NSS, wage, savings or points (`docs/points.md`).

use std::sync::Arc;

use domain::money::Money;
use domain::points::Unavailable;
use domain::registry::MemberId;
use serde_json::json;
use sha2::Digest;
use store::{Store, StoreError};

use crate::accounts::Caller;
use crate::clock::Clock;
use crate::prequal::{Prequal, PrequalError};

/// Characters of a code: no 0/O, 1/I/L or U, so it can be read over the phone.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Ten characters: about 49 bits, spent once and valid for a day.
const CODE_LEN: usize = 10;
pub const CODE_HOURS: i64 = 24;

#[derive(Debug, thiserror::Error)]
pub enum UnamosError {
    /// Unknown, expired or already used.
    #[error("partner_code_invalid")]
    CodeInvalid,
    #[error("partner_self")]
    OwnCode,
    /// One of the two is already paired.
    #[error("partner_taken")]
    Taken,
    #[error("{0}")]
    Prequal(#[from] PrequalError),
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for UnamosError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict("partner_code_invalid") => UnamosError::CodeInvalid,
            StoreError::Conflict("partner_self") => UnamosError::OwnCode,
            StoreError::Conflict("partner_taken") => UnamosError::Taken,
            other => UnamosError::Store(other),
        }
    }
}

impl UnamosError {
    pub fn code(&self) -> &'static str {
        match self {
            UnamosError::CodeInvalid => "partner_code_invalid",
            UnamosError::OwnCode => "partner_self",
            UnamosError::Taken => "partner_taken",
            UnamosError::Prequal(e) => e.code(),
            UnamosError::Store(_) => "service_unavailable",
        }
    }
}

/// The pooled credit as a member of the pair sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pooled {
    pub available: bool,
    pub you_qualify: bool,
    /// Whether the partner pre-qualifies: all that is shown of them.
    pub partner_qualifies: bool,
    /// The pooled credit, at most `cap`.
    pub credit: Money,
    pub cap: Money,
    /// The member's own part of it and own monthly payment.
    pub your_credit: Money,
    pub your_payment: Money,
}

fn hash(code: &str) -> [u8; 32] {
    let canonical: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha2::Sha256::digest(canonical.as_bytes()).into()
}

#[derive(Clone)]
pub struct Unamos {
    store: Arc<dyn Store>,
    prequal: Prequal,
    clock: Arc<dyn Clock>,
}

impl Unamos {
    pub fn new(store: Arc<dyn Store>, prequal: Prequal, clock: Arc<dyn Clock>) -> Unamos {
        Unamos {
            store,
            prequal,
            clock,
        }
    }

    fn audit(&self, caller: &Caller, member: MemberId, action: &str) -> domain::audit::AuditEntry {
        domain::audit::AuditEntry {
            at: store::stored_instant(self.clock.now()),
            actor: format!("member:{}", member.0),
            action: action.to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: json!({}).to_string(),
        }
    }

    /// A fresh code for the member to give their partner; earlier codes stop working.
    pub async fn make_code(
        &self,
        member: MemberId,
        caller: &Caller,
    ) -> Result<String, UnamosError> {
        // The thread's generator is not `Send`: it is done with before the first await.
        let code: String = {
            use rand::Rng;
            let mut rng = rand::rng();
            (0..CODE_LEN)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect()
        };
        let expires = self.clock.now() + time::Duration::hours(CODE_HOURS);
        let audit = [self.audit(caller, member, "partner_code_made")];
        self.store
            .create_partner_code(member, &hash(&code), expires, &audit)
            .await?;
        Ok(format!("{}-{}", &code[..5], &code[5..]))
    }

    /// Pairs the member with whoever gave them `code`.
    pub async fn join(
        &self,
        member: MemberId,
        code: &str,
        caller: &Caller,
    ) -> Result<(), UnamosError> {
        let audit = [self.audit(caller, member, "partner_joined")];
        self.store
            .join_partner(member, &hash(code), self.clock.now(), &audit)
            .await?;
        Ok(())
    }

    /// Ends the pairing for both.
    pub async fn leave(&self, member: MemberId, caller: &Caller) -> Result<(), UnamosError> {
        let audit = [self.audit(caller, member, "partner_left")];
        self.store.leave_partner(member, &audit).await?;
        Ok(())
    }

    /// The pooled credit, when the member is paired.
    pub async fn pooled(&self, member: MemberId) -> Result<Option<Pooled>, UnamosError> {
        let Some(partner) = self.store.partner_of(member).await? else {
            return Ok(None);
        };
        let today = domain::dates::mexico_city_date(self.clock.now());
        let offer = match self.prequal.unamos(member, partner, today).await {
            Ok(offer) => offer,
            // One of the two cannot be evaluated at all (no record of work, an age that leaves
            // no term): nothing to pool, and nothing said about whom.
            Err(PrequalError::Points(e)) => {
                tracing::info!(error = %e, "unamos offer not computed");
                return Ok(Some(Pooled {
                    available: false,
                    you_qualify: false,
                    partner_qualifies: false,
                    credit: Money::ZERO,
                    cap: Money::ZERO,
                    your_credit: Money::ZERO,
                    your_payment: Money::ZERO,
                }));
            }
            Err(e) => return Err(e.into()),
        };
        let qualifies = |who: usize| {
            !offer
                .unavailable
                .contains(&Unavailable::NotPrequalified { applicant: who })
        };
        let own = offer.applicants.first();
        Ok(Some(Pooled {
            available: offer.available(),
            you_qualify: qualifies(0),
            partner_qualifies: qualifies(1),
            credit: offer.credit,
            cap: offer.cap,
            your_credit: own.map_or(Money::ZERO, |o| o.conditions.credit),
            your_payment: own.map_or(Money::ZERO, |o| o.conditions.monthly_payment),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_compared_as_read_over_the_phone() {
        assert_eq!(hash("ab3cd-ef4gh"), hash("AB3CDEF4GH"));
        assert_eq!(hash(" ab3cd ef4gh "), hash("AB3CDEF4GH"));
        assert_ne!(hash("AB3CDEF4GH"), hash("AB3CDEF4GJ"));
    }
}
