//! NSS changes and unifications on PostgreSQL (`store::identity`).

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use domain::identity::{AccountPlan, Side, check_unification};
use domain::ids::Nss;
use domain::registry::MemberId;
use store::{IdentityRepo, MergeCount, NssAlias, StoreError, Unification, Unified};
use time::{Date, OffsetDateTime};

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;
use crate::rows::{self, MEMBER_COLUMNS};

fn param(n: u8) -> String {
    format!("${n}")
}

/// Whether `nss` is on any record or is any record's alias, and whose.
async fn nss_owner(tx: &Transaction<'_>, nss: &str) -> Result<Option<i64>, StoreError> {
    let found = query(
        tx,
        "SELECT member_id FROM members WHERE nss = $1
         UNION ALL SELECT member_id FROM nss_aliases WHERE nss = $1 LIMIT 1",
        &[&nss],
    )
    .await?;
    found.first().map(|r| get(r, 0, "members")).transpose()
}

async fn count(tx: &Transaction<'_>, sql: &str, member: i64) -> Result<u32, StoreError> {
    let found = query(tx, sql, &[&member]).await?;
    let n: i64 = match found.first() {
        Some(r) => get(r, 0, "members")?,
        None => 0,
    };
    u32::try_from(n).map_err(|e| StoreError::corrupt("members", e))
}

/// One side of a unification as it stands inside the transaction, its row locked.
async fn side(
    tx: &Transaction<'_>,
    member: MemberId,
    today: Date,
) -> Result<Option<Side>, StoreError> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE member_id = $1 FOR UPDATE");
    let found = query(tx, &sql, &[&member.0]).await?;
    let Some(row) = found.first() else {
        return Ok(None);
    };
    let person = rows::member(row)?.person;
    let upcoming = query(
        tx,
        "SELECT count(*) FROM appointments
         WHERE member_id = $1 AND status = 'booked' AND day >= $2",
        &[&member.0, &today],
    )
    .await?;
    Ok(Some(Side {
        member_id: member,
        person,
        active_credits: count(
            tx,
            "SELECT count(*) FROM credits WHERE member_id = $1 AND status = 'active'",
            member.0,
        )
        .await?,
        open_requests: count(
            tx,
            "SELECT count(*) FROM requests WHERE member_id = $1
               AND stage IN ('draft', 'submitted', 'in_review', 'needs_correction', 'approved')",
            member.0,
        )
        .await?,
        upcoming_appointments: match upcoming.first() {
            Some(r) => u32::try_from(get::<i64>(r, 0, "appointments")?)
                .map_err(|e| StoreError::corrupt("appointments", e))?,
            None => 0,
        },
        has_account: count(
            tx,
            "SELECT count(*) FROM accounts WHERE member_id = $1",
            member.0,
        )
        .await?
            > 0,
    }))
}

