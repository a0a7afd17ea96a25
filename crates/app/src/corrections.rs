//! Data corrections (domain.md §12): the member states what is wrong in their name, CURP or RFC
//! and attaches evidence; the proposal is checked before filing (`domain::corrections`); an
//! operator compares and, on completing the request, the corrected record is written in the
//! same transaction. Everything a member owns is keyed by the internal member id, so the
//! accounts, balances, credits and requests follow the corrected record.

use std::sync::Arc;

use domain::corrections::{self, Checked, CorrectionField, Problem, Proposal};
use domain::registry::{MemberId, Person};
use domain::requests::{Action, Folio, RequestKind};
use serde_json::json;
use sha2::Digest;
use store::{Attachment, NewAttachment, Store, StoreError};

use crate::accounts::Caller;
use crate::requests::{Acting, Filed, RequestError, Requests, from_store};

/// At most this many files, each at most this big.
pub const MAX_FILES: usize = 3;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A file as uploaded.
#[derive(Clone, Debug)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// The proposal would be rejected: each field with its reason.
    #[error("correction_problems")]
    Problems(Vec<(CorrectionField, Problem)>),
    #[error("correction_evidence_required")]
    EvidenceRequired,
    #[error("correction_too_many_files")]
    TooManyFiles,
    #[error("correction_file_too_large")]
    FileTooLarge,
    /// Only PDF, JPEG and PNG files, recognised by their content.
    #[error("correction_file_type")]
    FileType,
    /// The records changed since the request was filed and no longer match it.
    #[error("correction_outdated")]
    Outdated,
    /// The corrected CURP is another member's.
    #[error("curp_taken")]
    CurpTaken,
    /// The receipt could not be made.
    #[error("receipt failed: {0}")]
    Receipt(String),
    #[error("{0}")]
    Request(#[from] RequestError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl CorrectionError {
    pub fn code(&self) -> &'static str {
        match self {
            CorrectionError::Problems(_) => "correction_problems",
            CorrectionError::EvidenceRequired => "correction_evidence_required",
            CorrectionError::TooManyFiles => "correction_too_many_files",
            CorrectionError::FileTooLarge => "correction_file_too_large",
            CorrectionError::FileType => "correction_file_type",
            CorrectionError::Outdated => "correction_outdated",
            CorrectionError::CurpTaken => "curp_taken",
            CorrectionError::Receipt(_) => "service_unavailable",
            CorrectionError::Request(e) => e.code(),
            CorrectionError::Store(_) => "service_unavailable",
        }
    }
}

/// The file's type by its first bytes, never by its name.
fn content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A file name safe to show and to send back: the last path part, printable, at most 100.
fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "archivo".to_owned()
    } else {
        cleaned
    }
}

fn evidence(uploads: &[Upload]) -> Result<Vec<NewAttachment>, CorrectionError> {
    let files: Vec<&Upload> = uploads.iter().filter(|u| !u.bytes.is_empty()).collect();
    if files.is_empty() {
        return Err(CorrectionError::EvidenceRequired);
    }
    if files.len() > MAX_FILES {
        return Err(CorrectionError::TooManyFiles);
    }
    files
        .into_iter()
        .map(|u| {
            if u.bytes.len() > MAX_FILE_BYTES {
                return Err(CorrectionError::FileTooLarge);
            }
            let kind = content_type(&u.bytes).ok_or(CorrectionError::FileType)?;
            Ok(NewAttachment {
                file_name: clean_file_name(&u.file_name),
                content_type: kind.to_owned(),
                sha256: sha2::Sha256::digest(&u.bytes).into(),
                bytes: u.bytes.clone(),
            })
        })
        .collect()
}

/// The data-correction use cases.
#[derive(Clone)]
pub struct Corrections {
    store: Arc<dyn Store>,
    requests: Requests,
}

impl Corrections {
    pub fn new(store: Arc<dyn Store>, requests: Requests) -> Corrections {
        Corrections { store, requests }
    }

    async fn person(&self, member: MemberId) -> Result<Person, CorrectionError> {
        Ok(self
            .store
            .member(member)
            .await?
            .ok_or(RequestError::NoMember)?
            .person)
    }

