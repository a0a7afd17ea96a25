//! Changing a member's NSS and unifying two records of one person (`domain::identity`). Both
//! engines run the same statements, built here from one list of the member-owned tables and
//! what a unification does to each, so a new table cannot be forgotten by one engine: the
//! contract suite checks that every table with a `member_id` column is on the list.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::identity::{AccountPlan, Refusal};
use domain::ids::Nss;
use domain::registry::MemberId;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::StoreError;

/// What a unification does to a member-owned table's rows of the record that disappears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeRule {
    /// The other key columns are unique across members (folio, credit number, document code):
    /// the rows change owner.
    Move,
    /// A row whose key (these columns besides `member_id`) the target already has is dropped:
    /// the target's stands. The rest move.
    KeepTarget(&'static [&'static str]),
    /// A row whose key the target already has adds its amount (the second field) to the
    /// target's row, so no money is lost and the ledger still sums. The rest move.
    AddAmount(&'static [&'static str], &'static str),
    /// Rows that mean nothing on another record: form drafts, one-time codes, holds of
    /// appointments already past (a unification is refused while one is to come).
    Drop,
    /// Done by hand in the engine: the member row, the account, the aliases, the merge log.
    Special,
}

/// Every table with a `member_id` column, and its rule.
pub const MEMBER_TABLES: &[(&str, MergeRule)] = &[
    (
        "subaccount_movements",
        MergeRule::AddAmount(&["bucket", "kind", "period", "source"], "amount"),
    ),
    (
        "subaccount_balances",
        MergeRule::AddAmount(&["bucket"], "balance"),
    ),
    (
        "employment_periods",
        MergeRule::KeepTarget(&["nrp", "start_date", "wage_from"]),
    ),
    ("credits", MergeRule::Move),
    ("credit_movements", MergeRule::Move),
    ("credit_discounts", MergeRule::Move),
    ("credit_conversions", MergeRule::Move),
    ("relief_grants", MergeRule::Move),
    ("requests", MergeRule::Move),
    ("request_events", MergeRule::Move),
    ("request_attachments", MergeRule::Move),
    ("appointments", MergeRule::Move),
    ("issued_documents", MergeRule::Move),
    (
        "pension_resolutions",
        MergeRule::KeepTarget(&["outcome", "resolved_on"]),
    ),
    (
        "subaccount_holds",
        MergeRule::KeepTarget(&["kind", "placed_on"]),
    ),
    ("bank_accounts", MergeRule::KeepTarget(&[])),
    ("course_completions", MergeRule::KeepTarget(&[])),
    ("credit_partners", MergeRule::KeepTarget(&[])),
    ("partner_codes", MergeRule::Drop),
    ("drafts", MergeRule::Drop),
    ("one_time_codes", MergeRule::Drop),
    ("appointment_holds", MergeRule::Drop),
    // A retry key of the record that goes away; it expires within a day anyway.
    ("idempotency_keys", MergeRule::Drop),
    ("accounts", MergeRule::Special),
    ("members", MergeRule::Special),
    ("nss_aliases", MergeRule::Special),
    // The audit log is append-only: its rows keep the member they were written for, and the
    // merge log says where that member went.
    ("audit_log", MergeRule::Special),
];

/// Columns other than `member_id` that name a member: they are pointed at the target.
pub const MEMBER_REFERENCES: &[(&str, &str)] = &[("credit_partners", "partner_id")];

/// One statement of a unification and what its row count means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeStatement {
    pub table: &'static str,
    pub counts: MergeCount,
    pub sql: String,
}

