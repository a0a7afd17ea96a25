//! What a member is told when one of their requests changes: an e-mail on every change, and an
//! SMS when something was decided or the member has to act. Texts come from `requests.ftl`; the
//! messages are queued in the change's own transaction.

use domain::requests::{ActionName, Folio, ReasonCode, RequestKind, RequestState};
use fluent_bundle::FluentArgs;
use store::{Account, NewMessage, OutboxChannel};
use time::{Date, OffsetDateTime};

use crate::i18n::{Lang, Messages};

/// What happened to a request, for the texts.
pub(crate) struct Notice<'a> {
    pub kind: RequestKind,
    pub folio: &'a Folio,
    pub action: ActionName,
    pub state: &'a RequestState,
    pub promised_on: Option<Date>,
}

/// Events that also go by SMS: the member learns of a decision, or must act.
fn by_sms(action: ActionName) -> bool {
    matches!(
        action,
        ActionName::Submit
            | ActionName::AskForCorrection
            | ActionName::Approve
            | ActionName::Reject
            | ActionName::Complete
    )
}

/// "23 de diciembre de 2026" / "23 December 2026".
pub fn long_date(lang: Lang, day: Date) -> String {
    match lang {
        Lang::Es => documents::format::long_date(day),
        Lang::En => format!("{} {} {}", day.day(), day.month(), day.year()),
    }
}

/// The member-facing text of a reason code, or a general one when the code has none.
pub fn reason_text(messages: &Messages, lang: Lang, reason: &ReasonCode) -> String {
    let id = format!("request-reason-{reason}");
    if messages.has(lang, &id) || messages.has(Lang::Es, &id) {
        messages.text(lang, &id)
    } else {
        messages.text(lang, "request-reason-other")
    }
}

pub fn kind_text(messages: &Messages, lang: Lang, kind: RequestKind) -> String {
    messages.text(lang, &format!("request-kind-{}", kind.code()))
}

/// The e-mail (and SMS) for `notice`, to the contacts of `account`; none without an account.
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
    args.set("kind", kind_text(messages, lang, notice.kind));
    args.set("folio", notice.folio.as_str().to_owned());
    args.set(
        "stage",
        messages.text(
            lang,
            &format!("request-stage-{}", notice.state.stage().code()),
        ),
    );
    if let Some(day) = notice.promised_on {
        args.set("promised", long_date(lang, day));
    }
    if let Some(reason) = notice.state.reason() {
        args.set("reason", reason_text(messages, lang, reason));
    }
    let event = notice.action.event_code();
    let body = format!(
        "{}\n\n{}",
        messages.format(lang, &format!("request-notice-{event}"), Some(&args)),
        messages.text(lang, "free-and-personal")
    );
    let mut out = vec![NewMessage {
        channel: OutboxChannel::Email,
        recipient: account.email.clone(),
        subject: messages.format(lang, "request-notice-subject", Some(&args)),
        body,
        created_at: now,
    }];
    if by_sms(notice.action) {
        out.push(NewMessage {
            channel: OutboxChannel::Sms,
            recipient: account.mobile.clone(),
            subject: String::new(),
            body: messages.format(lang, &format!("request-sms-{event}"), Some(&args)),
            created_at: now,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::registry::MemberId;
    use domain::requests::{Owner, RequestStage};
    use store::AccountId;
    use time::macros::{date, datetime};

    fn account() -> Account {
        Account {
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
        }
    }

    #[test]
    fn every_kind_stage_event_owner_and_action_has_a_text_in_both_languages() {
        let messages = Messages::load().unwrap();
        let mut ids: Vec<String> = Vec::new();
        ids.extend(
            RequestKind::ALL
                .iter()
                .map(|k| format!("request-kind-{}", k.code())),
        );
        ids.extend(
            RequestStage::ALL
                .iter()
                .map(|s| format!("request-stage-{}", s.code())),
        );
        for action in ActionName::ALL {
            ids.push(format!("request-action-{}", action.code()));
            ids.push(format!("request-event-{}", action.event_code()));
            ids.push(format!("request-notice-{}", action.event_code()));
            if by_sms(action) {
                ids.push(format!("request-sms-{}", action.event_code()));
            }
        }
        ids.extend(
            [Owner::Member, Owner::Fund, Owner::Nobody]
                .iter()
                .map(|o| format!("request-owner-{}", o.code())),
        );
        ids.extend(["member", "operator", "system"].map(|b| format!("request-by-{b}")));
        for id in ids {
            for lang in [Lang::Es, Lang::En] {
                assert!(messages.has(lang, &id), "{id} has no {} text", lang.tag());
            }
        }
    }

    #[test]
    fn a_refusal_is_mailed_and_texted_with_its_reason_and_nothing_goes_without_an_account() {
        let messages = Messages::load().unwrap();
        // Completed with whichever check character makes it valid.
        let folio = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
            .chars()
            .find_map(|c| Folio::parse(&format!("CAN-2026-7KQ2M9XA{c}")).ok())
            .unwrap();
        let state = RequestState::Rejected {
            reason: ReasonCode::parse("balance_not_zero").unwrap(),
        };
        let notice = Notice {
            kind: RequestKind::CancellationLetter,
            folio: &folio,
            action: ActionName::Reject,
            state: &state,
            promised_on: Some(date!(2026 - 12 - 23)),
        };
        let now = datetime!(2026-11-25 18:00 UTC);
        let sent = compose(&messages, Lang::Es, Some(&account()), &notice, now);
        assert_eq!(sent.len(), 2);
        let (mail, sms) = (&sent[0], &sent[1]);
        assert_eq!(
            (mail.channel, mail.recipient.as_str()),
            (OutboxChannel::Email, "maria@example.mx")
        );
        assert_eq!(
            mail.subject,
            format!("Carta de cancelación de hipoteca, folio {folio}: No procedente")
        );
        assert!(
            mail.body.contains("Tu crédito todavía tiene saldo."),
            "{}",
            mail.body
        );
        assert!(
            mail.body.contains("gratuitos y personales"),
            "{}",
            mail.body
        );
        assert_eq!(
            (sms.channel, sms.recipient.as_str()),
            (OutboxChannel::Sms, "5512345678")
        );
        assert!(sms.body.contains(folio.as_str()));
        assert!(
            !sms.body.contains("saldo"),
            "no detail by SMS: {}",
            sms.body
        );

        let english = compose(&messages, Lang::En, Some(&account()), &notice, now);
        assert!(english[0].body.contains("Your credit still has a balance."));

        let review = Notice {
            action: ActionName::StartReview,
            state: &RequestState::InReview,
            ..notice
        };
        let sent = compose(&messages, Lang::Es, Some(&account()), &review, now);
        assert_eq!(sent.len(), 1, "a review starting goes by e-mail only");
        assert!(
            sent[0].body.contains("23 de diciembre de 2026"),
            "{}",
            sent[0].body
        );
        assert!(compose(&messages, Lang::Es, None, &review, now).is_empty());
    }

    #[test]
    fn an_unknown_reason_gets_the_general_text() {
        let messages = Messages::load().unwrap();
        let reason = ReasonCode::parse("something_new").unwrap();
        assert_eq!(
            reason_text(&messages, Lang::Es, &reason),
            messages.text(Lang::Es, "request-reason-other")
        );
        assert_eq!(
            long_date(Lang::En, date!(2026 - 12 - 23)),
            "23 December 2026"
        );
    }
}
