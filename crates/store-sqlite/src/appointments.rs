//! Appointments on SQLite. Every change runs in one IMMEDIATE transaction on the one writer, so
//! changes are serial; the conditional upserts are still written as they are on PostgreSQL, where
//! they are what keeps concurrent bookings within capacity (see `store::appointments`).

use async_trait::async_trait;
use domain::appointments::{AppointmentFolio, OfficeCode, Procedure, Slot};
use domain::audit::{AuditEntry, Channel};
use domain::dates::{iso, parse_iso};
use domain::registry::MemberId;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{
    Appointment, AppointmentChange, AppointmentRepo, AppointmentStatus, NewAppointment, NewMessage,
    SlotClaim, StoreError, stored_instant,
};
use time::{Date, OffsetDateTime};

use crate::stamp::{collect, get, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db, outbox};

const T: &str = "appointments";

const COLUMNS: &str = "member_id, folio, procedure, office, day, minute, status, channel, \
     created_by, created_at, updated_at, version, reminded_at";

fn corrupt(reason: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(T, reason)
}

fn appointment(r: &Row) -> Result<Appointment, StoreError> {
    let day: String = get(r, 4, T)?;
    let minute: i64 = get(r, 5, T)?;
    let slot = Slot::new(
        parse_iso(&day).map_err(corrupt)?,
        u16::try_from(minute).map_err(corrupt)?,
    )
    .ok_or_else(|| corrupt("bad minute"))?;
    let version: i64 = get(r, 11, T)?;
    Ok(Appointment {
        member_id: MemberId(get(r, 0, T)?),
        folio: AppointmentFolio::parse(&get::<String>(r, 1, T)?).map_err(corrupt)?,
        procedure: Procedure::from_code(&get::<String>(r, 2, T)?)
            .ok_or_else(|| corrupt("bad procedure"))?,
        office: OfficeCode::parse(&get::<String>(r, 3, T)?).ok_or_else(|| corrupt("bad office"))?,
        slot,
        status: AppointmentStatus::from_code(&get::<String>(r, 6, T)?)
            .ok_or_else(|| corrupt("bad status"))?,
        channel: Channel::from_code(&get::<String>(r, 7, T)?)
            .ok_or_else(|| corrupt("bad channel"))?,
        created_by: get(r, 8, T)?,
        created_at: get_ts(r, 9, T)?,
        updated_at: get_ts(r, 10, T)?,
        version: u32::try_from(version).map_err(corrupt)?,
        reminded_at: get_ts_opt(r, 12, T)?,
    })
}

fn appointment_where(
    conn: &Connection,
    member: MemberId,
    folio: &AppointmentFolio,
) -> Result<Option<Appointment>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM appointments WHERE member_id = ?1 AND folio = ?2");
    conn.prepare_cached(&sql)
        .map_err(db)?
        .query_row(params![member.0, folio.as_str()], |r| Ok(appointment(r)))
        .optional()
        .map_err(db)?
        .transpose()
}

/// Takes one place in the slot if one is left.
fn take_place(conn: &Connection, claim: &SlotClaim) -> Result<(), StoreError> {
    if claim.capacity == 0 {
        return Err(StoreError::Conflict("slot_full"));
    }
    let taken = conn
        .prepare_cached(
            "INSERT INTO appointment_slots (office, day, minute, booked) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (office, day, minute) DO UPDATE SET booked = appointment_slots.booked + 1
             WHERE appointment_slots.booked < ?4",
        )
        .map_err(db)?
        .execute(params![
            claim.office.as_str(),
            iso(claim.slot.day),
            claim.slot.minute,
            claim.capacity
        ])
        .map_err(db)?;
    if taken == 0 {
        return Err(StoreError::Conflict("slot_full"));
    }
    Ok(())
}

/// Gives back the place an appointment held.
fn give_back(conn: &Connection, office: &OfficeCode, slot: Slot) -> Result<(), StoreError> {
    let given = conn
        .prepare_cached(
            "UPDATE appointment_slots SET booked = booked - 1
             WHERE office = ?1 AND day = ?2 AND minute = ?3 AND booked > 0",
        )
        .map_err(db)?
        .execute(params![office.as_str(), iso(slot.day), slot.minute])
        .map_err(db)?;
    if given == 0 {
        return Err(StoreError::corrupt(
            "appointment_slots",
            "a booked appointment's slot has no place taken",
        ));
    }
    Ok(())
}

/// The member already has a booked appointment at this time (other than `except`).
fn time_taken(
    conn: &Connection,
    member: MemberId,
    slot: Slot,
    except: Option<&AppointmentFolio>,
) -> Result<bool, StoreError> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM appointments WHERE member_id = ?1 AND day = ?2
             AND minute = ?3 AND status = 'booked' AND folio IS NOT ?4)",
    )
    .map_err(db)?
    .query_row(
        params![
            member.0,
            iso(slot.day),
            slot.minute,
            except.map(AppointmentFolio::as_str)
        ],
        |r| r.get(0),
    )
    .map_err(db)
}

