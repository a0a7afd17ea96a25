//! Operators, their sessions and request assignment on PostgreSQL.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::operators::Role;
use domain::registry::{Member, MemberId};
use domain::requests::Folio;
use store::{NewOperator, Operator, OperatorRepo, OperatorSession, StoreError, stored_instant};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;
use crate::rows::MEMBER_COLUMNS;

const T: &str = "operators";

const COLUMNS: &str = "operator_id, username, display_name, role, password_hash, totp_sealed, \
     totp_last_step, active, created_at, created_by";

fn operator(r: &Row) -> Result<Operator, StoreError> {
    let role: &str = get(r, 3, T)?;
    Ok(Operator {
        operator_id: get(r, 0, T)?,
        username: get(r, 1, T)?,
        display_name: get(r, 2, T)?,
        role: Role::from_code(role).ok_or_else(|| StoreError::corrupt(T, "bad role"))?,
        password_hash: get(r, 4, T)?,
        totp_sealed: get(r, 5, T)?,
        totp_last_step: get(r, 6, T)?,
        active: get(r, 7, T)?,
        created_at: get(r, 8, T)?,
        created_by: get(r, 9, T)?,
    })
}

#[async_trait]
impl OperatorRepo for PgStore {
    async fn create_operator(
        &self,
        new: &NewOperator,
        audit: &[AuditEntry],
    ) -> Result<Operator, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let sql = format!(
            "INSERT INTO operators (username, display_name, role, password_hash, totp_sealed,
                 active, created_at, created_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, true, $6, $7, $6)
             ON CONFLICT DO NOTHING
             RETURNING {COLUMNS}"
        );
        let rows = query(
            &tx,
            &sql,
            &[
                &new.username,
                &new.display_name,
                &new.role.code(),
                &new.password_hash,
                &new.totp_sealed,
                &stored_instant(new.created_at),
                &new.created_by,
            ],
        )
        .await?;
        let Some(row) = rows.first() else {
            return Err(StoreError::Conflict("operator_username_taken"));
        };
        let created = operator(row)?;
        commit(tx, audit, true).await?;
        Ok(created)
    }

    async fn operator(&self, id: i64) -> Result<Option<Operator>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM operators WHERE operator_id = $1");
        let rows = self.fetch(&sql, &[&id]).await?;
        rows.first().map(operator).transpose()
    }

    async fn operator_by_username(&self, username: &str) -> Result<Option<Operator>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM operators WHERE username = $1");
        let rows = self.fetch(&sql, &[&username]).await?;
        rows.first().map(operator).transpose()
    }

    async fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM operators ORDER BY username");
        let rows = self.fetch(&sql, &[]).await?;
        rows.iter().map(operator).collect()
    }

    async fn update_operator(
        &self,
        id: i64,
        role: Role,
        active: bool,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<Operator, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let at = stored_instant(at);
        let sql = format!(
            "UPDATE operators SET role = $1, active = $2, updated_at = $3
             WHERE operator_id = $4
             RETURNING {COLUMNS}"
        );
        let rows = query(&tx, &sql, &[&role.code(), &active, &at, &id]).await?;
        let Some(row) = rows.first() else {
            return Err(StoreError::Conflict("operator_not_found"));
        };
        let updated = operator(row)?;
        if !active {
            exec(
                &tx,
                "UPDATE operator_sessions SET ended_at = $1
                 WHERE operator_id = $2 AND ended_at IS NULL",
                &[&at, &id],
            )
            .await?;
        }
        commit(tx, audit, true).await?;
        Ok(updated)
    }

    async fn use_operator_totp_step(&self, id: i64, step: i64) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "UPDATE operators SET totp_last_step = $1
                 WHERE operator_id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .await
            .map_err(db)?;
        let changed = client.execute(&stmt, &[&step, &id]).await.map_err(db)?;
        Ok(changed == 1)
    }

    async fn create_operator_session(
        &self,
        id_hash: &[u8; 32],
        operator_id: i64,
        at: OffsetDateTime,
        origin: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        exec(
            &tx,
            "INSERT INTO operator_sessions (id_hash, operator_id, created_at, last_seen_at,
                 origin)
             VALUES ($1, $2, $3, $3, $4)",
            &[&&id_hash[..], &operator_id, &stored_instant(at), &origin],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn operator_session(
        &self,
        id_hash: &[u8; 32],
        idle_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<OperatorSession>, StoreError> {
        let columns = COLUMNS
            .split(", ")
            .map(|col| format!("o.{}", col.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        // One statement: marks the session seen and reads it with its operator.
        let sql = format!(
            "WITH seen AS (
                 UPDATE operator_sessions s SET last_seen_at = $3
                 FROM operators o
                 WHERE s.id_hash = $1 AND s.ended_at IS NULL AND s.last_seen_at > $2
                   AND o.operator_id = s.operator_id AND o.active
                 RETURNING s.operator_id, s.created_at, s.last_seen_at AS previous
             )
             SELECT {columns}, seen.created_at, seen.previous
             FROM seen JOIN operators o ON o.operator_id = seen.operator_id"
        );
        let rows = self
            .fetch(
                &sql,
                &[
                    &&id_hash[..],
                    &stored_instant(idle_since),
                    &stored_instant(now),
                ],
            )
            .await?;
        rows.first()
            .map(|r| {
                Ok(OperatorSession {
                    operator: operator(r)?,
                    created_at: get(r, 10, "operator_sessions")?,
                    last_seen_at: get(r, 11, "operator_sessions")?,
                })
            })
            .transpose()
    }

    async fn end_operator_session(
        &self,
        id_hash: &[u8; 32],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let changed = exec(
            &tx,
            "UPDATE operator_sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL",
            &[&stored_instant(at), &&id_hash[..]],
        )
        .await?;
        commit(tx, audit, changed == 1).await
    }

    async fn assign_request(
        &self,
        member: MemberId,
        folio: &Folio,
        operator: Option<i64>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let changed = exec(
            &tx,
            "UPDATE requests SET assigned_to = $1 WHERE member_id = $2 AND folio = $3",
            &[&operator, &member.0, &folio.as_str()],
        )
        .await?;
        if changed == 0 {
            return Err(StoreError::Conflict("request_not_found"));
        }
        commit(tx, audit, true).await
    }

    async fn members_by_name(
        &self,
        first_surname: &str,
        second_surname: Option<&str>,
        given: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Member>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM members
             WHERE first_surname = $1 AND ($2::text IS NULL OR second_surname = $2)
               AND ($3::text IS NULL OR starts_with(given_names, $3))
             ORDER BY first_surname, second_surname, given_names, member_id
             LIMIT $4"
        );
        let rows = self
            .fetch(
                &sql,
                &[&first_surname, &second_surname, &given, &i64::from(limit)],
            )
            .await?;
        rows.iter().map(crate::rows::member).collect()
    }

    async fn request_assignee(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Option<i64>, StoreError> {
        let rows = self
            .fetch(
                "SELECT assigned_to FROM requests WHERE member_id = $1 AND folio = $2",
                &[&member.0, &folio.as_str()],
            )
            .await?;
        rows.first()
            .map(|r| get::<Option<i64>>(r, 0, "requests"))
            .transpose()
            .map(Option::flatten)
    }
}
