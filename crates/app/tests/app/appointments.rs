//! Appointments through the real use cases and a real SQLite store: booking, moving and
//! cancelling with the member's notices and the audit log, the rules of the booking window, a
//! phone agent booking for a member, an office's day for the back office, the reminders of
//! tomorrow sent exactly once, and the receipt issued so it verifies. "Today" is Wednesday 25
//! November 2026, noon in Mexico City.

use std::sync::Arc;

use app::accounts::Caller;
use app::appointments::{AppointmentError, Appointments, Booking};
use app::requests::Acting;
use domain::appointments::{Offices, Procedure, Slot, SlotError, SlotRules};
use domain::audit::Channel;
use domain::ids::Nss;
use domain::reference::ReferenceTables;
use domain::registry::MemberId;
use domain::requests::Holidays;
use store::{
    AppointmentRepo, AppointmentStatus, AuditRepo, DocumentRepo, OutboxChannel, OutboxRepo,
    RegistryRepo,
};
use time::Duration;

use crate::accounts::{MARIA_NSS, World, active_member, web, world};
use crate::messages;

const JUAN_NSS: &str = "38957812340";
const OPERATOR: i64 = 7;

fn appointments(w: &World) -> Appointments {
    let states = ReferenceTables::embedded().unwrap().states;
    Appointments::new(
        w.store.clone(),
        w.clock.clone(),
        Arc::new(Offices::embedded(&states).unwrap()),
        Holidays::federal(),
        SlotRules::default(),
        Arc::new(messages()),
    )
}

async fn member(w: &World, nss: &str) -> MemberId {
    w.store
        .member_by_nss(&Nss::parse(nss).unwrap())
        .await
        .unwrap()
        .unwrap()
        .member_id
}

fn at(day: &str, time: &str) -> Slot {
    Slot::parse(day, time).unwrap()
}

fn booking(procedure: Procedure, office: &str, slot: Slot) -> Booking {
    Booking {
        procedure,
        office: office.into(),
        slot,
    }
}

fn phone() -> Caller {
    Caller {
        channel: Channel::Phone,
        origin: "10.9.0.7".into(),
        device: "Infonatel".into(),
    }
}

async fn free_at(a: &Appointments, office: &str, slot: Slot) -> u32 {
    let office = a.office(office).unwrap();
    a.free_slots(office, Some(slot.day), Some(slot.day))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.slot == slot)
        .map(|s| s.free)
        .unwrap()
}

#[tokio::test]
async fn a_member_books_moves_and_cancels_and_is_told_each_time() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let a = appointments(&w);
    let caller = web("10.0.4.1");
    let thursday = at("2026-11-26", "10:30");
    let desks = a.office("NLE01").unwrap().desks;
    let booked = a
        .book(
            maria,
            &booking(Procedure::InsuranceRelease, "NLE01", thursday),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    assert!(booked.folio.as_str().starts_with("CIT-2026-"));
    assert_eq!((booked.slot, booked.channel), (thursday, Channel::Web));
    assert_eq!(free_at(&a, "NLE01", thursday).await, desks - 1);

    let sent = w.store.recent_messages(2).await.unwrap();
    let mail = sent
        .iter()
        .find(|m| m.channel == OutboxChannel::Email)
        .unwrap();
    assert_eq!(mail.recipient, "maria.garcia@example.mx");
    assert!(mail.body.contains(booked.folio.as_str()), "{}", mail.body);
    assert!(mail.body.contains("26 de noviembre de 2026"));
    assert!(mail.body.contains("CESI Monterrey Centro"));
    let sms = sent
        .iter()
        .find(|m| m.channel == OutboxChannel::Sms)
        .unwrap();
    assert_eq!(sms.recipient, "5512345678");
    let audit = &w.store.recent_audit(maria, 1).await.unwrap()[0].entry;
    assert_eq!(audit.action, "appointment_booked");
    assert_eq!(audit.actor, format!("member:{}", maria.0));
    assert!(audit.details.contains(booked.folio.as_str()));
    assert!(audit.details.contains("\"time\":\"10:30\""));

    let mine = a.mine(maria).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(mine[0].upcoming && mine[0].changeable);
    assert_eq!(mine[0].office.as_ref().unwrap().city, "Monterrey");

    // Moved to Saturday (Monterrey opens on Saturdays).
    let saturday = at("2026-11-28", "09:00");
    assert!(matches!(
        a.reschedule(&booked.folio, thursday, Acting::Member(maria), &caller)
            .await,
        Err(AppointmentError::SameSlot)
    ));
    let moved = a
        .reschedule(&booked.folio, saturday, Acting::Member(maria), &caller)
        .await
        .unwrap();
    assert_eq!((moved.slot, moved.version), (saturday, 2));
    assert_eq!(free_at(&a, "NLE01", thursday).await, desks);
    assert_eq!(free_at(&a, "NLE01", saturday).await, desks - 1);
    let mail = &w.store.recent_messages(2).await.unwrap();
    assert!(
        mail.iter()
            .any(|m| m.body.contains("28 de noviembre de 2026")),
        "{mail:?}"
    );
    assert_eq!(
        w.store.recent_audit(maria, 1).await.unwrap()[0]
            .entry
            .action,
        "appointment_rescheduled"
    );

    let before = w.store.recent_messages(100).await.unwrap().len();
    let cancelled = a
        .cancel(&booked.folio, Acting::Member(maria), &caller)
        .await
        .unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(free_at(&a, "NLE01", saturday).await, desks);
    let after = w.store.recent_messages(100).await.unwrap();
    assert_eq!(
        after.len(),
        before + 1,
        "a cancellation goes by e-mail only"
    );
    assert_eq!(after[0].channel, OutboxChannel::Email);
    assert!(matches!(
        a.cancel(&booked.folio, Acting::Member(maria), &caller)
            .await,
        Err(AppointmentError::Cancelled)
    ));
    let mine = a.mine(maria).await.unwrap();
    assert!(!mine[0].upcoming && !mine[0].changeable);
}

