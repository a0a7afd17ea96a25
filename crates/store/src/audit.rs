//! The audit log's storage: an append-only table of chained entries and a head row per chain.
//!
//! Appending locks only the head of the entry's chain, so writers for different members never
//! wait on one another. Adapters append inside the transaction of the change an entry records
//! (see `accounts`), and verify with the walk below, which applies `domain::audit`'s rules and
//! also checks that each chain's head matches its last row, so removing the newest row shows.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::audit::{AuditEntry, BrokenLink, verify_chain};
use domain::registry::MemberId;
use serde::Serialize;

use crate::StoreError;
use crate::accounts::stored_instant;

/// An entry as stored, with its place in its chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAuditEntry {
    pub entry_id: i64,
    pub chain: u32,
    pub position: u64,
    pub entry: AuditEntry,
}

/// What an intact log holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditTotals {
    /// Entries per chain, for chains that have any.
    pub per_chain: BTreeMap<u32, u64>,
    pub total: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum AuditVerdict {
    Intact(AuditTotals),
    /// The first broken link, walking chains in ascending order.
    Broken(BrokenLink),
}

#[async_trait]
pub trait AuditRepo {
    /// Appends entries in a transaction of their own.
    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;
    /// Walks every chain in order and reports the first broken link, if any.
    async fn verify_audit(&self) -> Result<AuditVerdict, StoreError>;
    /// The member's latest entries, newest first.
    async fn recent_audit(
        &self,
        member: MemberId,
        limit: u32,
    ) -> Result<Vec<StoredAuditEntry>, StoreError>;
    /// The latest entries of the whole log, newest first.
    async fn recent_audit_all(&self, limit: u32) -> Result<Vec<StoredAuditEntry>, StoreError>;
}

/// The entries as they will be stored (instants to the microsecond, UTC), ordered by chain
/// (stable, so each chain keeps the caller's order). Adapters lock chain heads in this order,
/// so two transactions touching the same chains never deadlock.
pub fn in_append_order(entries: &[AuditEntry]) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = entries
        .iter()
        .map(|e| AuditEntry {
            at: stored_instant(e.at),
            ..e.clone()
        })
        .collect();
    out.sort_by_key(AuditEntry::chain);
    out
}

/// A chain's head as stored: its last position (-1 when empty), last hash and last entry id.
#[derive(Clone, Debug)]
pub struct ChainHead {
    pub chain: u32,
    pub last_position: i64,
    pub last_hash: [u8; 32],
    pub last_entry_id: i64,
}

/// One stored row, fed to [`AuditWalk`] in (chain, position) order.
pub struct AuditRow {
    pub entry_id: i64,
    pub chain: u32,
    pub position: i64,
    pub entry: AuditEntry,
    pub hash: [u8; 32],
}

/// Verification shared by the adapters: feed every row in (chain, position) order, then
/// `finish`. Holds one chain's rows at a time.
pub struct AuditWalk {
    heads: BTreeMap<u32, ChainHead>,
    chain: Option<u32>,
    rows: Vec<AuditRow>,
    totals: AuditTotals,
    broken: Option<BrokenLink>,
}

impl AuditWalk {
    pub fn new(heads: impl IntoIterator<Item = ChainHead>) -> AuditWalk {
        AuditWalk {
            heads: heads.into_iter().map(|h| (h.chain, h)).collect(),
            chain: None,
            rows: Vec::new(),
            totals: AuditTotals::default(),
            broken: None,
        }
    }

    /// Takes the next row; `false` once a broken link is found (the caller may stop reading).
    pub fn push(&mut self, row: AuditRow) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if self.chain != Some(row.chain) {
            self.close_chain();
            self.chain = Some(row.chain);
        }
        self.rows.push(row);
        self.broken.is_none()
    }

    pub fn finish(mut self) -> AuditVerdict {
        self.close_chain();
        // Heads of chains with no rows left at all: every row was removed.
        if self.broken.is_none()
            && let Some(head) = self
                .heads
                .values()
                .find(|h| h.last_position >= 0 && !self.totals.per_chain.contains_key(&h.chain))
        {
            self.broken = Some(BrokenLink {
                chain: head.chain,
                position: 0,
                entry_id: head.last_entry_id,
            });
        }
        match self.broken {
            Some(link) => AuditVerdict::Broken(link),
            None => AuditVerdict::Intact(self.totals),
        }
    }

    fn close_chain(&mut self) {
        let Some(chain) = self.chain.take() else {
            return;
        };
        let rows = std::mem::take(&mut self.rows);
        if self.broken.is_none() {
            match check_chain(chain, &rows, self.heads.get(&chain)) {
                Ok(count) => {
                    self.totals.per_chain.insert(chain, count);
                    self.totals.total += count;
                }
                Err(link) => self.broken = Some(link),
            }
        }
    }
}

/// One chain: positions must run 0, 1, 2, … (a gap is a removed row), every hash must follow
/// (`verify_chain`), and the head must name the last row.
fn check_chain(chain: u32, rows: &[AuditRow], head: Option<&ChainHead>) -> Result<u64, BrokenLink> {
    let gap = rows
        .iter()
        .enumerate()
        .find(|(i, r)| r.position != *i as i64)
        .map(|(i, _)| i);
    let contiguous = &rows[..gap.unwrap_or(rows.len())];
    let count = verify_chain(
        chain,
        contiguous.iter().map(|r| (r.entry_id, &r.entry, r.hash)),
    )?;
    if let Some(i) = gap {
        return Err(BrokenLink {
            chain,
            position: i as u64,
            entry_id: rows[i].entry_id,
        });
    }
    let last = rows.last();
    let head_matches = match (head, last) {
        (Some(h), Some(l)) => h.last_position == l.position && h.last_hash == l.hash,
        (Some(h), None) => h.last_position < 0,
        (None, Some(_)) => false,
        (None, None) => true,
    };
    if head_matches {
        Ok(count)
    } else {
        Err(BrokenLink {
            chain,
            position: count,
            entry_id: head.map_or_else(|| last.map_or(0, |l| l.entry_id), |h| h.last_entry_id),
        })
    }
}
