//! What a member is told about their appointment: an e-mail on every change and the day before,
//! and an SMS when it is booked, moved, and the day before. Texts come from `appointments.ftl`;
//! the messages are queued in the change's own transaction.

use domain::appointments::{AppointmentFolio, Office, Procedure, Slot};
use fluent_bundle::FluentArgs;
use store::{Account, NewMessage, OutboxChannel};
use time::OffsetDateTime;

use crate::i18n::{Lang, Messages};
use crate::requests::long_date;

/// What happened to an appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Booked,
    Rescheduled,
    Cancelled,
    Reminder,
}

impl Event {
    #[cfg(test)]
    pub(crate) const ALL: [Event; 4] = [
        Event::Booked,
        Event::Rescheduled,
        Event::Cancelled,
        Event::Reminder,
    ];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Event::Booked => "booked",
            Event::Rescheduled => "rescheduled",
            Event::Cancelled => "cancelled",
            Event::Reminder => "reminder",
        }
    }

    pub(crate) fn by_sms(self) -> bool {
        !matches!(self, Event::Cancelled)
    }
}

pub(crate) struct Notice<'a> {
    pub event: Event,
    pub folio: &'a AppointmentFolio,
    pub procedure: Procedure,
    pub office: &'a Office,
    pub slot: Slot,
}

pub fn procedure_text(messages: &Messages, lang: Lang, procedure: Procedure) -> String {
    messages.text(lang, &format!("appointment-procedure-{}", procedure.code()))
}

/// The e-mail (and SMS) for `notice` to the contacts of `account`; none without an account
/// (a member booked for by phone who never signed up).
pub(crate) fn compose(
    messages: &Messages,
    lang: Lang,
    account: Option<&Account>,
    notice: &Notice<'_>,
    now: OffsetDateTime,
) -> Vec<NewMessage> {
    let Some(account) = account else {
        return Vec::new();
    };
    let mut args = FluentArgs::new();
    args.set(
        "procedure",
        procedure_text(messages, lang, notice.procedure),
    );
    args.set("folio", notice.folio.as_str().to_owned());
    args.set("office", notice.office.name.clone());
    args.set("address", notice.office.address.clone());
    args.set("date", long_date(lang, notice.slot.day));
    args.set("time", notice.slot.time_text());
    let event = notice.event.code();
    let body = format!(
        "{}\n\n{}",
        messages.format(lang, &format!("appointment-notice-{event}"), Some(&args)),
        messages.text(lang, "free-and-personal")
    );
    let mut out = vec![NewMessage {
        channel: OutboxChannel::Email,
        recipient: account.email.clone(),
        subject: messages.format(lang, &format!("appointment-subject-{event}"), Some(&args)),
        body,
        created_at: now,
    }];
    if notice.event.by_sms() {
        out.push(NewMessage {
            channel: OutboxChannel::Sms,
            recipient: account.mobile.clone(),
            subject: String::new(),
            body: messages.format(lang, &format!("appointment-sms-{event}"), Some(&args)),
            created_at: now,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::appointments::Offices;
    use domain::reference::ReferenceTables;
    use domain::registry::MemberId;
    use store::AccountId;
    use time::macros::{date, datetime};

    #[test]
    fn every_event_procedure_and_document_has_a_text_in_both_languages() {
        let messages = Messages::load().unwrap();
        let mut ids: Vec<String> = Vec::new();
        for event in Event::ALL {
            ids.push(format!("appointment-subject-{}", event.code()));
            ids.push(format!("appointment-notice-{}", event.code()));
            if event.by_sms() {
                ids.push(format!("appointment-sms-{}", event.code()));
            }
        }
        for p in Procedure::ALL {
            ids.push(format!("appointment-procedure-{}", p.code()));
            ids.push(format!("appointment-procedure-{}-hint", p.code()));
            ids.extend(p.bring().iter().map(|d| format!("appointment-bring-{d}")));
        }
        ids.extend(
            super::super::AppointmentError::MEMBER_CODES
                .iter()
                .map(|c| (*c).to_owned()),
        );
        for id in ids {
            for lang in [Lang::Es, Lang::En] {
                assert!(messages.has(lang, &id), "{id} has no {} text", lang.tag());
            }
        }
    }

    #[test]
    fn a_booking_is_mailed_and_texted_and_a_cancellation_only_mailed() {
        let messages = Messages::load().unwrap();
        let offices = Offices::embedded(&ReferenceTables::embedded().unwrap().states).unwrap();
        let office = offices.by_code("NLE01").unwrap();
        let folio = AppointmentFolio::parse("CIT-2026-000000000").unwrap();
        let account = Account {
            account_id: AccountId(1),
            member_id: MemberId(1),
            email: "maria@example.mx".into(),
            mobile: "5512345678".into(),
            password_hash: String::new(),
            state: store::AccountState::Active,
            created_at: datetime!(2026-01-01 0:00 UTC),
            activated_at: None,
            totp_secret: None,
            contact_changed_at: None,
        };
        let notice = Notice {
            event: Event::Booked,
            folio: &folio,
            procedure: Procedure::InsuranceRelease,
            office,
            slot: Slot::parse("2026-12-03", "10:30").unwrap(),
        };
        let now = datetime!(2026-11-25 18:00 UTC);
        let sent = compose(&messages, Lang::Es, Some(&account), &notice, now);
        assert_eq!(sent.len(), 2);
        let (mail, sms) = (&sent[0], &sent[1]);
        assert_eq!(mail.recipient, "maria@example.mx");
        for expected in [
            "3 de diciembre de 2026",
            "10:30",
            &office.name,
            &office.address,
            folio.as_str(),
            "gratuitos y personales",
        ] {
            assert!(mail.body.contains(expected), "{expected}: {}", mail.body);
        }
        assert!(mail.subject.contains(folio.as_str()), "{}", mail.subject);
        assert_eq!(sms.recipient, "5512345678");
        assert!(sms.body.contains(folio.as_str()) && sms.body.contains("10:30"));
        let cancelled = Notice {
            event: Event::Cancelled,
            ..notice
        };
        let sent = compose(&messages, Lang::En, Some(&account), &cancelled, now);
        assert_eq!(sent.len(), 1, "a cancellation goes by e-mail only");
        assert!(sent[0].body.contains("3 December 2026"), "{}", sent[0].body);
        assert!(compose(&messages, Lang::Es, None, &cancelled, now).is_empty());
        assert_eq!(date!(2026 - 12 - 03), notice.slot.day);
    }
}