    /// The form as it starts: the member's data as recorded.
    pub async fn current(&self, member: MemberId) -> Result<Proposal, CorrectionError> {
        Ok(Proposal::from_person(&self.person(member).await?))
    }

    /// The check before filing: the changes, or each field that would be rejected and why.
    pub async fn check(
        &self,
        member: MemberId,
        proposal: &Proposal,
    ) -> Result<Checked, CorrectionError> {
        corrections::check(&self.person(member).await?, proposal).map_err(CorrectionError::Problems)
    }

    /// Files the correction with its evidence, after checking it again.
    pub async fn submit(
        &self,
        member: MemberId,
        proposal: &Proposal,
        explanation: &str,
        uploads: &[Upload],
        acting: Acting,
        caller: &Caller,
    ) -> Result<Filed, CorrectionError> {
        let checked = self.check(member, proposal).await?;
        let attachments = evidence(uploads)?;
        let explanation: String = explanation.trim().chars().take(500).collect();
        let answers = json!({
            "changes": checked.changes,
            "explanation": explanation,
            "files": attachments.iter().map(|a| json!({
                "name": a.file_name,
                "type": a.content_type,
                "size": a.bytes.len(),
                "sha256": hex::encode(a.sha256),
            })).collect::<Vec<_>>(),
        });
        Ok(self
            .requests
            .submit_with_attachments(
                member,
                RequestKind::DataCorrection,
                &answers,
                &attachments,
                acting,
                caller,
            )
            .await?)
    }

