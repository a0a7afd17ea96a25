//! Appointments on PostgreSQL, at READ COMMITTED. What keeps concurrent bookings correct:
//!
//! - taking a place is one `INSERT … ON CONFLICT DO UPDATE … WHERE booked < capacity`: writers
//!   of one slot queue on its row lock and each re-checks `booked < capacity` against the count
//!   the one before it committed, so exactly `capacity` of them succeed;
//! - the hold row (member, procedure) is inserted, or taken over only when its day has passed,
//!   by the same kind of statement, so two bookings of one procedure by one member queue on it
//!   and the second finds it taken;
//! - locks are taken in one order — the hold, the appointment row, the slot rows by key — so a
//!   move and a booking never wait on each other in a circle.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::appointments::{AppointmentFolio, OfficeCode, Procedure, Slot};
use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use store::{
    Appointment, AppointmentChange, AppointmentRepo, AppointmentStatus, NewAppointment, NewMessage,
    SlotClaim, StoreError, stored_instant,
};
use time::{Date, OffsetDateTime};
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;
use crate::outbox;

const T: &str = "appointments";

const COLUMNS: &str = "member_id, folio, procedure, office, day, minute, status, channel, \
     created_by, created_at, updated_at, version, reminded_at";

fn corrupt(reason: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(T, reason)
}

fn slot(day: Date, minute: i16) -> Result<Slot, StoreError> {
    Slot::new(day, u16::try_from(minute).map_err(corrupt)?).ok_or_else(|| corrupt("bad minute"))
}

fn minute(slot: Slot) -> i16 {
    // Slots start before minute 1440, which fits.
    i16::try_from(slot.minute).unwrap_or(i16::MAX)
}

fn appointment(r: &Row) -> Result<Appointment, StoreError> {
    Ok(Appointment {
        member_id: MemberId(get(r, 0, T)?),
        folio: AppointmentFolio::parse(get(r, 1, T)?).map_err(corrupt)?,
        procedure: Procedure::from_code(get(r, 2, T)?).ok_or_else(|| corrupt("bad procedure"))?,
        office: OfficeCode::parse(get(r, 3, T)?).ok_or_else(|| corrupt("bad office"))?,
        slot: slot(get(r, 4, T)?, get(r, 5, T)?)?,
        status: AppointmentStatus::from_code(get(r, 6, T)?).ok_or_else(|| corrupt("bad status"))?,
        channel: Channel::from_code(get(r, 7, T)?).ok_or_else(|| corrupt("bad channel"))?,
        created_by: get(r, 8, T)?,
        created_at: get(r, 9, T)?,
        updated_at: get(r, 10, T)?,
        version: u32::try_from(get::<i32>(r, 11, T)?).map_err(corrupt)?,
        reminded_at: get(r, 12, T)?,
    })
}

/// A unique index broken by a write: the member's other appointment at that time.
fn time_conflict(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error().and_then(|d| d.constraint()) {
        Some("appointments_member_time") => StoreError::Conflict("appointment_time_taken"),
        _ => db(e),
    }
}

fn capacity(claim: &SlotClaim) -> Result<i32, StoreError> {
    i32::try_from(claim.capacity).map_err(|e| StoreError::Database(e.to_string()))
}

fn version(v: u32) -> Result<i32, StoreError> {
    i32::try_from(v).map_err(|e| StoreError::Database(e.to_string()))
}

/// Takes one place in the slot if one is left.
async fn take_place(tx: &Transaction<'_>, claim: &SlotClaim) -> Result<(), StoreError> {
    if claim.capacity == 0 {
        return Err(StoreError::Conflict("slot_full"));
    }
    let taken = exec(
        tx,
        "INSERT INTO appointment_slots (office, day, minute, booked) VALUES ($1, $2, $3, 1)
         ON CONFLICT (office, day, minute) DO UPDATE SET booked = appointment_slots.booked + 1
         WHERE appointment_slots.booked < $4",
        &[
            &claim.office.as_str(),
            &claim.slot.day,
            &minute(claim.slot),
            &capacity(claim)?,
        ],
    )
    .await?;
    if taken == 0 {
        return Err(StoreError::Conflict("slot_full"));
    }
    Ok(())
}

/// Gives back the place an appointment held.
async fn give_back(tx: &Transaction<'_>, office: &OfficeCode, at: Slot) -> Result<(), StoreError> {
    let given = exec(
        tx,
        "UPDATE appointment_slots SET booked = booked - 1
         WHERE office = $1 AND day = $2 AND minute = $3 AND booked > 0",
        &[&office.as_str(), &at.day, &minute(at)],
    )
    .await?;
    if given == 0 {
        return Err(StoreError::corrupt(
            "appointment_slots",
            "a booked appointment's slot has no place taken",
        ));
    }
    Ok(())
}