impl MergeStatement {
    /// Whether the statement names the target (parameter 2) as well as the source.
    pub fn names_target(&self, param: fn(u8) -> String) -> bool {
        self.sql.contains(&param(2))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeCount {
    Moved,
    Folded,
    Dropped,
}

/// The statements for every table that is not `Special`, with the source member id as
/// parameter 1 and the target's as parameter 2, written with `param` (`?1` or `$1`).
pub fn merge_statements(param: fn(u8) -> String) -> Vec<MergeStatement> {
    let (src, tgt) = (param(1), param(2));
    let same_key = |table: &str, alias: &str, keys: &[&str]| -> String {
        keys.iter()
            .map(|k| format!(" AND {alias}.{k} = {table}.{k}"))
            .collect()
    };
    let mut out = Vec::new();
    for &(table, rule) in MEMBER_TABLES {
        let move_free = |keys: &[&str]| MergeStatement {
            table,
            counts: MergeCount::Moved,
            sql: format!(
                "UPDATE {table} SET member_id = {tgt} WHERE member_id = {src} AND NOT EXISTS \
                 (SELECT 1 FROM {table} x WHERE x.member_id = {tgt}{})",
                same_key(table, "x", keys)
            ),
        };
        let drop_rest = |counts| MergeStatement {
            table,
            counts,
            sql: format!("DELETE FROM {table} WHERE member_id = {src}"),
        };
        match rule {
            MergeRule::Move => out.push(MergeStatement {
                table,
                counts: MergeCount::Moved,
                sql: format!("UPDATE {table} SET member_id = {tgt} WHERE member_id = {src}"),
            }),
            MergeRule::KeepTarget(keys) => {
                out.push(move_free(keys));
                out.push(drop_rest(MergeCount::Dropped));
            }
            MergeRule::AddAmount(keys, amount) => {
                let matching = format!(
                    "FROM {table} s WHERE s.member_id = {src}{}",
                    same_key(table, "s", keys)
                );
                out.push(MergeStatement {
                    table,
                    counts: MergeCount::Folded,
                    sql: format!(
                        "UPDATE {table} SET {amount} = {amount} + (SELECT s.{amount} {matching}) \
                         WHERE member_id = {tgt} AND EXISTS (SELECT 1 {matching})"
                    ),
                });
                out.push(move_free(keys));
                out.push(drop_rest(MergeCount::Dropped));
            }
            MergeRule::Drop => out.push(drop_rest(MergeCount::Dropped)),
            MergeRule::Special => {}
        }
    }
    for &(table, column) in MEMBER_REFERENCES {
        out.push(MergeStatement {
            table,
            counts: MergeCount::Moved,
            sql: format!("UPDATE {table} SET {column} = {tgt} WHERE {column} = {src}"),
        });
    }
    out
}

/// What a unification did, table by table. Kept in the merge log and shown to the operator.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Unified {
    /// (table, rows moved, rows folded into the target's, rows dropped), in list order; tables
    /// with nothing done are left out.
    pub tables: Vec<(String, u64, u64, u64)>,
    /// The source's movements whose key the target had: their amounts were added to the
    /// target's row. (bucket, kind, period, source, amount in centavos)
    pub folded_movements: Vec<(i64, i64, i64, i64, i64)>,
    pub account: Option<AccountPlan>,
}

impl Unified {
    pub fn record(&mut self, table: &str, counts: MergeCount, rows: u64) {
        if rows == 0 {
            return;
        }
        let at = match self.tables.iter().position(|t| t.0 == table) {
            Some(at) => at,
            None => {
                self.tables.push((table.to_owned(), 0, 0, 0));
                self.tables.len() - 1
            }
        };
        let line = &mut self.tables[at];
        match counts {
            MergeCount::Moved => line.1 += rows,
            // Folded rows are deleted afterwards; count them once, as folded.
            MergeCount::Folded => line.2 += rows,
            MergeCount::Dropped => line.3 += rows,
        }
    }

    /// Fixes the counts of an `AddAmount` table: its folded rows were also counted when the
    /// leftovers were deleted.
    pub fn settle(&mut self) {
        for line in &mut self.tables {
            line.3 = line.3.saturating_sub(line.2);
        }
        self.tables.retain(|t| t.1 + t.2 + t.3 > 0);
    }