#[tokio::test]
async fn the_booking_window_and_the_cut_off_are_kept() {
    let w = world().await;
    let maria = member(&w, MARIA_NSS).await;
    let a = appointments(&w);
    let caller = web("10.0.4.2");
    let book = |office: &'static str, slot: Slot, procedure: Procedure| {
        let a = a.clone();
        let caller = caller.clone();
        async move {
            a.book(
                maria,
                &booking(procedure, office, slot),
                Acting::Member(maria),
                &caller,
            )
            .await
        }
    };
    let refused = [
        (at("2026-11-24", "10:00"), SlotError::Past),
        (at("2026-11-25", "13:00"), SlotError::OutsideWindow),
        (at("2026-12-28", "10:00"), SlotError::OutsideWindow),
        (at("2026-11-28", "10:00"), SlotError::NotOffered),
        (at("2026-11-26", "14:30"), SlotError::NotOffered),
        (at("2026-11-26", "10:10"), SlotError::NotOffered),
    ];
    for (slot, why) in refused {
        match book("MEX01", slot, Procedure::Restructuring).await {
            Err(AppointmentError::Slot(e)) => assert_eq!(e, why, "{slot:?}"),
            other => panic!("{slot:?}: {other:?}"),
        }
    }
    assert!(matches!(
        book("XXX99", at("2026-11-26", "10:00"), Procedure::Restructuring).await,
        Err(AppointmentError::OfficeNotFound)
    ));
    let first = book("MEX01", at("2026-11-26", "10:00"), Procedure::Restructuring)
        .await
        .unwrap();
    assert!(matches!(
        book("MEX02", at("2026-11-27", "10:00"), Procedure::Restructuring).await,
        Err(AppointmentError::AlreadyBooked)
    ));
    assert!(matches!(
        book(
            "MEX02",
            at("2026-11-26", "10:00"),
            Procedure::PaymentAgreement
        )
        .await,
        Err(AppointmentError::TimeTaken)
    ));
    // On the day itself it can no longer be moved or cancelled online.
    w.clock.advance(Duration::days(1));
    assert!(matches!(
        a.cancel(&first.folio, Acting::Member(maria), &caller).await,
        Err(AppointmentError::Slot(SlotError::TooLateToChange))
    ));
    assert!(matches!(
        a.reschedule(
            &first.folio,
            at("2026-11-30", "10:00"),
            Acting::Member(maria),
            &caller
        )
        .await,
        Err(AppointmentError::Slot(SlotError::TooLateToChange))
    ));
    // The back office can still cancel it on its day (an office that has to close).
    a.cancel(&first.folio, Acting::Operator(OPERATOR), &phone())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_phone_agent_books_for_a_member_and_the_operator_and_channel_are_recorded() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let juan = member(&w, JUAN_NSS).await;
    let a = appointments(&w);
    let for_maria = Acting::ForMember {
        member: maria,
        operator: OPERATOR,
    };
    let slot = at("2026-12-01", "12:00");
    let b = booking(Procedure::IdentityValidation, "CMX01", slot);
    let booked = a.book(maria, &b, for_maria, &phone()).await.unwrap();
    assert_eq!(booked.channel, Channel::Phone);
    assert_eq!(booked.created_by, "operator:7");
    let audit = &w.store.recent_audit(maria, 1).await.unwrap()[0].entry;
    assert_eq!(
        (audit.actor.as_str(), audit.channel),
        ("operator:7", Channel::Phone)
    );
    assert!(
        audit.details.contains("\"for_member\":true"),
        "{}",
        audit.details
    );
    // The member is told, as when booking herself.
    let sent = w.store.recent_messages(2).await.unwrap();
    assert!(
        sent.iter()
            .any(|m| m.recipient == "maria.garcia@example.mx")
    );
    // Nobody books for someone else: not a member for another, not an operator on their own.
    for acting in [
        Acting::Member(juan),
        Acting::Operator(OPERATOR),
        Acting::System,
    ] {
        assert!(matches!(
            a.book(maria, &b, acting, &phone()).await,
            Err(AppointmentError::NotPermitted)
        ));
    }
    // A member without a portal account is booked for, and simply not notified.
    let before = w.store.recent_messages(100).await.unwrap().len();
    let for_juan = Acting::ForMember {
        member: juan,
        operator: OPERATOR,
    };
    a.book(juan, &b, for_juan, &phone()).await.unwrap();
    assert_eq!(w.store.recent_messages(100).await.unwrap().len(), before);
    // The agent moves it for her too.
    let moved = a
        .reschedule(
            &booked.folio,
            at("2026-12-01", "12:30"),
            for_maria,
            &phone(),
        )
        .await
        .unwrap();
    assert_eq!(moved.version, 2);
}