/// The member's appointment, still booked at the version the caller read.
fn current(
    conn: &Connection,
    member: MemberId,
    folio: &AppointmentFolio,
    expected_version: u32,
) -> Result<Appointment, StoreError> {
    let found = appointment_where(conn, member, folio)?
        .ok_or(StoreError::Conflict("appointment_not_found"))?;
    if found.status != AppointmentStatus::Booked || found.version != expected_version {
        return Err(StoreError::Conflict("appointment_state_changed"));
    }
    Ok(found)
}

fn queue_messages(conn: &Connection, notify: &[NewMessage]) -> Result<(), StoreError> {
    for message in notify {
        outbox::insert(conn, message)?;
    }
    Ok(())
}

#[async_trait]
impl AppointmentRepo for SqliteStore {
    async fn book_appointment(
        &self,
        new: &NewAppointment,
        claim: &SlotClaim,
        today: Date,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError> {
        let (new, claim, notify) = (new.clone(), claim.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            let held = tx
                .prepare_cached(
                    "INSERT INTO appointment_holds (member_id, procedure, folio, day)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (member_id, procedure) DO UPDATE
                         SET folio = excluded.folio, day = excluded.day
                     WHERE appointment_holds.day < ?5",
                )
                .map_err(db)?
                .execute(params![
                    new.member_id.0,
                    new.procedure.code(),
                    new.folio.as_str(),
                    iso(new.slot.day),
                    iso(today),
                ])
                .map_err(db)?;
            if held == 0 {
                return Err(StoreError::Conflict("appointment_already_booked"));
            }
            take_place(tx, &claim)?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO appointments (member_id, folio, procedure, office, day, minute,
                         status, channel, created_by, created_at, updated_at, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'booked', ?7, ?8, ?9, ?9, 1)
                     ON CONFLICT DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    new.member_id.0,
                    new.folio.as_str(),
                    new.procedure.code(),
                    claim.office.as_str(),
                    iso(claim.slot.day),
                    claim.slot.minute,
                    new.channel.code(),
                    new.created_by,
                    ts(new.created_at),
                ])
                .map_err(db)?;
            if inserted == 0 {
                let folio_taken: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM appointments WHERE folio = ?1)")
                    .map_err(db)?
                    .query_row([new.folio.as_str()], |r| r.get(0))
                    .map_err(db)?;
                return Err(StoreError::Conflict(if folio_taken {
                    "appointment_folio_taken"
                } else {
                    "appointment_time_taken"
                }));
            }
            queue_messages(tx, &notify)?;
            let booked = Appointment {
                member_id: new.member_id,
                folio: new.folio,
                procedure: new.procedure,
                office: claim.office,
                slot: claim.slot,
                status: AppointmentStatus::Booked,
                channel: new.channel,
                created_by: new.created_by,
                created_at: stored_instant(new.created_at),
                updated_at: stored_instant(new.created_at),
                version: 1,
                reminded_at: None,
            };
            Ok((booked, true))
        })
        .await
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
        let (folio, change, to, notify) =
            (folio.clone(), change.clone(), to.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            let before = current(tx, member, &folio, change.expected_version)?;
            let held = tx
                .prepare_cached(
                    "UPDATE appointment_holds SET day = ?1
                     WHERE member_id = ?2 AND procedure = ?3 AND folio = ?4",
                )
                .map_err(db)?
                .execute(params![
                    iso(to.slot.day),
                    member.0,
                    before.procedure.code(),
                    folio.as_str()
                ])
                .map_err(db)?;
            if held == 0 {
                return Err(StoreError::Conflict("appointment_state_changed"));
            }
            if time_taken(tx, member, to.slot, Some(&folio))? {
                return Err(StoreError::Conflict("appointment_time_taken"));
            }
            let sql = format!(
                "UPDATE appointments
                 SET office = ?1, day = ?2, minute = ?3, updated_at = ?4, version = version + 1,
                     reminded_at = NULL
                 WHERE member_id = ?5 AND folio = ?6 AND status = 'booked' AND version = ?7
                 RETURNING {COLUMNS}"
            );
            let moved = tx
                .prepare_cached(&sql)
                .map_err(db)?
                .query_row(
                    params![
                        to.office.as_str(),
                        iso(to.slot.day),
                        to.slot.minute,
                        ts(change.at),
                        member.0,
                        folio.as_str(),
                        change.expected_version,
                    ],
                    |r| Ok(appointment(r)),
                )
                .optional()
                .map_err(db)?
                .transpose()?
                .ok_or(StoreError::Conflict("appointment_state_changed"))?;
            if (before.office.clone(), before.slot) != (to.office.clone(), to.slot) {
                take_place(tx, &to)?;
                give_back(tx, &before.office, before.slot)?;
            }
            queue_messages(tx, &notify)?;
            Ok((moved, true))
        })
        .await
    }

    async fn cancel_appointment(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
        change: &AppointmentChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Appointment, StoreError> {
        let (folio, change, notify) = (folio.clone(), change.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            let before = current(tx, member, &folio, change.expected_version)?;
            tx.prepare_cached(
                "DELETE FROM appointment_holds
                 WHERE member_id = ?1 AND procedure = ?2 AND folio = ?3",
            )
            .map_err(db)?
            .execute(params![member.0, before.procedure.code(), folio.as_str()])
            .map_err(db)?;
            let sql = format!(
                "UPDATE appointments
                 SET status = 'cancelled', updated_at = ?1, version = version + 1
                 WHERE member_id = ?2 AND folio = ?3 AND status = 'booked' AND version = ?4
                 RETURNING {COLUMNS}"
            );
            let cancelled = tx
                .prepare_cached(&sql)
                .map_err(db)?
                .query_row(
                    params![
                        ts(change.at),
                        member.0,
                        folio.as_str(),
                        change.expected_version
                    ],
                    |r| Ok(appointment(r)),
                )
                .optional()
                .map_err(db)?
                .transpose()?
                .ok_or(StoreError::Conflict("appointment_state_changed"))?;
            give_back(tx, &before.office, before.slot)?;
            queue_messages(tx, &notify)?;
            Ok((cancelled, true))
        })
        .await
    }

    async fn appointment_by_folio(
        &self,
        member: MemberId,
        folio: &AppointmentFolio,
    ) -> Result<Option<Appointment>, StoreError> {
        self.read(|c| appointment_where(c, member, folio))
    }

    async fn appointments_of_member(
        &self,
        member: MemberId,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM appointments WHERE member_id = ?1
                 ORDER BY day DESC, minute DESC, folio"
            );
            collect(c, &sql, [member.0], appointment)
        })
    }

    async fn appointment_folio_owner(
        &self,
        folio: &AppointmentFolio,
    ) -> Result<Option<MemberId>, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT member_id FROM appointments WHERE folio = ?1")
                .map_err(db)?
                .query_row([folio.as_str()], |r| r.get(0))
                .optional()
                .map_err(db)
                .map(|id| id.map(MemberId))
        })
    }

    async fn slot_bookings(
        &self,
        office: &OfficeCode,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Slot, u32)>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT day, minute, booked FROM appointment_slots
                 WHERE office = ?1 AND day >= ?2 AND day <= ?3 AND booked > 0
                 ORDER BY day, minute",
                params![office.as_str(), iso(from), iso(to)],
                |r| {
                    let table = "appointment_slots";
                    let day: String = get(r, 0, table)?;
                    let minute: i64 = get(r, 1, table)?;
                    let booked: i64 = get(r, 2, table)?;
                    let bad = |e: String| StoreError::corrupt(table, e);
                    let slot = Slot::new(
                        parse_iso(&day).map_err(|e| bad(e.to_string()))?,
                        u16::try_from(minute).map_err(|e| bad(e.to_string()))?,
                    )
                    .ok_or_else(|| bad("bad minute".into()))?;
                    Ok((slot, u32::try_from(booked).map_err(|e| bad(e.to_string()))?))
                },
            )
        })
    }

    async fn office_appointments(
        &self,
        office: &OfficeCode,
        day: Date,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM appointments
                 WHERE office = ?1 AND day = ?2 AND status = 'booked' ORDER BY minute, folio"
            );
            collect(c, &sql, params![office.as_str(), iso(day)], appointment)
        })
    }

    async fn appointments_to_remind(
        &self,
        day: Date,
        limit: u32,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM appointments
                 WHERE day = ?1 AND status = 'booked' AND reminded_at IS NULL
                 ORDER BY folio LIMIT ?2"
            );
            collect(c, &sql, params![iso(day), limit], appointment)
        })
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
        let (folio, notify) = (folio.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            let marked = tx
                .prepare_cached(
                    "UPDATE appointments SET reminded_at = ?1
                     WHERE member_id = ?2 AND folio = ?3 AND day = ?4 AND status = 'booked'
                       AND reminded_at IS NULL",
                )
                .map_err(db)?
                .execute(params![ts(at), member.0, folio.as_str(), iso(day)])
                .map_err(db)?;
            if marked == 0 {
                return Ok((false, false));
            }
            queue_messages(tx, &notify)?;
            Ok((true, true))
        })
        .await
    }
}
