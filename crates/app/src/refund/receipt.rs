//! The "Acuse de solicitud" of a refund: what was filed, where the money goes (the bank and the
//! last four digits), the amount by bucket and who pays it, the e.firma's certificate and the
//! request's fingerprint, issued with a verification code through `crate::issue`.

use std::sync::Arc;

use documents::{Rendered, Renderer, RequestReceipt};
use domain::audit::Channel;
use domain::refund::Payer;
use domain::registry::MemberId;
use domain::requests::Folio;
use time::OffsetDateTime;

use super::{PensionerRefunds, RefundError};
use crate::accounts::Caller;
use crate::i18n::Lang;
use crate::issue::issue;
use crate::requests::kind_text;

impl PensionerRefunds {
    /// The receipt of the member's refund request `folio`.
    pub async fn receipt_pdf(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        folio: &Folio,
        now: OffsetDateTime,
        caller: &Caller,
    ) -> Result<Rendered, RefundError> {
        let view = self.view(member, folio, caller).await?;
        let person = self
            .store
            .member(member)
            .await?
            .ok_or(RefundError::NoMember)?;
        let (lang, m) = (Lang::Es, &self.messages);
        let t = |id: &str| m.text(lang, id);
        let a = &view.answers;
        let mut answers = vec![
            (
                t("refund-regime"),
                t(&format!("refund-regime-{}", a.amounts.regime.code())),
            ),
            (
                t("refund-bank"),
                format!(
                    "{}, {} {}",
                    a.bank_name,
                    t("refund-clabe-ending"),
                    &a.clabe.as_str()[14..]
                ),
            ),
        ];
        if let Some(option) = a.amounts.option {
            answers.push((
                t("refund-option"),
                t(&format!("refund-option-{}", option.code())),
            ));
        }
        for line in &a.amounts.lines {
            answers.push((
                t(&format!("bucket-{}", line.bucket.code())),
                format!(
                    "{} ({})",
                    line.amount.pesos(),
                    t(&format!("refund-payer-{}", line.payer.code()))
                ),
            ));
        }
        answers.push((t("refund-from-infonavit"), a.amounts.from_infonavit.pesos()));
        if a.amounts.lines.iter().any(|l| l.payer != Payer::Infonavit) {
            answers.push((t("refund-through-afore"), a.amounts.through_afore.pesos()));
        }
        answers.push((t("refund-holder-declared"), t("refund-yes")));
        answers.push((
            t("refund-certificate-serial"),
            a.efirma.certificate_number(),
        ));
        answers.push((t("refund-digest"), a.efirma.digest.clone()));
        let channel = match view.status.timeline.first().map(|e| e.channel) {
            Some(c @ (Channel::Cesi | Channel::Phone | Channel::App)) => {
                t(&format!("refund-channel-{}", c.code()))
            }
            _ => t("refund-channel-web"),
        };
        let data = RequestReceipt {
            folio: folio.as_str().to_owned(),
            kind_label: kind_text(m, lang, view.status.kind),
            member: person,
            submitted_at: view.submitted_at.unwrap_or(now),
            promised_on: view
                .promised_on
                .unwrap_or_else(|| domain::dates::mexico_city_date(now)),
            channel_label: channel,
            answers,
        };
        Ok(issue(
            self.store.as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await?)
    }
}
