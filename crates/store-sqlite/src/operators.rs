//! Operators, their sessions and request assignment on SQLite.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::operators::Role;
use domain::registry::{Member, MemberId};
use domain::requests::Folio;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{NewOperator, Operator, OperatorRepo, OperatorSession, StoreError};
use time::OffsetDateTime;

use crate::rows::MEMBER_COLUMNS;
use crate::stamp::{collect, get, get_ts, ts};
use crate::{SqliteStore, db};

const T: &str = "operators";

const COLUMNS: &str = "operator_id, username, display_name, role, password_hash, totp_sealed, \
     totp_last_step, active, created_at, created_by";

fn operator(r: &Row) -> Result<Operator, StoreError> {
    let role: String = get(r, 3, T)?;
    Ok(Operator {
        operator_id: get(r, 0, T)?,
        username: get(r, 1, T)?,
        display_name: get(r, 2, T)?,
        role: Role::from_code(&role).ok_or_else(|| StoreError::corrupt(T, "bad role"))?,
        password_hash: get(r, 4, T)?,
        totp_sealed: get(r, 5, T)?,
        totp_last_step: get(r, 6, T)?,
        active: get(r, 7, T)?,
        created_at: get_ts(r, 8, T)?,
        created_by: get(r, 9, T)?,
    })
}

fn operator_where(conn: &Connection, id: i64) -> Result<Option<Operator>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM operators WHERE operator_id = ?1");
    Ok(collect(conn, &sql, [id], operator)?.pop())
}

