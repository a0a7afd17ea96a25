//! Relief grants on SQLite: each grant, and the movements it posts on its credit.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::credit::relief::{Effect, Family, ReliefGrant};
use domain::dates::{iso, parse_iso};
use domain::money::Money;
use domain::registry::{CreditMovement, CreditNumber, MemberId};
use rusqlite::{Row, Transaction, params};
use store::{ImportKind, LedgerPosting, NewMessage, ReliefRepo, StoreError};

use crate::stamp::{collect, get, ts};
use crate::{SqliteStore, db, outbox};

const T: &str = "relief_grants";

fn grant(r: &Row) -> Result<ReliefGrant, StoreError> {
    let date = |i| -> Result<time::Date, StoreError> {
        parse_iso(&get::<String>(r, i, T)?).map_err(|e| StoreError::corrupt(T, e))
    };
    let family: String = get(r, 4, T)?;
    let effect: String = get(r, 5, T)?;
    Ok(ReliefGrant {
        member_id: MemberId(get(r, 0, T)?),
        credit_number: CreditNumber::parse(&get::<String>(r, 1, T)?)
            .map_err(|e| StoreError::corrupt(T, e))?,
        start: date(2)?,
        programme: get(r, 3, T)?,
        family: Family::from_code(&family).ok_or_else(|| StoreError::corrupt(T, "bad family"))?,
        effect: Effect::from_code(&effect).ok_or_else(|| StoreError::corrupt(T, "bad effect"))?,
        months: get(r, 6, T)?,
        renewal: get(r, 7, T)?,
        suspends_discount: get(r, 8, T)?,
        decided_on: date(9)?,
        balance: Money::from_centavos(get(r, 10, T)?),
        instalment: Money::from_centavos(get(r, 11, T)?),
    })
}

/// When the grant was recorded: its audit row's instant.
pub(crate) fn recorded_at(grant: &ReliefGrant, audit: &[AuditEntry]) -> time::OffsetDateTime {
    audit
        .first()
        .map_or_else(|| grant.decided_on.midnight().assume_utc(), |e| e.at)
}

/// What the posting of a grant is recorded under in `import_batches`: one per grant.
pub(crate) fn posting_key(grant: &ReliefGrant) -> String {
    format!(
        "relief:{}:{}:{}",
        grant.member_id.0,
        grant.credit_number.as_str(),
        iso(grant.start)
    )
}

fn insert(
    tx: &Transaction,
    grant: &ReliefGrant,
    movements: &[CreditMovement],
    at: time::OffsetDateTime,
) -> Result<(), StoreError> {
    let taken = StoreError::Conflict("relief_already_granted");
    let owned = tx
        .prepare_cached("SELECT 1 FROM credits WHERE member_id = ?1 AND credit_number = ?2")
        .map_err(db)?
        .exists(params![grant.member_id.0, grant.credit_number.as_str()])
        .map_err(db)?;
    if !owned {
        return Err(StoreError::Conflict("credit_not_found"));
    }
    let added = tx
        .prepare_cached(
            "INSERT INTO relief_grants (member_id, credit_number, start_on, programme, family,
                 effect, months, renewal, suspends_discount, decided_on, balance, instalment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
        )
        .map_err(db)?
        .execute(params![
            grant.member_id.0,
            grant.credit_number.as_str(),
            iso(grant.start),
            grant.programme,
            grant.family.code(),
            grant.effect.code(),
            grant.months,
            grant.renewal,
            grant.suspends_discount,
            iso(grant.decided_on),
            grant.balance.centavos(),
            grant.instalment.centavos(),
        ])
        .map_err(db)?;
    if added == 0 {
        return Err(taken);
    }
    let posting = LedgerPosting {
        key: posting_key(grant),
        movements: Vec::new(),
    };
    let now = ts(at);
    let batch = tx
        .prepare_cached(
            "INSERT INTO import_batches
                 (kind, sha256, file_name, started_at, finished_at, accepted)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT DO NOTHING",
        )
        .map_err(db)?
        .execute(params![
            ImportKind::ReliefPosting.code(),
            posting.identity(),
            posting.key,
            now,
            movements.len() as i64,
        ])
        .map_err(db)?;
    if batch == 0 {
        return Err(StoreError::Conflict("relief_already_granted"));
    }
    let batch_id = tx.last_insert_rowid();
    let mut delta = 0i64;
    for m in movements {
        if m.member_id != grant.member_id || m.credit_number != grant.credit_number {
            return Err(StoreError::Conflict("credit_not_found"));
        }
        let added = tx
            .prepare_cached(
                "INSERT INTO credit_movements
                     (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?
            .execute(params![
                m.member_id.0,
                m.credit_number.as_str(),
                m.reference,
                m.kind.code(),
                iso(m.booked_on),
                m.amount.centavos(),
                batch_id,
            ])
            .map_err(db)?;
        if added == 0 {
            return Err(StoreError::Conflict("relief_already_granted"));
        }
        delta += m.amount.centavos();
    }
    tx.prepare_cached(
        "UPDATE credits SET balance = balance + ?3 WHERE member_id = ?1 AND credit_number = ?2",
    )
    .map_err(db)?
    .execute(params![
        grant.member_id.0,
        grant.credit_number.as_str(),
        delta
    ])
    .map_err(db)?;
    Ok(())
}

#[async_trait]
impl ReliefRepo for SqliteStore {
    async fn relief_grants(
        &self,
        member: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<ReliefGrant>, StoreError> {
        let credit = credit.as_str().to_owned();
        self.read(move |c| {
            collect(
                c,
                "SELECT member_id, credit_number, start_on, programme, family, effect, months,
                        renewal, suspends_discount, decided_on, balance, instalment
                 FROM relief_grants WHERE member_id = ?1 AND credit_number = ?2
                 ORDER BY start_on",
                params![member.0, credit],
                grant,
            )
        })
    }

    async fn grant_relief(
        &self,
        grant: &ReliefGrant,
        movements: &[CreditMovement],
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError> {
        let (grant, movements, notify) = (grant.clone(), movements.to_vec(), notify.to_vec());
        let at = recorded_at(&grant, audit);
        self.audited(audit, move |tx| {
            insert(tx, &grant, &movements, at)?;
            for message in &notify {
                outbox::insert(tx, message)?;
            }
            Ok(((), true))
        })
        .await
    }
}
