//! The contract for appointments: booking, moving and cancelling with the places they take,
//! a slot that never takes more than its capacity however many book it at once, one
//! appointment to come per member and procedure, and reminders marked exactly once.

use domain::appointments::{AppointmentFolio, OfficeCode, Procedure, Slot};
use domain::audit::Channel;
use domain::registry::MemberId;
use time::Date;
use time::macros::date;

use super::{at, audit_count, audit_entry, conflict, join_all};
use crate::{
    Appointment, AppointmentChange, AppointmentStatus, NewAppointment, NewMessage, OutboxChannel,
    SlotClaim, Store, stored_instant,
};

/// "Today" for these cases: Wednesday 25 November 2026.
const TODAY: Date = date!(2026 - 11 - 25);

/// The folio "CIT-2026-`stem`X" where X is the one check character that makes it valid.
pub fn appointment_folio(stem: &str) -> AppointmentFolio {
    "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        .chars()
        .find_map(|check| AppointmentFolio::parse(&format!("CIT-2026-{stem}{check}")).ok())
        .unwrap_or_else(|| panic!("{stem} cannot be completed to a folio"))
}

fn office(code: &str) -> OfficeCode {
    OfficeCode::parse(code).unwrap()
}

fn slot(day: Date, time: &str) -> Slot {
    Slot::new(day, Slot::parse_time(time).unwrap()).unwrap()
}

fn claim(code: &str, slot: Slot, capacity: u32) -> SlotClaim {
    SlotClaim {
        office: office(code),
        slot,
        capacity,
    }
}

fn new(member: i64, folio: &AppointmentFolio, procedure: Procedure, slot: Slot) -> NewAppointment {
    NewAppointment {
        member_id: MemberId(member),
        folio: folio.clone(),
        procedure,
        office: office("NLE01"),
        slot,
        channel: Channel::Web,
        created_by: format!("member:{member}"),
        created_at: at(0) + time::Duration::nanoseconds(789),
    }
}

fn notice(member: i64, text: &str) -> Vec<NewMessage> {
    vec![NewMessage {
        channel: OutboxChannel::Email,
        recipient: format!("m{member}@example.mx"),
        subject: text.into(),
        body: text.into(),
        created_at: at(0),
    }]
}

async fn book(
    store: &impl Store,
    member: i64,
    stem: &str,
    procedure: Procedure,
    claim: &SlotClaim,
) -> Result<Appointment, crate::StoreError> {
    let folio = appointment_folio(stem);
    let mut booking = new(member, &folio, procedure, claim.slot);
    booking.office = claim.office.clone();
    let audit = [audit_entry(Some(member), "appointment_booked", at(1))];
    store
        .book_appointment(&booking, claim, TODAY, &audit, &notice(member, "cita"))
        .await
}

async fn places(store: &impl Store, code: &str, day: Date) -> Vec<(Slot, u32)> {
    store.slot_bookings(&office(code), day, day).await.unwrap()
}

fn change(version: u32, seconds: i64) -> AppointmentChange {
    AppointmentChange {
        expected_version: version,
        at: at(seconds),
    }
}