    /// The evidence of a request, for the member who filed it or an operator.
    pub async fn files(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<Attachment>, CorrectionError> {
        Ok(self.store.attachments(member, folio).await?)
    }

    pub async fn file(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
    ) -> Result<Option<(Attachment, Vec<u8>)>, CorrectionError> {
        Ok(self.store.attachment(member, folio, seq).await?)
    }

    /// The "Acuse de solicitud" of the member's correction `folio`: each change, the documents
    /// sent, the promised date; issued with a verification code through `crate::issue`.
    pub async fn receipt_pdf(
        &self,
        renderer: Arc<documents::Renderer>,
        member: MemberId,
        folio: &Folio,
        now: time::OffsetDateTime,
        caller: &Caller,
    ) -> Result<documents::Rendered, CorrectionError> {
        let status = self.requests.status(member, folio, caller).await?;
        if status.kind != RequestKind::DataCorrection {
            return Err(RequestError::NotFound.into());
        }
        let request = self
            .store
            .request_by_folio(member, folio)
            .await?
            .ok_or(RequestError::NotFound)?;
        let messages = self.requests.messages();
        let lang = crate::i18n::Lang::Es;
        let t = |id: &str| messages.text(lang, id);
        let answers: serde_json::Value =
            serde_json::from_str(&request.answers).unwrap_or(serde_json::Value::Null);
        let changes: Vec<corrections::Change> =
            serde_json::from_value(answers["changes"].clone()).unwrap_or_default();
        let mut rows: Vec<(String, String)> = changes
            .iter()
            .map(|c| {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("from", c.from.clone());
                args.set("to", c.to.clone());
                (
                    t(&format!("field-{}", c.field.code())),
                    messages.format(lang, "correction-from-to", Some(&args)),
                )
            })
            .collect();
        let files: Vec<String> = self
            .store
            .attachments(member, folio)
            .await?
            .into_iter()
            .map(|f| f.file_name)
            .collect();
        rows.push((t("correction-files"), files.join(", ")));
        let channel = match request.channel {
            c @ (domain::audit::Channel::Cesi
            | domain::audit::Channel::Phone
            | domain::audit::Channel::App) => t(&format!("refund-channel-{}", c.code())),
            _ => t("refund-channel-web"),
        };
        let data = documents::RequestReceipt {
            folio: folio.as_str().to_owned(),
            kind_label: crate::requests::kind_text(messages, lang, RequestKind::DataCorrection),
            member: self
                .store
                .member(member)
                .await?
                .ok_or(RequestError::NoMember)?,
            submitted_at: request.submitted_at.unwrap_or(now),
            promised_on: request
                .promised_on
                .unwrap_or_else(|| domain::dates::mexico_city_date(now)),
            channel_label: channel,
            answers: rows,
        };
        crate::issue::issue(
            self.store.as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await
        .map_err(|e| match e {
            crate::issue::IssueError::Store(s) => CorrectionError::Store(s),
            other => CorrectionError::Receipt(other.to_string()),
        })
    }

    /// Completes an approved correction: the member's record is rewritten with the changes
    /// filed and the request marked done, in one transaction. The changes are applied to the
    /// record as it is now and checked again, so a record corrected meanwhile is not
    /// overwritten with stale data.
    pub async fn apply(
        &self,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Person, CorrectionError> {
        let prepared = self
            .requests
            .prepare(folio, Action::Complete, acting, caller)
            .await?;
        let request = &prepared.request;
        if request.kind != RequestKind::DataCorrection {
            return Err(RequestError::NotPermitted.into());
        }
        let member = request.member_id;
        let current = self.person(member).await?;
        let answers: serde_json::Value =
            serde_json::from_str(&request.answers).map_err(|_| CorrectionError::Outdated)?;
        let changes: Vec<corrections::Change> = serde_json::from_value(answers["changes"].clone())
            .map_err(|_| CorrectionError::Outdated)?;
        let mut proposal = Proposal::from_person(&current);
        for change in &changes {
            let (field, recorded) = match change.field {
                CorrectionField::GivenNames => (&mut proposal.given_names, &current.given_names),
                CorrectionField::FirstSurname => {
                    (&mut proposal.first_surname, &current.first_surname)
                }
                CorrectionField::SecondSurname => {
                    (&mut proposal.second_surname, &current.second_surname)
                }
                CorrectionField::Curp => (&mut proposal.curp, &current.curp.as_str().to_owned()),
                CorrectionField::Rfc => (&mut proposal.rfc, &current.rfc.as_str().to_owned()),
            };
            if *recorded != change.from {
                return Err(CorrectionError::Outdated);
            }
            *field = change.to.clone();
        }
        let checked =
            corrections::check(&current, &proposal).map_err(|_| CorrectionError::Outdated)?;
        let mut audit = prepared.audit.clone();
        if let Some(entry) = audit.first().cloned() {
            audit.push(domain::audit::AuditEntry {
                action: "member_data_corrected".into(),
                details: json!({ "folio": folio.as_str(), "changes": checked.changes }).to_string(),
                ..entry
            });
        }
        self.store
            .apply_correction(
                member,
                &checked.corrected,
                folio,
                &prepared.change,
                &audit,
                &prepared.notify,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict("curp_taken") => CorrectionError::CurpTaken,
                other => CorrectionError::Request(from_store(other)),
            })?;
        Ok(checked.corrected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_checked_by_content_count_and_size() {
        let pdf = Upload {
            file_name: "C:\\Docs\\acta\"nac\".pdf".into(),
            bytes: b"%PDF-1.7 ...".to_vec(),
        };
        let files = evidence(std::slice::from_ref(&pdf)).unwrap();
        assert_eq!(files[0].file_name, "actanac.pdf");
        assert_eq!(files[0].content_type, "application/pdf");
        assert!(matches!(
            evidence(&[]),
            Err(CorrectionError::EvidenceRequired)
        ));
        let exe = Upload {
            file_name: "acta.pdf".into(),
            bytes: b"MZ\x90\x00".to_vec(),
        };
        assert!(matches!(evidence(&[exe]), Err(CorrectionError::FileType)));
        let big = Upload {
            file_name: "grande.pdf".into(),
            bytes: [b"%PDF-".as_slice(), &vec![0; MAX_FILE_BYTES]].concat(),
        };
        assert!(matches!(
            evidence(&[big]),
            Err(CorrectionError::FileTooLarge)
        ));
        let four = vec![pdf; 4];
        assert!(matches!(
            evidence(&four),
            Err(CorrectionError::TooManyFiles)
        ));
    }
}
