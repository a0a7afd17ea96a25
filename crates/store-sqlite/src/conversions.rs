//! Credit conversions on SQLite. The one writer makes the transaction exclusive; the key of
//! `credit_conversions` is what refuses a second conversion of a credit.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::credit::conversion::{DISCOUNT_REFERENCE, Offer};
use domain::dates::iso;
use domain::registry::{CreditMovementKind, CreditNumber, Denomination, MemberId};
use rusqlite::{OptionalExtension, Row, params};
use store::{ConversionRepo, CreditConversion, ImportKind, NewMessage, StoreError};

use crate::stamp::{get, get_ts, ts};
use crate::{SqliteStore, db, outbox};

const T: &str = "credit_conversions";

fn conversion(r: &Row) -> Result<CreditConversion, StoreError> {
    let channel: String = get(r, 3, T)?;
    let offer: String = get(r, 4, T)?;
    let offer: Offer = serde_json::from_str(&offer).map_err(|e| StoreError::corrupt(T, e))?;
    Ok(CreditConversion {
        member_id: MemberId(get(r, 0, T)?),
        credit_number: CreditNumber::parse(&get::<String>(r, 1, T)?)
            .map_err(|e| StoreError::corrupt(T, e))?,
        converted_at: get_ts(r, 2, T)?,
        channel: Channel::from_code(&channel).ok_or_else(|| StoreError::corrupt(T, "channel"))?,
        offer,
    })
}

fn convert_in(
    tx: &rusqlite::Transaction,
    c: &CreditConversion,
    notify: &[NewMessage],
) -> Result<(), StoreError> {
    let already = || StoreError::Conflict("already_converted");
    let changed = || StoreError::Conflict("credit_changed");
    let (member, number) = (c.member_id.0, c.credit_number.as_str());
    let offer = &c.offer;
    let credit: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT denomination, status FROM credits WHERE member_id = ?1 AND credit_number = ?2",
        )
        .map_err(db)?
        .query_row(params![member, number], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db)?;
    let Some((denomination, status)) = credit else {
        return Err(StoreError::Conflict("credit_not_found"));
    };
    let done: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM credit_conversions
                            WHERE member_id = ?1 AND credit_number = ?2)",
        )
        .map_err(db)?
        .query_row(params![member, number], |r| r.get(0))
        .map_err(db)?;
    if done {
        return Err(already());
    }
    if denomination != Denomination::Vsm.code() || status != "active" {
        return Err(changed());
    }
    let owed: i64 = tx
        .prepare_cached(
            "SELECT COALESCE(SUM(amount), 0) FROM credit_movements
             WHERE member_id = ?1 AND credit_number = ?2 AND booked_on <= ?3",
        )
        .map_err(db)?
        .query_row(params![member, number, iso(offer.as_of)], |r| r.get(0))
        .map_err(db)?;
    if owed != offer.balance.centavos() {
        return Err(changed());
    }
    let at = ts(c.converted_at);
    let batch = tx
        .prepare_cached(
            "INSERT INTO import_batches
                 (kind, sha256, file_name, started_at, finished_at, accepted)
             VALUES (?1, ?2, ?3, ?4, ?4, 1) ON CONFLICT DO NOTHING",
        )
        .map_err(db)?
        .execute(params![
            ImportKind::CreditConversion.code(),
            c.identity(),
            c.key(),
            at
        ])
        .map_err(db)?;
    if batch == 0 {
        return Err(already());
    }
    let batch_id = tx.last_insert_rowid();
    let offer_json = serde_json::to_string(offer).map_err(|e| StoreError::corrupt(T, e))?;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO credit_conversions
                 (member_id, credit_number, converted_at, channel, as_of, balance_before,
                  discount, new_balance, rate, monthly_payment, ends_on, offer, batch_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT DO NOTHING",
        )
        .map_err(db)?
        .execute(params![
            member,
            number,
            at,
            c.channel.code(),
            iso(offer.as_of),
            offer.balance.centavos(),
            offer.discount.centavos(),
            offer.new_balance.centavos(),
            offer.rate.to_string(),
            offer.monthly_payment.centavos(),
            iso(offer.ends_on),
            offer_json,
            batch_id,
        ])
        .map_err(db)?;
    if inserted == 0 {
        return Err(already());
    }
    if offer.discount.centavos() > 0 {
        let booked = tx
            .prepare_cached(
                "INSERT INTO credit_movements
                     (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?
            .execute(params![
                member,
                number,
                DISCOUNT_REFERENCE,
                CreditMovementKind::Discount.code(),
                iso(offer.as_of),
                -offer.discount.centavos(),
                batch_id,
            ])
            .map_err(db)?;
        if booked == 0 {
            return Err(already());
        }
    }
    tx.prepare_cached(
        "UPDATE credits SET denomination = ?3, rate = ?4, balance = balance - ?5
         WHERE member_id = ?1 AND credit_number = ?2",
    )
    .map_err(db)?
    .execute(params![
        member,
        number,
        Denomination::Pesos.code(),
        offer.rate.to_string(),
        offer.discount.centavos(),
    ])
    .map_err(db)?;
    // The fixed payment is the discount in force from the day of the conversion; a change
    // recorded for that same day gives way to it.
    tx.prepare_cached(
        "INSERT INTO credit_discounts
             (member_id, credit_number, valid_from, kind, value, reason, batch_id)
         VALUES (?1, ?2, ?3, 'fixed_pesos', ?4, 'conversion', ?5)
         ON CONFLICT (member_id, credit_number, valid_from) DO UPDATE SET
             kind = excluded.kind, value = excluded.value, reason = excluded.reason,
             batch_id = excluded.batch_id",
    )
    .map_err(db)?
    .execute(params![
        member,
        number,
        iso(offer.as_of),
        offer.monthly_payment.to_decimal().to_string(),
        batch_id,
    ])
    .map_err(db)?;
    for message in notify {
        outbox::insert(tx, message)?;
    }
    Ok(())
}

#[async_trait]
impl ConversionRepo for SqliteStore {
    async fn convert_credit(
        &self,
        conversion: &CreditConversion,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError> {
        let (conversion, notify) = (conversion.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            convert_in(tx, &conversion, &notify)?;
            Ok(((), true))
        })
        .await
    }

    async fn credit_conversion(
        &self,
        member: MemberId,
        credit: &CreditNumber,
    ) -> Result<Option<CreditConversion>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT member_id, credit_number, converted_at, channel, offer
                 FROM credit_conversions WHERE member_id = ?1 AND credit_number = ?2",
            )
            .map_err(db)?
            .query_row(params![member.0, credit.as_str()], |r| Ok(conversion(r)))
            .optional()
            .map_err(db)?
            .transpose()
        })
    }
}
