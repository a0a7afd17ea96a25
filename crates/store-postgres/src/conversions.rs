//! Credit conversions on PostgreSQL. The credit's row is locked first, so a second conversion
//! of the same credit waits for the first and then finds it done; the key of
//! `credit_conversions` refuses it in any case.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::{AuditEntry, Channel};
use domain::credit::conversion::{DISCOUNT_REFERENCE, Offer};
use domain::registry::{CreditMovementKind, CreditNumber, Denomination, MemberId};
use store::{ConversionRepo, CreditConversion, ImportKind, NewMessage, StoreError, stored_instant};
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;
use crate::outbox;

const T: &str = "credit_conversions";

fn conversion(r: &Row) -> Result<CreditConversion, StoreError> {
    let number: String = get(r, 1, T)?;
    let channel: String = get(r, 3, T)?;
    let offer: String = get(r, 4, T)?;
    let offer: Offer = serde_json::from_str(&offer).map_err(|e| StoreError::corrupt(T, e))?;
    Ok(CreditConversion {
        member_id: MemberId(get(r, 0, T)?),
        credit_number: CreditNumber::parse(&number).map_err(|e| StoreError::corrupt(T, e))?,
        converted_at: get(r, 2, T)?,
        channel: Channel::from_code(&channel).ok_or_else(|| StoreError::corrupt(T, "channel"))?,
        offer,
    })
}

async fn convert_in(
    tx: &Transaction<'_>,
    c: &CreditConversion,
    notify: &[NewMessage],
) -> Result<(), StoreError> {
    let already = || StoreError::Conflict("already_converted");
    let changed = || StoreError::Conflict("credit_changed");
    let (member, number) = (&c.member_id.0, &c.credit_number.as_str());
    let offer = &c.offer;
    let credit = query(
        tx,
        "SELECT denomination, status FROM credits
         WHERE member_id = $1 AND credit_number = $2 FOR UPDATE",
        &[member, number],
    )
    .await?;
    let Some(credit) = credit.first() else {
        return Err(StoreError::Conflict("credit_not_found"));
    };
    let denomination: String = get(credit, 0, "credits")?;
    let status: String = get(credit, 1, "credits")?;
    let done = query(
        tx,
        "SELECT 1 FROM credit_conversions WHERE member_id = $1 AND credit_number = $2",
        &[member, number],
    )
    .await?;
    if !done.is_empty() {
        return Err(already());
    }
    if denomination != Denomination::Vsm.code() || status != "active" {
        return Err(changed());
    }
    let owed = query(
        tx,
        "SELECT COALESCE(SUM(amount), 0)::bigint FROM credit_movements
         WHERE member_id = $1 AND credit_number = $2 AND booked_on <= $3",
        &[member, number, &offer.as_of],
    )
    .await?;
    let owed: i64 = match owed.first() {
        Some(row) => get(row, 0, "credit_movements")?,
        None => 0,
    };
    if owed != offer.balance.centavos() {
        return Err(changed());
    }
    let at = stored_instant(c.converted_at);
    let batch = query(
        tx,
        "INSERT INTO import_batches (kind, sha256, file_name, started_at, finished_at, accepted)
         VALUES ($1, $2, $3, $4, $4, 1) ON CONFLICT DO NOTHING RETURNING batch_id",
        &[
            &ImportKind::CreditConversion.code(),
            &c.identity(),
            &c.key(),
            &at,
        ],
    )
    .await?;
    let Some(batch) = batch.first() else {
        return Err(already());
    };
    let batch_id: i64 = get(batch, 0, "import_batches")?;
    let offer_json = serde_json::to_string(offer).map_err(|e| StoreError::corrupt(T, e))?;
    let inserted = exec(
        tx,
        "INSERT INTO credit_conversions
             (member_id, credit_number, converted_at, channel, as_of, balance_before, discount,
              new_balance, rate, monthly_payment, ends_on, offer, batch_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT DO NOTHING",
        &[
            member,
            number,
            &at,
            &c.channel.code(),
            &offer.as_of,
            &offer.balance.centavos(),
            &offer.discount.centavos(),
            &offer.new_balance.centavos(),
            &offer.rate,
            &offer.monthly_payment.centavos(),
            &offer.ends_on,
            &offer_json,
            &batch_id,
        ],
    )
    .await?;
    if inserted == 0 {
        return Err(already());
    }
    if offer.discount.centavos() > 0 {
        let booked = exec(
            tx,
            "INSERT INTO credit_movements
                 (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[
                member,
                number,
                &DISCOUNT_REFERENCE,
                &CreditMovementKind::Discount.code(),
                &offer.as_of,
                &(-offer.discount.centavos()),
                &batch_id,
            ],
        )
        .await?;
        if booked == 0 {
            return Err(already());
        }
    }
    exec(
        tx,
        "UPDATE credits SET denomination = $3, rate = $4, balance = balance - $5
         WHERE member_id = $1 AND credit_number = $2",
        &[
            member,
            number,
            &Denomination::Pesos.code(),
            &offer.rate,
            &offer.discount.centavos(),
        ],
    )
    .await?;
    // The fixed payment is the discount in force from the day of the conversion; a change
    // recorded for that same day gives way to it.
    exec(
        tx,
        "INSERT INTO credit_discounts
             (member_id, credit_number, valid_from, kind, value, reason, batch_id)
         VALUES ($1, $2, $3, 'fixed_pesos', $4, 'conversion', $5)
         ON CONFLICT (member_id, credit_number, valid_from) DO UPDATE SET
             kind = excluded.kind, value = excluded.value, reason = excluded.reason,
             batch_id = excluded.batch_id",
        &[
            member,
            number,
            &offer.as_of,
            &offer.monthly_payment.to_decimal(),
            &batch_id,
        ],
    )
    .await?;
    for message in notify {
        outbox::insert(tx, message).await?;
    }
    Ok(())
}

#[async_trait]
impl ConversionRepo for PgStore {
    async fn convert_credit(
        &self,
        conversion: &CreditConversion,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        convert_in(&tx, conversion, notify).await?;
        commit(tx, audit, true).await
    }

    async fn credit_conversion(
        &self,
        member: MemberId,
        credit: &CreditNumber,
    ) -> Result<Option<CreditConversion>, StoreError> {
        self.fetch(
            "SELECT member_id, credit_number, converted_at, channel, offer
             FROM credit_conversions WHERE member_id = $1 AND credit_number = $2",
            &[&member.0, &credit.as_str()],
        )
        .await?
        .first()
        .map(conversion)
        .transpose()
    }
}