pub async fn appointments_are_booked_moved_and_cancelled_with_their_places(store: &impl Store) {
    let day = date!(2026 - 12 - 03);
    let ten = claim("NLE01", slot(day, "10:00"), 2);
    let booked = book(store, 11, "BOOK0001", Procedure::InsuranceRelease, &ten)
        .await
        .unwrap();
    assert_eq!(booked.status, AppointmentStatus::Booked);
    assert_eq!(booked.version, 1);
    assert_eq!(booked.created_at, stored_instant(booked.created_at));
    let folio = booked.folio.clone();
    let member = MemberId(11);
    let stored = store
        .appointment_by_folio(member, &folio)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, booked);
    assert_eq!(stored.office, office("NLE01"));
    assert_eq!(stored.slot, ten.slot);
    assert_eq!(stored.channel, Channel::Web);
    assert_eq!(stored.created_by, "member:11");
    assert_eq!(places(store, "NLE01", day).await, vec![(ten.slot, 1)]);
    assert_eq!(
        store.appointment_folio_owner(&folio).await.unwrap(),
        Some(member)
    );
    // Nobody else reaches it by its folio.
    assert_eq!(
        store
            .appointment_by_folio(MemberId(12), &folio)
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .appointments_of_member(MemberId(12))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .office_appointments(&office("NLE01"), day)
            .await
            .unwrap(),
        vec![booked.clone()]
    );

    // Moved to 12:30 the next day: the place follows.
    let later = claim("NLE01", slot(date!(2026 - 12 - 04), "12:30"), 2);
    let audit = [audit_entry(Some(11), "appointment_rescheduled", at(60))];
    let moved = store
        .reschedule_appointment(
            member,
            &folio,
            &change(1, 60),
            &later,
            &audit,
            &notice(11, "cambio"),
        )
        .await
        .unwrap();
    assert_eq!((moved.slot, moved.version), (later.slot, 2));
    assert_eq!(moved.updated_at, stored_instant(at(60)));
    assert!(places(store, "NLE01", day).await.is_empty());
    assert_eq!(
        places(store, "NLE01", later.slot.day).await,
        vec![(later.slot, 1)]
    );
    // A change made on what was read before the move is refused.
    assert_eq!(
        conflict(
            store
                .cancel_appointment(member, &folio, &change(1, 61), &[], &[])
                .await
        ),
        "appointment_state_changed"
    );
    let audit = [audit_entry(Some(11), "appointment_cancelled", at(120))];
    let cancelled = store
        .cancel_appointment(member, &folio, &change(2, 120), &audit, &[])
        .await
        .unwrap();
    assert_eq!(
        (cancelled.status, cancelled.version),
        (AppointmentStatus::Cancelled, 3)
    );
    assert!(places(store, "NLE01", later.slot.day).await.is_empty());
    assert!(
        store
            .office_appointments(&office("NLE01"), later.slot.day)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        conflict(
            store
                .cancel_appointment(member, &folio, &change(3, 121), &[], &[])
                .await
        ),
        "appointment_state_changed"
    );
    assert_eq!(
        conflict(
            store
                .cancel_appointment(MemberId(12), &folio, &change(3, 121), &[], &[])
                .await
        ),
        "appointment_not_found"
    );
    let mine = store.appointments_of_member(member).await.unwrap();
    assert_eq!(mine, vec![cancelled]);
    // Booked, moved, cancelled: one audit entry and one notice each made; none for refusals.
    assert_eq!(audit_count(store).await, 3);
    assert_eq!(store.recent_messages(100).await.unwrap().len(), 2);
    // The same folio twice is refused, so the caller draws another.
    let first = book(store, 13, "TWICE000", Procedure::Restructuring, &ten)
        .await
        .unwrap();
    assert_eq!(
        conflict(book(store, 14, "TWICE000", Procedure::Restructuring, &ten).await),
        "appointment_folio_taken"
    );
    assert_eq!(places(store, "NLE01", day).await, vec![(first.slot, 1)]);
}