#[async_trait]
impl IdentityRepo for PgStore {
    async fn change_nss(
        &self,
        member: MemberId,
        old: &Nss,
        new: &Nss,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let current = query(
            &tx,
            "SELECT nss FROM members WHERE member_id = $1 FOR UPDATE",
            &[&member.0],
        )
        .await?;
        match current.first() {
            None => return Err(StoreError::Conflict("member_not_found")),
            Some(r) if get::<String>(r, 0, "members")? != old.as_str() => {
                return Err(StoreError::Conflict("nss_outdated"));
            }
            Some(_) => {}
        }
        match nss_owner(&tx, new.as_str()).await? {
            Some(owner) if owner != member.0 => return Err(StoreError::Conflict("nss_taken")),
            Some(_) => {
                exec(
                    &tx,
                    "DELETE FROM nss_aliases WHERE nss = $1",
                    &[&new.as_str()],
                )
                .await?;
            }
            None => {}
        }
        exec(
            &tx,
            "UPDATE members SET nss = $1 WHERE member_id = $2",
            &[&new.as_str(), &member.0],
        )
        .await
        .map_err(|e| match e {
            // Another change took the NSS between the check and the write.
            StoreError::Conflict("duplicate_key") => StoreError::Conflict("nss_taken"),
            other => other,
        })?;
        exec(
            &tx,
            "INSERT INTO nss_aliases (nss, member_id, reason, since) VALUES ($1, $2, 'changed', $3)",
            &[&old.as_str(), &member.0, &at],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn unify_members(
        &self,
        source: MemberId,
        source_nss: &Nss,
        target: MemberId,
        today: Date,
        at: OffsetDateTime,
        by: &str,
        audit: &[AuditEntry],
    ) -> Result<Unification, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Lock both rows in one order, so two unifications of the same pair cannot deadlock.
        let (first, second) = if source.0 < target.0 {
            (source, target)
        } else {
            (target, source)
        };
        let first_side = side(&tx, first, today).await?;
        let second_side = side(&tx, second, today).await?;
        let (from, into) = if first == source {
            (first_side, second_side)
        } else {
            (second_side, first_side)
        };
        let (Some(from), Some(into)) = (from, into) else {
            return Err(StoreError::Conflict("member_not_found"));
        };
        if from.person.nss != *source_nss {
            return Err(StoreError::Conflict("nss_outdated"));
        }
        let plan = match check_unification(&from, &into) {
            Ok(plan) => plan,
            Err(refusals) => return Ok(Unification::Refused(refusals)),
        };
        let mut done = Unified {
            account: Some(plan),
            ..Unified::default()
        };
        let folded = query(
            &tx,
            "SELECT s.bucket::bigint, s.kind::bigint, s.period::bigint, s.source, s.amount
             FROM subaccount_movements s JOIN subaccount_movements t
               ON t.member_id = $2 AND t.bucket = s.bucket AND t.kind = s.kind
              AND t.period = s.period AND t.source = s.source
             WHERE s.member_id = $1 ORDER BY s.bucket, s.kind, s.period, s.source",
            &[&source.0, &target.0],
        )
        .await?;
        for r in &folded {
            let g = |i| get::<i64>(r, i, "subaccount_movements");
            done.folded_movements
                .push((g(0)?, g(1)?, g(2)?, g(3)?, g(4)?));
        }
        for statement in store::merge_statements(param) {
            let rows = if statement.names_target(param) {
                exec(&tx, &statement.sql, &[&source.0, &target.0]).await?
            } else {
                exec(&tx, &statement.sql, &[&source.0]).await?
            };
            done.record(statement.table, statement.counts, rows);
        }
        match plan {
            AccountPlan::NoAccount | AccountPlan::KeepTarget => {}
            AccountPlan::MoveSource => {
                let rows = exec(
                    &tx,
                    "UPDATE accounts SET member_id = $2 WHERE member_id = $1",
                    &[&source.0, &target.0],
                )
                .await?;
                done.record("accounts", MergeCount::Moved, rows);
            }
            AccountPlan::KeepTargetCloseSource => {
                let found = query(
                    &tx,
                    "SELECT account_id FROM accounts WHERE member_id = $1",
                    &[&source.0],
                )
                .await?;
                let Some(row) = found.first() else {
                    return Err(StoreError::Conflict("member_not_found"));
                };
                let account: i64 = get(row, 0, "accounts")?;
                exec(
                    &tx,
                    "UPDATE sessions SET ended_at = $2, end_reason = 'nss_unified'
                     WHERE account_id = $1 AND ended_at IS NULL",
                    &[&account, &at],
                )
                .await?;
                exec(
                    &tx,
                    "DELETE FROM recovery_codes WHERE account_id = $1",
                    &[&account],
                )
                .await?;
                let rows = exec(
                    &tx,
                    "DELETE FROM accounts WHERE account_id = $1",
                    &[&account],
                )
                .await?;
                done.record("accounts", MergeCount::Dropped, rows);
            }
        }
        exec(
            &tx,
            "UPDATE nss_aliases SET member_id = $2 WHERE member_id = $1",
            &[&source.0, &target.0],
        )
        .await?;
        exec(
            &tx,
            "DELETE FROM members WHERE member_id = $1",
            &[&source.0],
        )
        .await?;
        exec(
            &tx,
            "INSERT INTO nss_aliases (nss, member_id, reason, since) VALUES ($1, $2, 'unified', $3)",
            &[&source_nss.as_str(), &target.0, &at],
        )
        .await?;
        done.settle();
        let details = done.to_json();
        exec(
            &tx,
            "INSERT INTO member_merges
                 (source_member_id, target_member_id, source_nss, merged_at, merged_by, details)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &source.0,
                &target.0,
                &source_nss.as_str(),
                &at,
                &by,
                &details,
            ],
        )
        .await?;
        commit(tx, audit, true).await?;
        Ok(Unification::Done(done))
    }

    async fn nss_aliases(&self, member: MemberId) -> Result<Vec<NssAlias>, StoreError> {
        self.fetch(
            "SELECT nss, reason, since FROM nss_aliases WHERE member_id = $1 ORDER BY since, nss",
            &[&member.0],
        )
        .await?
        .iter()
        .map(|r| {
            let nss: String = get(r, 0, "nss_aliases")?;
            Ok(NssAlias {
                nss: Nss::parse(&nss).map_err(|e| StoreError::corrupt("nss_aliases", e))?,
                reason: get(r, 1, "nss_aliases")?,
                since: get(r, 2, "nss_aliases")?,
            })
        })
        .collect()
    }

    async fn member_owned_tables(&self) -> Result<Vec<String>, StoreError> {
        self.fetch(
            // Tables, not their partitions (which carry the column too).
            "SELECT c.relname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE a.attname = 'member_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
               AND NOT c.relispartition
               AND c.relnamespace = current_schema()::regnamespace
             ORDER BY c.relname",
            &[],
        )
        .await?
        .iter()
        .map(|r| get(r, 0, "information_schema"))
        .collect()
    }
}