#[async_trait]
impl OperatorRepo for SqliteStore {
    async fn create_operator(
        &self,
        new: &NewOperator,
        audit: &[AuditEntry],
    ) -> Result<Operator, StoreError> {
        let new = new.clone();
        self.audited(audit, move |tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO operators (username, display_name, role, password_hash,
                         totp_sealed, active, created_at, created_by, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?6)
                     ON CONFLICT DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    new.username,
                    new.display_name,
                    new.role.code(),
                    new.password_hash,
                    new.totp_sealed,
                    ts(new.created_at),
                    new.created_by,
                ])
                .map_err(db)?;
            if inserted == 0 {
                return Err(StoreError::Conflict("operator_username_taken"));
            }
            let created = operator_where(tx, tx.last_insert_rowid())?
                .ok_or_else(|| StoreError::corrupt(T, "inserted row not found"))?;
            Ok((created, true))
        })
        .await
    }

    async fn operator(&self, id: i64) -> Result<Option<Operator>, StoreError> {
        self.read(|c| operator_where(c, id))
    }

    async fn operator_by_username(&self, username: &str) -> Result<Option<Operator>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {COLUMNS} FROM operators WHERE username = ?1");
            Ok(collect(c, &sql, [username], operator)?.pop())
        })
    }

    async fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {COLUMNS} FROM operators ORDER BY username");
            collect(c, &sql, [], operator)
        })
    }

    async fn update_operator(
        &self,
        id: i64,
        role: Role,
        active: bool,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<Operator, StoreError> {
        self.audited(audit, move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE operators SET role = ?1, active = ?2, updated_at = ?3
                     WHERE operator_id = ?4",
                )
                .map_err(db)?
                .execute(params![role.code(), active, ts(at), id])
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::Conflict("operator_not_found"));
            }
            if !active {
                tx.prepare_cached(
                    "UPDATE operator_sessions SET ended_at = ?1
                     WHERE operator_id = ?2 AND ended_at IS NULL",
                )
                .map_err(db)?
                .execute(params![ts(at), id])
                .map_err(db)?;
            }
            let updated = operator_where(tx, id)?
                .ok_or_else(|| StoreError::corrupt(T, "updated row not found"))?;
            Ok((updated, true))
        })
        .await
    }

    async fn use_operator_totp_step(&self, id: i64, step: i64) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE operators SET totp_last_step = ?1
                     WHERE operator_id = ?2 AND (totp_last_step IS NULL OR totp_last_step < ?1)",
                )
                .map_err(db)?
                .execute(params![step, id])
                .map_err(db)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn create_operator_session(
        &self,
        id_hash: &[u8; 32],
        operator_id: i64,
        at: OffsetDateTime,
        origin: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let (id_hash, origin) = (*id_hash, origin.to_owned());
        self.audited(audit, move |tx| {
            tx.prepare_cached(
                "INSERT INTO operator_sessions (id_hash, operator_id, created_at, last_seen_at,
                     origin)
                 VALUES (?1, ?2, ?3, ?3, ?4)",
            )
            .map_err(db)?
            .execute(params![&id_hash[..], operator_id, ts(at), origin])
            .map_err(db)?;
            Ok(((), true))
        })
        .await
    }

    async fn operator_session(
        &self,
        id_hash: &[u8; 32],
        idle_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<OperatorSession>, StoreError> {
        let id_hash = *id_hash;
        let found = self.read(|c| {
            let columns = COLUMNS
                .split(", ")
                .map(|col| format!("o.{}", col.trim()))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT {columns}, s.created_at, s.last_seen_at
                 FROM operator_sessions s JOIN operators o ON o.operator_id = s.operator_id
                 WHERE s.id_hash = ?1 AND s.ended_at IS NULL AND o.active = 1
                   AND s.last_seen_at > ?2"
            );
            c.prepare_cached(&sql)
                .map_err(db)?
                .query_row(params![&id_hash[..], ts(idle_since)], |r| {
                    Ok(operator(r).and_then(|o| {
                        Ok(OperatorSession {
                            operator: o,
                            created_at: get_ts(r, 10, "operator_sessions")?,
                            last_seen_at: get_ts(r, 11, "operator_sessions")?,
                        })
                    }))
                })
                .optional()
                .map_err(db)?
                .transpose()
        })?;
        if found.is_some() {
            self.write(move |conn| {
                conn.prepare_cached(
                    "UPDATE operator_sessions SET last_seen_at = ?1 WHERE id_hash = ?2",
                )
                .map_err(db)?
                .execute(params![ts(now), &id_hash[..]])
                .map_err(db)?;
                Ok(())
            })
            .await?;
        }
        Ok(found)
    }

    async fn end_operator_session(
        &self,
        id_hash: &[u8; 32],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let id_hash = *id_hash;
        self.audited(audit, move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE operator_sessions SET ended_at = ?1
                     WHERE id_hash = ?2 AND ended_at IS NULL",
                )
                .map_err(db)?
                .execute(params![ts(at), &id_hash[..]])
                .map_err(db)?;
            Ok(((), changed == 1))
        })
        .await
    }

    async fn assign_request(
        &self,
        member: MemberId,
        folio: &Folio,
        operator: Option<i64>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let folio = folio.clone();
        self.audited(audit, move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE requests SET assigned_to = ?1 WHERE member_id = ?2 AND folio = ?3",
                )
                .map_err(db)?
                .execute(params![operator, member.0, folio.as_str()])
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::Conflict("request_not_found"));
            }
            Ok(((), true))
        })
        .await
    }

    async fn members_by_name(
        &self,
        first_surname: &str,
        second_surname: Option<&str>,
        given: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Member>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {MEMBER_COLUMNS} FROM members
                 WHERE first_surname = ?1 AND (?2 IS NULL OR second_surname = ?2)
                   AND (?3 IS NULL OR substr(given_names, 1, length(?3)) = ?3)
                 ORDER BY first_surname, second_surname, given_names, member_id
                 LIMIT ?4"
            );
            collect(
                c,
                &sql,
                params![first_surname, second_surname, given, limit],
                crate::rows::member,
            )
        })
    }

    async fn request_assignee(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Option<i64>, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT assigned_to FROM requests WHERE member_id = ?1 AND folio = ?2")
                .map_err(db)?
                .query_row(params![member.0, folio.as_str()], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .optional()
                .map_err(db)
                .map(Option::flatten)
        })
    }
}
