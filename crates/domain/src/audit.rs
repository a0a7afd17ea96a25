//! The audit log's rules: what an entry holds and how entries are chained so that an edited or
//! removed row is detected.
//!
//! Entries are spread over a fixed number of chains by a key (the member, or the operator), so
//! concurrent writers for different people never wait on one another; within a chain each
//! entry's hash covers the previous entry's hash. Verifying walks each chain in order.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// How many independent chains the log has. Changing it needs a new log.
pub const CHAINS: u32 = 64;

/// The hash that starts every chain.
pub const GENESIS: [u8; 32] = [0; 32];

/// Through which channel something happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Web,
    App,
    Phone,
    Cesi,
    System,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::App => "app",
            Channel::Phone => "phone",
            Channel::Cesi => "cesi",
            Channel::System => "system",
        }
    }

    pub fn from_code(code: &str) -> Option<Channel> {
        [
            Channel::Web,
            Channel::App,
            Channel::Phone,
            Channel::Cesi,
            Channel::System,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// One audited event: who, what, when (UTC), where, through which channel. Never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    /// "member:123", "operator:7", "system", or "anonymous".
    pub actor: String,
    /// A stable snake_case code: "sign_in", "sign_in_failed", "code_sent", "access_denied", …
    pub action: String,
    /// The member the event concerns, when there is one.
    pub member_id: Option<i64>,
    pub channel: Channel,
    /// Where from: the client address as the server saw it (or a CESI office code).
    pub origin: String,
    /// Non-secret details as compact JSON text ("{}" when none).
    pub details: String,
}

impl AuditEntry {
    /// The chain this entry belongs to: by member when there is one, else by actor.
    pub fn chain(&self) -> u32 {
        let key = match self.member_id {
            Some(id) => id.to_le_bytes().to_vec(),
            None => self.actor.as_bytes().to_vec(),
        };
        let digest = Sha256::digest(&key);
        u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) % CHAINS
    }

    /// The entry's hash given the previous hash in its chain. Every field is length-prefixed
    /// so that no two different entries can produce the same input.
    pub fn hash(&self, previous: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(previous);
        let at = self.at.unix_timestamp_nanos().to_le_bytes();
        let member = self.member_id.map_or([0xff; 8], i64::to_le_bytes);
        let fields: [&[u8]; 7] = [
            &at,
            self.actor.as_bytes(),
            self.action.as_bytes(),
            &member,
            self.channel.code().as_bytes(),
            self.origin.as_bytes(),
            self.details.as_bytes(),
        ];
        for field in fields {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field);
        }
        h.finalize().into()
    }
}

/// Where verification first found a broken link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub chain: u32,
    /// Position of the entry within its chain (0-based).
    pub position: u64,
    pub entry_id: i64,
}

/// Checks one chain, given its entries in order with their stored hashes. Returns the first
/// entry whose stored hash does not follow from its content and its predecessor.
pub fn verify_chain<'a>(
    chain: u32,
    entries: impl IntoIterator<Item = (i64, &'a AuditEntry, [u8; 32])>,
) -> Result<u64, BrokenLink> {
    let mut previous = GENESIS;
    let mut count = 0;
    for (position, (entry_id, entry, stored)) in entries.into_iter().enumerate() {
        if entry.chain() != chain || entry.hash(&previous) != stored {
            return Err(BrokenLink {
                chain,
                position: position as u64,
                entry_id,
            });
        }
        previous = stored;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn entry(action: &str, member: Option<i64>) -> AuditEntry {
        AuditEntry {
            at: datetime!(2026-11-25 12:00 UTC),
            actor: member.map_or("anonymous".into(), |m| format!("member:{m}")),
            action: action.into(),
            member_id: member,
            channel: Channel::Web,
            origin: "127.0.0.1".into(),
            details: "{}".into(),
        }
    }

    fn chained(entries: &[AuditEntry]) -> Vec<(i64, &AuditEntry, [u8; 32])> {
        let mut previous = GENESIS;
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                previous = e.hash(&previous);
                (i as i64, e, previous)
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_edit_or_removal_breaks_it() {
        let entries: Vec<_> = ["sign_in", "code_sent", "sign_out"]
            .iter()
            .map(|a| entry(a, Some(5)))
            .collect();
        let chain = entries[0].chain();
        assert_eq!(verify_chain(chain, chained(&entries)), Ok(3));

        let mut edited = chained(&entries);
        let mut changed = entries[1].clone();
        changed.action = "password_changed".into();
        edited[1].1 = &changed;
        assert_eq!(verify_chain(chain, edited).unwrap_err().position, 1);

        let mut removed = chained(&entries);
        removed.remove(1);
        assert_eq!(verify_chain(chain, removed).unwrap_err().position, 1);
    }

    #[test]
    fn entries_of_one_member_share_a_chain_and_members_spread_over_chains() {
        assert_eq!(entry("a", Some(9)).chain(), entry("b", Some(9)).chain());
        let chains: std::collections::HashSet<u32> =
            (0..1000).map(|m| entry("a", Some(m)).chain()).collect();
        assert!(chains.len() > CHAINS as usize / 2);
        assert!(chains.iter().all(|c| *c < CHAINS));
    }
}
