//! NSS changes and unifications on SQLite (`store::identity`).

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::identity::{AccountPlan, Side, check_unification};
use domain::ids::Nss;
use domain::registry::MemberId;
use rusqlite::{Connection, OptionalExtension, params};
use store::{IdentityRepo, MergeCount, NssAlias, StoreError, Unification, Unified};
use time::{Date, OffsetDateTime};

use crate::rows::{self, MEMBER_COLUMNS};
use crate::stamp::{collect, get, get_ts, ts};
use crate::{SqliteStore, db};

fn param(n: u8) -> String {
    format!("?{n}")
}

/// Whether `nss` is on any record or is any record's alias, and whose.
fn nss_owner(c: &Connection, nss: &str) -> Result<Option<i64>, StoreError> {
    c.prepare_cached(
        "SELECT member_id FROM members WHERE nss = ?1
         UNION ALL SELECT member_id FROM nss_aliases WHERE nss = ?1 LIMIT 1",
    )
    .map_err(db)?
    .query_row([nss], |r| r.get(0))
    .optional()
    .map_err(db)
}

fn count(c: &Connection, sql: &str, member: i64, today: &str) -> Result<u32, StoreError> {
    let n: i64 = c
        .prepare_cached(sql)
        .map_err(db)?
        .query_row(params![member, today], |r| r.get(0))
        .map_err(db)?;
    u32::try_from(n).map_err(|e| StoreError::corrupt("members", e))
}

/// One side of a unification as it stands inside the transaction.
fn side(c: &Connection, member: MemberId, today: Date) -> Result<Option<Side>, StoreError> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE member_id = ?1");
    let mut stmt = c.prepare_cached(&sql).map_err(db)?;
    let mut found = stmt.query([member.0]).map_err(db)?;
    let Some(row) = found.next().map_err(db)? else {
        return Ok(None);
    };
    let person = rows::member(row)?.person;
    let today = domain::dates::iso(today);
    // `?2` is bound in every count so one binding serves all four.
    Ok(Some(Side {
        member_id: member,
        person,
        active_credits: count(
            c,
            "SELECT count(*) FROM credits WHERE member_id = ?1 AND status = 'active' AND ?2 = ?2",
            member.0,
            &today,
        )?,
        open_requests: count(
            c,
            "SELECT count(*) FROM requests WHERE member_id = ?1 AND ?2 = ?2
               AND stage IN ('draft', 'submitted', 'in_review', 'needs_correction', 'approved')",
            member.0,
            &today,
        )?,
        upcoming_appointments: count(
            c,
            "SELECT count(*) FROM appointments
             WHERE member_id = ?1 AND status = 'booked' AND day >= ?2",
            member.0,
            &today,
        )?,
        has_account: count(
            c,
            "SELECT count(*) FROM accounts WHERE member_id = ?1 AND ?2 = ?2",
            member.0,
            &today,
        )? > 0,
    }))
}