/// The member's appointment, still booked at the version the caller read.
async fn current(
    tx: &Transaction<'_>,
    member: MemberId,
    folio: &AppointmentFolio,
    expected_version: u32,
) -> Result<Appointment, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM appointments WHERE member_id = $1 AND folio = $2");
    let rows = query(tx, &sql, &[&member.0, &folio.as_str()]).await?;
    let found = rows
        .first()
        .map(appointment)
        .transpose()?
        .ok_or(StoreError::Conflict("appointment_not_found"))?;
    if found.status != AppointmentStatus::Booked || found.version != expected_version {
        return Err(StoreError::Conflict("appointment_state_changed"));
    }
    Ok(found)
}

/// Runs `sql` (returning the appointment's columns) and maps a broken time index.
async fn returning(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<Appointment>, StoreError> {
    let stmt = tx.prepare_cached(sql).await.map_err(db)?;
    let rows = tx.query(&stmt, params).await.map_err(time_conflict)?;
    rows.first().map(appointment).transpose()
}

async fn queue_messages(tx: &Transaction<'_>, notify: &[NewMessage]) -> Result<(), StoreError> {
    for message in notify {
        outbox::insert(tx, message).await?;
    }
    Ok(())
}

#[async_trait]
impl AppointmentRepo for PgStore {
    async fn book_appointment(
        &self,
        new: &NewAppointment,
        claim: &SlotClaim,
        today: Date,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let held = exec(
            &tx,
            "INSERT INTO appointment_holds (member_id, procedure, folio, day)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (member_id, procedure) DO UPDATE
                 SET folio = excluded.folio, day = excluded.day
             WHERE appointment_holds.day < $5",
            &[
                &new.member_id.0,
                &new.procedure.code(),
                &new.folio.as_str(),
                &new.slot.day,
                &today,
            ],
        )
        .await?;
        if held == 0 {
            return Err(StoreError::Conflict("appointment_already_booked"));
        }
        take_place(&tx, claim).await?;
        let created_at = stored_instant(new.created_at);
        let stmt = tx
            .prepare_cached(
                "INSERT INTO appointments (member_id, folio, procedure, office, day, minute,
                     status, channel, created_by, created_at, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8, $9, $9, 1)
                 ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(db)?;
        let inserted = tx
            .execute(
                &stmt,
                &[
                    &new.member_id.0,
                    &new.folio.as_str(),
                    &new.procedure.code(),
                    &claim.office.as_str(),
                    &claim.slot.day,
                    &minute(claim.slot),
                    &new.channel.code(),
                    &new.created_by,
                    &created_at,
                ],
            )
            .await
            .map_err(time_conflict)?;
        if inserted == 0 {
            let same_folio = query(
                &tx,
                "SELECT 1 FROM appointments WHERE folio = $1",
                &[&new.folio.as_str()],
            )
            .await?;
            return Err(StoreError::Conflict(if same_folio.is_empty() {
                "appointment_time_taken"
            } else {
                "appointment_folio_taken"
            }));
        }
        queue_messages(&tx, notify).await?;
        commit(tx, audit, true).await?;
        Ok(Appointment {
            member_id: new.member_id,
            folio: new.folio.clone(),
            procedure: new.procedure,
            office: claim.office.clone(),
            slot: claim.slot,
            status: AppointmentStatus::Booked,
            channel: new.channel,
            created_by: new.created_by.clone(),
            created_at,
            updated_at: created_at,
            version: 1,
            reminded_at: None,
        })
    }

    async fn reschedule_appointment(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        change: &AppointmentChange,
        to: &SlotClaim,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let before = current(&tx, member, folio, change.expected_version).await?;
        let held = exec(
            &tx,
            "UPDATE appointment_holds SET day = $1
             WHERE member_id = $2 AND procedure = $3 AND folio = $4",
            &[
                &to.slot.day,
                &member.0,
                &before.procedure.code(),
                &folio.as_str(),
            ],
        )
        .await?;
        if held == 0 {
            return Err(StoreError::Conflict("appointment_state_changed"));
        }
        let sql = format!(
            "UPDATE appointments
             SET office = $1, day = $2, minute = $3, updated_at = $4, version = version + 1,
                 reminded_at = NULL
             WHERE member_id = $5 AND folio = $6 AND status = 'booked' AND version = $7
             RETURNING {COLUMNS}"
        );
        let moved = returning(
            &tx,
            &sql,
            &[
                &to.office.as_str(),
                &to.slot.day,
                &minute(to.slot),
                &stored_instant(change.at),
                &member.0,
                &folio.as_str(),
                &version(change.expected_version)?,
            ],
        )
        .await?
        .ok_or(StoreError::Conflict("appointment_state_changed"))?;
        // Both slot rows in key order; a full new slot rolls everything back, so the old place
        // is never lost.
        let old = (before.office.clone(), before.slot);
        let new = (to.office.clone(), to.slot);
        if old < new {
            give_back(&tx, &before.office, before.slot).await?;
            take_place(&tx, to).await?;
        } else if new < old {
            take_place(&tx, to).await?;
            give_back(&tx, &before.office, before.slot).await?;
        }
        queue_messages(&tx, notify).await?;
        commit(tx, audit, true).await?;
        Ok(moved)
    }

    async fn cancel_appointment(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        change: &AppointmentChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let before = current(&tx, member, folio, change.expected_version).await?;
        exec(
            &tx,
            "DELETE FROM appointment_holds
             WHERE member_id = $1 AND procedure = $2 AND folio = $3",
            &[&member.0, &before.procedure.code(), &folio.as_str()],
        )
        .await?;
        let sql = format!(
            "UPDATE appointments SET status = 'cancelled', updated_at = $1, version = version + 1
             WHERE member_id = $2 AND folio = $3 AND status = 'booked' AND version = $4
             RETURNING {COLUMNS}"
        );
        let cancelled = returning(
            &tx,
            &sql,
            &[
                &stored_instant(change.at),
                &member.0,
                &folio.as_str(),
                &version(change.expected_version)?,
            ],
        )
        .await?
        .ok_or(StoreError::Conflict("appointment_state_changed"))?;
        give_back(&tx, &before.office, before.slot).await?;
        queue_messages(&tx, notify).await?;
        commit(tx, audit, true).await?;
        Ok(cancelled)
    }

    async fn appointment_by_folio(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
    ) -> Result<Option<Appointment>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM appointments WHERE member_id = $1 AND folio = $2");
        let rows = self.fetch(&sql, &[&member.0, &folio.as_str()]).await?;
        rows.first().map(appointment).transpose()
    }

    async fn appointments_of_member(
        &self,
        member: MemberId,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments WHERE member_id = $1
             ORDER BY day DESC, minute DESC, folio"
        );
        let rows = self.fetch(&sql, &[&member.0]).await?;
        rows.iter().map(appointment).collect()
    }

    async fn appointment_folio_owner(
        &self,
        folio: &AppointmentFolio,
    ) -> Result<Option<MemberId>, StoreError> {
        let rows = self
            .fetch(
                "SELECT member_id FROM appointments WHERE folio = $1",
                &[&folio.as_str()],
            )
            .await?;
        rows.first().map(|r| get(r, 0, T).map(MemberId)).transpose()
    }

    async fn slot_bookings(
        &self,
        office: &OfficeCode,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Slot, u32)>, StoreError> {
        let rows = self
            .fetch(
                "SELECT day, minute, booked FROM appointment_slots
                 WHERE office = $1 AND day >= $2 AND day <= $3 AND booked > 0
                 ORDER BY day, minute",
                &[&office.as_str(), &from, &to],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let table = "appointment_slots";
                let booked = u32::try_from(get::<i32>(r, 2, table)?)
                    .map_err(|e| StoreError::corrupt(table, e))?;
                Ok((slot(get(r, 0, table)?, get(r, 1, table)?)?, booked))
            })
            .collect()
    }

    async fn office_appointments(
        &self,
        office: &OfficeCode,
        day: Date,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments
             WHERE office = $1 AND day = $2 AND status = 'booked' ORDER BY minute, folio"
        );
        let rows = self.fetch(&sql, &[&office.as_str(), &day]).await?;
        rows.iter().map(appointment).collect()
    }

    async fn appointments_to_remind(
        &self,
        day: Date,
        limit: u32,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments
             WHERE day = $1 AND status = 'booked' AND reminded_at IS NULL
             ORDER BY folio LIMIT $2"
        );
        let rows = self.fetch(&sql, &[&day, &i64::from(limit)]).await?;
        rows.iter().map(appointment).collect()
    }

    async fn mark_reminded(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        day: Date,
        at: OffsetDateTime,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let marked = exec(
            &tx,
            "UPDATE appointments SET reminded_at = $1
             WHERE member_id = $2 AND folio = $3 AND day = $4 AND status = 'booked'
               AND reminded_at IS NULL",
            &[&stored_instant(at), &member.0, &folio.as_str(), &day],
        )
        .await?;
        if marked == 0 {
            tx.rollback().await.map_err(db)?;
            return Ok(false);
        }
        queue_messages(&tx, notify).await?;
        commit(tx, audit, true).await?;
        Ok(true)
    }
}