    /// The record kept in the merge log.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn moved(&self, table: &str) -> u64 {
        self.tables.iter().find(|t| t.0 == table).map_or(0, |t| t.1)
    }
    pub fn folded(&self, table: &str) -> u64 {
        self.tables.iter().find(|t| t.0 == table).map_or(0, |t| t.2)
    }
    pub fn dropped(&self, table: &str) -> u64 {
        self.tables.iter().find(|t| t.0 == table).map_or(0, |t| t.3)
    }
}

/// The outcome of asking to unify: done, or refused by the rules on the data as it stood
/// inside the transaction (nothing was written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unification {
    Done(Unified),
    Refused(Vec<Refusal>),
}

/// An NSS the member no longer has on record, still found as theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NssAlias {
    pub nss: Nss,
    /// "changed" or "unified".
    pub reason: String,
    pub since: OffsetDateTime,
}

/// Errors: `Conflict("nss_taken")` when the new NSS is another member's or one of their
/// aliases; `Conflict("member_not_found")`; `Conflict("nss_outdated")` when the record's NSS is
/// no longer the one the operator saw.
#[async_trait]
pub trait IdentityRepo {
    /// Gives the member `new` as NSS; the old one becomes an alias. Changing back to one of the
    /// member's own aliases is allowed and removes that alias.
    async fn change_nss(
        &self,
        member: MemberId,
        old: &Nss,
        new: &Nss,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;

    /// Unifies `source` into `target` in one transaction: reads both records, checks
    /// `domain::identity::check_unification` on them (appointments to come counted from
    /// `today`), applies `MEMBER_TABLES`, moves or closes the account, deletes the source row,
    /// keeps its NSS as an alias of the target and writes the merge log and `audit`.
    #[allow(clippy::too_many_arguments)]
    async fn unify_members(
        &self,
        source: MemberId,
        source_nss: &Nss,
        target: MemberId,
        today: Date,
        at: OffsetDateTime,
        by: &str,
        audit: &[AuditEntry],
    ) -> Result<Unification, StoreError>;

    /// The member's former NSS, oldest first.
    async fn nss_aliases(&self, member: MemberId) -> Result<Vec<NssAlias>, StoreError>;

    /// The names of the tables that have a `member_id` column, for the contract check.
    async fn member_owned_tables(&self) -> Result<Vec<String>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_built_for_each_rule() {
        let sql = merge_statements(|n| format!("${n}"));
        let of = |table: &str| -> Vec<&str> {
            sql.iter()
                .filter(|s| s.table == table)
                .map(|s| s.sql.as_str())
                .collect()
        };
        assert_eq!(
            of("credits"),
            ["UPDATE credits SET member_id = $2 WHERE member_id = $1"]
        );
        assert_eq!(of("drafts"), ["DELETE FROM drafts WHERE member_id = $1"]);
        let balances = of("subaccount_balances");
        assert_eq!(balances.len(), 3);
        assert_eq!(
            balances[0],
            "UPDATE subaccount_balances SET balance = balance + (SELECT s.balance FROM \
             subaccount_balances s WHERE s.member_id = $1 AND s.bucket = subaccount_balances.bucket) \
             WHERE member_id = $2 AND EXISTS (SELECT 1 FROM subaccount_balances s WHERE \
             s.member_id = $1 AND s.bucket = subaccount_balances.bucket)"
        );
        assert!(of("members").is_empty());
    }

    #[test]
    fn counts_are_settled_per_table() {
        let mut u = Unified::default();
        u.record("subaccount_movements", MergeCount::Folded, 2);
        u.record("subaccount_movements", MergeCount::Moved, 10);
        u.record("subaccount_movements", MergeCount::Dropped, 2);
        u.record("drafts", MergeCount::Dropped, 0);
        u.settle();
        assert_eq!(
            u.tables,
            vec![("subaccount_movements".to_owned(), 10, 2, 0)]
        );
    }
}