#[tokio::test]
async fn another_members_appointment_is_not_found_and_the_attempt_is_audited() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let juan = member(&w, JUAN_NSS).await;
    let a = appointments(&w);
    let booked = a
        .book(
            maria,
            &booking(
                Procedure::PaymentAgreement,
                "JAL01",
                at("2026-11-30", "09:00"),
            ),
            Acting::Member(maria),
            &web("10.0.4.3"),
        )
        .await
        .unwrap();
    let intruder = web("10.6.6.6");
    assert!(matches!(
        a.get(juan, &booked.folio, &intruder).await,
        Err(AppointmentError::NotFound)
    ));
    assert!(matches!(
        a.cancel(&booked.folio, Acting::Member(juan), &intruder)
            .await,
        Err(AppointmentError::NotFound)
    ));
    assert!(matches!(
        a.receipt(
            Arc::new(documents::Renderer::new("https://vivienda.example").unwrap()),
            juan,
            &booked.folio,
            &intruder
        )
        .await,
        Err(AppointmentError::NotFound)
    ));
    let denied = w.store.recent_audit(juan, 5).await.unwrap();
    assert_eq!(denied.len(), 3);
    assert!(
        denied
            .iter()
            .all(|e| e.entry.action == "access_denied" && e.entry.origin == "10.6.6.6")
    );
    assert!(a.mine(juan).await.unwrap().is_empty());
    let kept = w
        .store
        .appointment_by_folio(maria, &booked.folio)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, AppointmentStatus::Booked);
}

#[tokio::test]
async fn an_office_day_is_for_the_back_office_and_reading_it_is_audited() {
    let w = world().await;
    let maria = member(&w, MARIA_NSS).await;
    let juan = member(&w, JUAN_NSS).await;
    let a = appointments(&w);
    let caller = web("10.0.4.4");
    for (who, time) in [(maria, "11:00"), (juan, "09:30")] {
        a.book(
            who,
            &booking(
                Procedure::CreditFormalization,
                "GUA01",
                at("2026-12-02", time),
            ),
            Acting::Member(who),
            &caller,
        )
        .await
        .unwrap();
    }
    let day = time::macros::date!(2026 - 12 - 02);
    assert!(matches!(
        a.office_day("GUA01", day, Acting::Member(maria), &caller)
            .await,
        Err(AppointmentError::NotPermitted)
    ));
    let desk = Caller {
        channel: Channel::Cesi,
        origin: "10.20.0.5".into(),
        device: "CESI León".into(),
    };
    let list = a
        .office_day("GUA01", day, Acting::Operator(OPERATOR), &desk)
        .await
        .unwrap();
    let members: Vec<MemberId> = list.iter().map(|x| x.member_id).collect();
    assert_eq!(members, vec![juan, maria], "by time");
    let audit = &w.store.recent_audit_all(1).await.unwrap()[0].entry;
    assert_eq!(audit.action, "office_appointments_viewed");
    assert_eq!(
        (audit.actor.as_str(), audit.channel),
        ("operator:7", Channel::Cesi)
    );
    assert!(audit.details.contains("\"count\":2"), "{}", audit.details);
}