pub async fn a_slot_never_takes_more_than_its_capacity_even_at_once(store: &impl Store) {
    let day = date!(2026 - 12 - 07);
    let nine = claim("JAL01", slot(day, "09:00"), 3);
    let attempts: Vec<_> = (0..12)
        .map(|m| {
            let nine = nine.clone();
            async move {
                book(
                    store,
                    100 + m,
                    &format!("RACE{m:04}"),
                    Procedure::PaymentAgreement,
                    &nine,
                )
                .await
            }
        })
        .collect();
    let results = join_all(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 3, "{results:?}");
    for result in &results {
        if let Err(e) = result {
            assert_eq!(e.code(), "slot_full", "{e:?}");
        }
    }
    assert_eq!(places(store, "JAL01", day).await, vec![(nine.slot, 3)]);
    assert_eq!(
        store
            .office_appointments(&office("JAL01"), day)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(audit_count(store).await, 3, "refusals write nothing");
    assert_eq!(store.recent_messages(100).await.unwrap().len(), 3);

    // Moving into the full slot keeps the appointment where it was, with its place.
    let ten = claim("JAL01", slot(day, "10:00"), 3);
    let elsewhere = book(store, 200, "MOVE0000", Procedure::PaymentAgreement, &ten)
        .await
        .unwrap();
    assert_eq!(
        conflict(
            store
                .reschedule_appointment(
                    MemberId(200),
                    &elsewhere.folio,
                    &change(1, 30),
                    &nine,
                    &[],
                    &[]
                )
                .await
        ),
        "slot_full"
    );
    let kept = store
        .appointment_by_folio(MemberId(200), &elsewhere.folio)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept, elsewhere);
    assert_eq!(
        places(store, "JAL01", day).await,
        vec![(nine.slot, 3), (ten.slot, 1)]
    );
    // A place given back is free for the next one.
    let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
    store
        .cancel_appointment(winner.member_id, &winner.folio, &change(1, 40), &[], &[])
        .await
        .unwrap();
    store
        .reschedule_appointment(
            MemberId(200),
            &elsewhere.folio,
            &change(1, 50),
            &nine,
            &[],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(places(store, "JAL01", day).await, vec![(nine.slot, 3)]);

    // Concurrent moves between two slots with one place each never deadlock or overbook.
    let (a, b) = (
        claim("JAL02", slot(day, "11:00"), 2),
        claim("JAL02", slot(day, "11:30"), 2),
    );
    let x = book(store, 300, "SWAPX000", Procedure::Restructuring, &a)
        .await
        .unwrap();
    let y = book(store, 301, "SWAPY000", Procedure::Restructuring, &b)
        .await
        .unwrap();
    let moves = [
        (x.member_id, x.folio.clone(), b.clone()),
        (y.member_id, y.folio.clone(), a.clone()),
    ];
    let results = join_all(
        moves
            .iter()
            .map(|(member, folio, to)| async move {
                store
                    .reschedule_appointment(*member, folio, &change(1, 70), to, &[], &[])
                    .await
            })
            .collect(),
    )
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        places(store, "JAL02", day).await,
        vec![(a.slot, 1), (b.slot, 1)]
    );
}

pub async fn a_member_has_one_appointment_to_come_per_procedure(store: &impl Store) {
    let day = date!(2026 - 12 - 08);
    let nine = claim("CMX01", slot(day, "09:00"), 5);
    let ten = claim("CMX01", slot(day, "10:00"), 5);
    let first = book(store, 400, "ONCE0000", Procedure::IdentityValidation, &nine)
        .await
        .unwrap();
    // The same procedure again, at another time: refused, and no place is taken.
    assert_eq!(
        conflict(book(store, 400, "ONCE0001", Procedure::IdentityValidation, &ten).await),
        "appointment_already_booked"
    );
    // Another procedure at the same time: refused too.
    assert_eq!(
        conflict(book(store, 400, "ONCE0002", Procedure::Restructuring, &nine).await),
        "appointment_time_taken"
    );
    assert_eq!(places(store, "CMX01", day).await, vec![(nine.slot, 1)]);
    // Another procedure at another time is fine.
    book(store, 400, "ONCE0003", Procedure::Restructuring, &ten)
        .await
        .unwrap();
    // Once cancelled, the procedure can be booked again.
    store
        .cancel_appointment(MemberId(400), &first.folio, &change(1, 10), &[], &[])
        .await
        .unwrap();
    let again = book(store, 400, "ONCE0004", Procedure::IdentityValidation, &nine)
        .await
        .unwrap();
    // Once its day has passed it no longer counts: booking on 9 December for the 21st.
    let later = claim("CMX01", slot(date!(2026 - 12 - 21), "09:00"), 5);
    let mut booking = new(
        400,
        &appointment_folio("ONCE0005"),
        Procedure::IdentityValidation,
        later.slot,
    );
    booking.office = later.office.clone();
    assert_eq!(
        conflict(
            store
                .book_appointment(&booking, &later, day, &[], &[])
                .await
        ),
        "appointment_already_booked",
        "on its own day it still counts"
    );
    store
        .book_appointment(&booking, &later, date!(2026 - 12 - 09), &[], &[])
        .await
        .unwrap();
    assert_eq!(
        store
            .appointment_by_folio(MemberId(400), &again.folio)
            .await
            .unwrap()
            .unwrap()
            .status,
        AppointmentStatus::Booked,
        "the past appointment stays as it was"
    );

    // One member booking one procedure from several places at once: exactly one wins.
    let attempts: Vec<_> = (0..6)
        .map(|i| {
            let slot = claim("CMX02", slot(day, &format!("{}:00", 9 + i)), 5);
            async move {
                book(
                    store,
                    401,
                    &format!("MANY{i:04}"),
                    Procedure::OverpaymentRefund,
                    &slot,
                )
                .await
            }
        })
        .collect();
    let results = join_all(attempts).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for result in &results {
        if let Err(e) = result {
            assert_eq!(e.code(), "appointment_already_booked", "{e:?}");
        }
    }
    let taken: u32 = places(store, "CMX02", day).await.iter().map(|p| p.1).sum();
    assert_eq!(taken, 1);
}

