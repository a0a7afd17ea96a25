//! Relief grants on PostgreSQL: each grant, and the movements it posts on its credit.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use domain::credit::relief::{Effect, Family, ReliefGrant};
use domain::money::Money;
use domain::registry::{CreditMovement, CreditNumber, MemberId};
use store::{ImportKind, LedgerPosting, NewMessage, ReliefRepo, StoreError, stored_instant};
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;
use crate::outbox;

const T: &str = "relief_grants";

fn grant(r: &Row) -> Result<ReliefGrant, StoreError> {
    let months: i32 = get(r, 6, T)?;
    Ok(ReliefGrant {
        member_id: MemberId(get(r, 0, T)?),
        credit_number: CreditNumber::parse(get::<&str>(r, 1, T)?)
            .map_err(|e| StoreError::corrupt(T, e))?,
        start: get(r, 2, T)?,
        programme: get(r, 3, T)?,
        family: Family::from_code(get(r, 4, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad family"))?,
        effect: Effect::from_code(get(r, 5, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad effect"))?,
        months: u32::try_from(months).map_err(|e| StoreError::corrupt(T, e))?,
        renewal: get(r, 7, T)?,
        suspends_discount: get(r, 8, T)?,
        decided_on: get(r, 9, T)?,
        balance: Money::from_centavos(get(r, 10, T)?),
        instalment: Money::from_centavos(get(r, 11, T)?),
    })
}

async fn insert(
    tx: &Transaction<'_>,
    grant: &ReliefGrant,
    movements: &[CreditMovement],
    at: time::OffsetDateTime,
) -> Result<(), StoreError> {
    let taken = || StoreError::Conflict("relief_already_granted");
    let owned = query(
        tx,
        "SELECT 1 FROM credits WHERE member_id = $1 AND credit_number = $2",
        &[&grant.member_id.0, &grant.credit_number.as_str()],
    )
    .await?;
    if owned.is_empty() {
        return Err(StoreError::Conflict("credit_not_found"));
    }
    let months = i32::try_from(grant.months).map_err(|_| StoreError::Conflict("relief_months"))?;
    let added = exec(
        tx,
        "INSERT INTO relief_grants (member_id, credit_number, start_on, programme, family,
             effect, months, renewal, suspends_discount, decided_on, balance, instalment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        &[
            &grant.member_id.0,
            &grant.credit_number.as_str(),
            &grant.start,
            &grant.programme,
            &grant.family.code(),
            &grant.effect.code(),
            &months,
            &grant.renewal,
            &grant.suspends_discount,
            &grant.decided_on,
            &grant.balance.centavos(),
            &grant.instalment.centavos(),
        ],
    )
    .await?;
    if added == 0 {
        return Err(taken());
    }
    let posting = LedgerPosting {
        key: format!(
            "relief:{}:{}:{}",
            grant.member_id.0,
            grant.credit_number.as_str(),
            domain::dates::iso(grant.start)
        ),
        movements: Vec::new(),
    };
    let at = stored_instant(at);
    let batch = query(
        tx,
        "INSERT INTO import_batches (kind, sha256, file_name, started_at, finished_at, accepted)
         VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING RETURNING batch_id",
        &[
            &ImportKind::ReliefPosting.code(),
            &posting.identity(),
            &posting.key,
            &at,
            &(movements.len() as i64),
        ],
    )
    .await?;
    let Some(batch) = batch.first() else {
        return Err(taken());
    };
    let batch_id: i64 = get(batch, 0, "import_batches")?;
    let mut delta = 0i64;
    for m in movements {
        if m.member_id != grant.member_id || m.credit_number != grant.credit_number {
            return Err(StoreError::Conflict("credit_not_found"));
        }
        let added = exec(
            tx,
            "INSERT INTO credit_movements
                 (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[
                &m.member_id.0,
                &m.credit_number.as_str(),
                &m.reference,
                &m.kind.code(),
                &m.booked_on,
                &m.amount.centavos(),
                &batch_id,
            ],
        )
        .await?;
        if added == 0 {
            return Err(taken());
        }
        delta += m.amount.centavos();
    }
    exec(
        tx,
        "UPDATE credits SET balance = balance + $3 WHERE member_id = $1 AND credit_number = $2",
        &[&grant.member_id.0, &grant.credit_number.as_str(), &delta],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl ReliefRepo for PgStore {
    async fn relief_grants(
        &self,
        member: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<ReliefGrant>, StoreError> {
        self.fetch(
            "SELECT member_id, credit_number, start_on, programme, family, effect, months,
                    renewal, suspends_discount, decided_on, balance, instalment
             FROM relief_grants WHERE member_id = $1 AND credit_number = $2
             ORDER BY start_on",
            &[&member.0, &credit.as_str()],
        )
        .await?
        .iter()
        .map(grant)
        .collect()
    }

    async fn grant_relief(
        &self,
        grant: &ReliefGrant,
        movements: &[CreditMovement],
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError> {
        let at = audit
            .first()
            .map_or_else(|| grant.decided_on.midnight().assume_utc(), |e| e.at);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        insert(&tx, grant, movements, at).await?;
        for message in notify {
            outbox::insert(&tx, message).await?;
        }
        commit(tx, audit, true).await
    }
}