#[tokio::test]
async fn tomorrows_reminders_go_out_exactly_once() {
    let w = world().await;
    active_member(&w).await;
    let maria = member(&w, MARIA_NSS).await;
    let juan = member(&w, JUAN_NSS).await;
    let a = appointments(&w);
    let caller = web("10.0.4.5");
    let thursday = a
        .book(
            maria,
            &booking(
                Procedure::OverpaymentRefund,
                "TAM01",
                at("2026-11-26", "08:30"),
            ),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    a.book(
        juan,
        &booking(
            Procedure::OverpaymentRefund,
            "TAM01",
            at("2026-11-26", "09:00"),
        ),
        Acting::Member(juan),
        &caller,
    )
    .await
    .unwrap();
    let friday = a
        .book(
            maria,
            &booking(Procedure::Restructuring, "TAM01", at("2026-11-27", "08:30")),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let before = w.store.recent_messages(100).await.unwrap().len();
    let run = a.remind_tomorrow().await.unwrap();
    assert_eq!((run.queued, run.skipped), (2, 0));
    let sent = w.store.recent_messages(100).await.unwrap();
    // Juan has no account: his reminder is marked but nothing is sent; María gets both.
    assert_eq!(sent.len(), before + 2);
    let reminder = sent
        .iter()
        .find(|m| m.channel == OutboxChannel::Email && m.subject.contains("Mañana"))
        .unwrap();
    assert!(reminder.body.contains(thursday.folio.as_str()));
    assert!(reminder.body.contains("08:30"));
    assert!(!reminder.body.contains(friday.folio.as_str()));
    // Run again (a second instance, a retried job): nothing more.
    let again = a.remind_tomorrow().await.unwrap();
    assert_eq!((again.queued, again.skipped), (0, 0));
    assert_eq!(
        w.store.recent_messages(100).await.unwrap().len(),
        before + 2
    );
    let audit = &w.store.recent_audit(maria, 1).await.unwrap()[0].entry;
    assert_eq!(
        (audit.action.as_str(), audit.actor.as_str()),
        ("appointment_reminded", "system")
    );
    // The next day, Friday's.
    w.clock.advance(Duration::days(1));
    let run = a.remind_tomorrow().await.unwrap();
    assert_eq!(run.queued, 1);
}

#[tokio::test]
async fn the_receipt_names_the_appointment_and_is_recorded_for_verification() {
    let w = world().await;
    let maria = member(&w, MARIA_NSS).await;
    let a = appointments(&w);
    let caller = web("10.0.4.6");
    let booked = a
        .book(
            maria,
            &booking(
                Procedure::SavingsFundRefund,
                "YUC01",
                at("2026-12-03", "10:30"),
            ),
            Acting::Member(maria),
            &caller,
        )
        .await
        .unwrap();
    let renderer = Arc::new(documents::Renderer::new("https://vivienda.example").unwrap());
    let rendered = a
        .receipt(renderer.clone(), maria, &booked.folio, &caller)
        .await
        .unwrap();
    assert!(rendered.pdf.starts_with(b"%PDF"));
    let audit = &w.store.recent_audit(maria, 1).await.unwrap()[0].entry;
    assert_eq!(audit.action, "document_issued");
    assert!(audit.details.contains("appointment_receipt"));
    let code = audit
        .details
        .split("\"code\":\"")
        .nth(1)
        .unwrap()
        .trim_end_matches("\"}");
    let recorded = w.store.document_by_code(code).await.unwrap().unwrap();
    assert_eq!(recorded.kind, "appointment_receipt");
    assert_eq!(recorded.sha256, rendered.sha256);
    // No receipt for a cancelled appointment.
    a.cancel(&booked.folio, Acting::Member(maria), &caller)
        .await
        .unwrap();
    assert!(matches!(
        a.receipt(renderer, maria, &booked.folio, &caller).await,
        Err(AppointmentError::Cancelled)
    ));
}