pub async fn reminders_are_marked_exactly_once(store: &impl Store) {
    let day = date!(2026 - 11 - 26);
    let nine = claim("MEX01", slot(day, "09:00"), 4);
    let a = book(
        store,
        500,
        "REMA0000",
        Procedure::CreditFormalization,
        &nine,
    )
    .await
    .unwrap();
    let b = book(
        store,
        501,
        "REMB0000",
        Procedure::CreditFormalization,
        &nine,
    )
    .await
    .unwrap();
    let c = book(
        store,
        502,
        "REMC0000",
        Procedure::CreditFormalization,
        &nine,
    )
    .await
    .unwrap();
    store
        .cancel_appointment(c.member_id, &c.folio, &change(1, 5), &[], &[])
        .await
        .unwrap();
    let due = store.appointments_to_remind(day, 10).await.unwrap();
    let folios: Vec<_> = due.iter().map(|x| x.folio.clone()).collect();
    assert_eq!(folios, vec![a.folio.clone(), b.folio.clone()]);
    assert_eq!(store.appointments_to_remind(day, 1).await.unwrap().len(), 1);
    let before = store.recent_messages(100).await.unwrap().len();
    // Two runs at once: exactly one marks it and queues the reminder.
    let marks = join_all(
        (0..4)
            .map(|i| {
                let folio = a.folio.clone();
                async move {
                    let audit = [audit_entry(Some(500), "appointment_reminded", at(100 + i))];
                    store
                        .mark_reminded(
                            MemberId(500),
                            &folio,
                            day,
                            at(100 + i),
                            &audit,
                            &notice(500, "recordatorio"),
                        )
                        .await
                        .unwrap()
                }
            })
            .collect(),
    )
    .await;
    assert_eq!(marks.iter().filter(|m| **m).count(), 1, "{marks:?}");
    assert_eq!(store.recent_messages(100).await.unwrap().len(), before + 1);
    let read = store
        .appointment_by_folio(MemberId(500), &a.folio)
        .await
        .unwrap()
        .unwrap();
    assert!(read.reminded_at.is_some());
    let due = store.appointments_to_remind(day, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].folio, b.folio);
    // Not for another day, not for a cancelled one.
    assert!(
        !store
            .mark_reminded(
                MemberId(501),
                &b.folio,
                day.next_day().unwrap(),
                at(200),
                &[],
                &[]
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_reminded(MemberId(502), &c.folio, day, at(200), &[], &[])
            .await
            .unwrap()
    );
    // A reminded appointment moved to another day is reminded again for that day.
    let moved_to = claim("MEX01", slot(date!(2026 - 11 - 27), "09:00"), 4);
    store
        .reschedule_appointment(
            MemberId(500),
            &a.folio,
            &change(1, 300),
            &moved_to,
            &[],
            &[],
        )
        .await
        .unwrap();
    let due = store
        .appointments_to_remind(moved_to.slot.day, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].folio, a.folio);
    assert_eq!(due[0].reminded_at, None);
}