#[async_trait]
impl IdentityRepo for SqliteStore {
    async fn change_nss(
        &self,
        member: MemberId,
        old: &Nss,
        new: &Nss,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let (old, new) = (old.as_str().to_owned(), new.as_str().to_owned());
        self.audited(audit, move |tx| {
            let current: Option<String> = tx
                .prepare_cached("SELECT nss FROM members WHERE member_id = ?1")
                .map_err(db)?
                .query_row([member.0], |r| r.get(0))
                .optional()
                .map_err(db)?;
            match current {
                None => return Err(StoreError::Conflict("member_not_found")),
                Some(nss) if nss != old => return Err(StoreError::Conflict("nss_outdated")),
                Some(_) => {}
            }
            match nss_owner(tx, &new)? {
                Some(owner) if owner != member.0 => return Err(StoreError::Conflict("nss_taken")),
                Some(_) => {
                    // Back to one of the member's own former NSS.
                    tx.execute("DELETE FROM nss_aliases WHERE nss = ?1", [&new])
                        .map_err(db)?;
                }
                None => {}
            }
            tx.execute(
                "UPDATE members SET nss = ?1 WHERE member_id = ?2",
                params![new, member.0],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO nss_aliases (nss, member_id, reason, since) VALUES (?1, ?2, 'changed', ?3)",
                params![old, member.0, ts(at)],
            )
            .map_err(db)?;
            Ok(((), true))
        })
        .await
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
        let (source_nss, by) = (source_nss.as_str().to_owned(), by.to_owned());
        self.audited(audit, move |tx| {
            let (Some(from), Some(into)) = (side(tx, source, today)?, side(tx, target, today)?)
            else {
                return Err(StoreError::Conflict("member_not_found"));
            };
            if from.person.nss.as_str() != source_nss {
                return Err(StoreError::Conflict("nss_outdated"));
            }
            let plan = match check_unification(&from, &into) {
                Ok(plan) => plan,
                Err(refusals) => return Ok((Unification::Refused(refusals), false)),
            };
            let mut done = Unified {
                account: Some(plan),
                ..Unified::default()
            };
            done.folded_movements = collect(
                tx,
                "SELECT s.bucket, s.kind, s.period, s.source, s.amount
                 FROM subaccount_movements s JOIN subaccount_movements t
                   ON t.member_id = ?2 AND t.bucket = s.bucket AND t.kind = s.kind
                  AND t.period = s.period AND t.source = s.source
                 WHERE s.member_id = ?1 ORDER BY s.bucket, s.kind, s.period, s.source",
                params![source.0, target.0],
                |r| {
                    let g = |i| get::<i64>(r, i, "subaccount_movements");
                    Ok((g(0)?, g(1)?, g(2)?, g(3)?, g(4)?))
                },
            )?;
            for statement in store::merge_statements(param) {
                let rows = if statement.names_target(param) {
                    tx.execute(&statement.sql, params![source.0, target.0])
                } else {
                    tx.execute(&statement.sql, params![source.0])
                }
                .map_err(db)?;
                done.record(statement.table, statement.counts, rows as u64);
            }
            match plan {
                AccountPlan::NoAccount | AccountPlan::KeepTarget => {}
                AccountPlan::MoveSource => {
                    let rows = tx
                        .execute(
                            "UPDATE accounts SET member_id = ?2 WHERE member_id = ?1",
                            params![source.0, target.0],
                        )
                        .map_err(db)?;
                    done.record("accounts", MergeCount::Moved, rows as u64);
                }
                AccountPlan::KeepTargetCloseSource => {
                    let account: i64 = tx
                        .query_row(
                            "SELECT account_id FROM accounts WHERE member_id = ?1",
                            [source.0],
                            |r| r.get(0),
                        )
                        .map_err(db)?;
                    tx.execute(
                        "UPDATE sessions SET ended_at = ?2, end_reason = 'nss_unified'
                         WHERE account_id = ?1 AND ended_at IS NULL",
                        params![account, ts(at)],
                    )
                    .map_err(db)?;
                    tx.execute("DELETE FROM recovery_codes WHERE account_id = ?1", [account])
                        .map_err(db)?;
                    let rows = tx
                        .execute("DELETE FROM accounts WHERE account_id = ?1", [account])
                        .map_err(db)?;
                    done.record("accounts", MergeCount::Dropped, rows as u64);
                }
            }
            tx.execute(
                "UPDATE nss_aliases SET member_id = ?2 WHERE member_id = ?1",
                params![source.0, target.0],
            )
            .map_err(db)?;
            tx.execute("DELETE FROM members WHERE member_id = ?1", [source.0])
                .map_err(db)?;
            tx.execute(
                "INSERT INTO nss_aliases (nss, member_id, reason, since) VALUES (?1, ?2, 'unified', ?3)",
                params![source_nss, target.0, ts(at)],
            )
            .map_err(db)?;
            done.settle();
            let details = done.to_json();
            tx.execute(
                "INSERT INTO member_merges
                     (source_member_id, target_member_id, source_nss, merged_at, merged_by, details)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![source.0, target.0, source_nss, ts(at), by, details],
            )
            .map_err(db)?;
            Ok((Unification::Done(done), true))
        })
        .await
    }

    async fn nss_aliases(&self, member: MemberId) -> Result<Vec<NssAlias>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT nss, reason, since FROM nss_aliases WHERE member_id = ?1 ORDER BY since, nss",
                [member.0],
                |r| {
                    let nss: String = get(r, 0, "nss_aliases")?;
                    Ok(NssAlias {
                        nss: Nss::parse(&nss).map_err(|e| StoreError::corrupt("nss_aliases", e))?,
                        reason: get(r, 1, "nss_aliases")?,
                        since: get_ts(r, 2, "nss_aliases")?,
                    })
                },
            )
        })
    }

    async fn member_owned_tables(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND p.name = 'member_id' ORDER BY m.name",
                [],
                |r| get(r, 0, "sqlite_master"),
            )
        })
    }
}
