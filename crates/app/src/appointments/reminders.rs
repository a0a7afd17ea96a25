//! The reminder the day before: a job that queues an e-mail and an SMS for every appointment of
//! tomorrow, exactly once each. Marking the appointment reminded and queueing its messages are
//! one transaction made only if it was not reminded yet, so two runs at once (two instances, a
//! retried cron) send one reminder; a move to another day sends a new one for that day.

use domain::audit::{AuditEntry, Channel};
use serde_json::json;
use time::Date;

use super::notices::Event;
use super::{AppointmentError, Appointments};

/// Appointments read at a time.
const BATCH: u32 = 200;

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReminderRun {
    /// The day reminded of.
    pub day: Option<Date>,
    /// Reminders queued by this run.
    pub queued: usize,
    /// Appointments another run, a move or a cancellation got to first.
    pub skipped: usize,
}

impl Appointments {
    /// Queues the reminders of tomorrow's appointments (tomorrow in Mexico City).
    pub async fn remind_tomorrow(&self) -> Result<ReminderRun, AppointmentError> {
        let today = self.today();
        self.remind(today.next_day().unwrap_or(today)).await
    }

    /// Queues the reminders of the appointments on `day` that have none yet.
    pub async fn remind(&self, day: Date) -> Result<ReminderRun, AppointmentError> {
        let mut run = ReminderRun {
            day: Some(day),
            ..ReminderRun::default()
        };
        loop {
            let due = self.store.appointments_to_remind(day, BATCH).await?;
            for appointment in &due {
                let member = appointment.member_id;
                // An office no longer in the file has no name or address to write: the
                // appointment is marked, so the run moves on, but nothing is sent.
                let notify = match self.offices.by_code(appointment.office.as_str()) {
                    Some(office) => {
                        self.notices(
                            member,
                            Event::Reminder,
                            (
                                &appointment.folio,
                                appointment.procedure,
                                office,
                                appointment.slot,
                            ),
                        )
                        .await?
                    }
                    None => Vec::new(),
                };
                let now = self.clock.now();
                let audit = [AuditEntry {
                    at: store::stored_instant(now),
                    actor: "system".into(),
                    action: "appointment_reminded".into(),
                    member_id: Some(member.0),
                    channel: Channel::System,
                    origin: "appointment-reminders".into(),
                    details: json!({
                        "folio": appointment.folio.as_str(),
                        "day": domain::dates::iso(day),
                        "messages": notify.len(),
                    })
                    .to_string(),
                }];
                let marked = self
                    .store
                    .mark_reminded(member, &appointment.folio, day, now, &audit, &notify)
                    .await?;
                if marked {
                    run.queued += 1;
                } else {
                    run.skipped += 1;
                }
            }
            // Every appointment listed was marked here or elsewhere, so it is not listed
            // again; a short batch was the last.
            if due.len() < BATCH as usize {
                break;
            }
        }
        Ok(run)
    }
}
