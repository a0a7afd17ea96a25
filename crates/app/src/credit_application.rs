//! "Tramitar mi crédito" (domain.md §4.1, §4.6): the member chooses a product and a purpose,
//! which starts a draft request of kind `CreditApplication` with a folio; uploads the
//! documents of the product's checklist (replacing or deleting them while it is a draft); and
//! submits it once the course is passed and every document is there. From then on it is a
//! request like any other: timeline, service clock, notices, worked in the back office.
//!
//! Documents are received as a stream (`crate::uploads`), judged by their content
//! (`domain::application::files`), scanned, and kept in the blob store under their SHA-256;
//! the request keeps one row per document in `request_attachments`. A refused file leaves
//! nothing behind: no staging file, no blob, no row.

use std::sync::Arc;

use bytes::Bytes;
use domain::application::{DocumentItem, FileProblem, Purpose, checklist, judge, purposes};
use domain::audit::AuditEntry;
use domain::points::Product;
use domain::registry::MemberId;
use domain::requests::{Action, Folio, RequestKind, RequestState};
use futures_util::Stream;
use serde_json::json;
use store::{Attachment, NewStoredFile, Request, Store, StoreError};

use crate::accounts::Caller;
use crate::blobs::{BlobError, BlobStore, BlobStream};
use crate::requests::{Acting, RequestError, Requests, from_store};
use crate::uploads::{self, ReceiveError, Verdict, VirusScan};

/// The largest document accepted: a scanned deed of many pages fits.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// No product, no purpose, or a purpose the product does not serve.
    #[error("application_choice")]
    Choice,
    /// The document is not one the checklist asks for.
    #[error("application_item")]
    Item,
    #[error("{0}")]
    File(FileProblem),
    /// The scanner found something in the file.
    #[error("file_infected")]
    Infected,
    /// The scanner could not say; the file is kept out.
    #[error("file_scan_failed")]
    ScanFailed,
    /// The upload broke off before the end of the file.
    #[error("file_interrupted")]
    Interrupted,
    /// The disk that receives documents is full: nothing of the file was kept.
    #[error("storage_full")]
    StorageFull,
    /// The application was sent already: its documents and answers no longer change.
    #[error("application_not_draft")]
    NotDraft,
    /// An application is already in process.
    #[error("application_already_open")]
    AlreadyOpen,
    /// The course must be passed first.
    #[error("course_required")]
    CourseRequired,
    /// These documents are still missing.
    #[error("application_documents_missing")]
    DocumentsMissing(Vec<DocumentItem>),
    #[error("{0}")]
    Request(RequestError),
    #[error("{0}")]
    Blob(#[from] BlobError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ApplicationError {
    pub fn code(&self) -> &'static str {
        match self {
            ApplicationError::Choice => "application_choice",
            ApplicationError::Item => "application_item",
            ApplicationError::File(p) => p.code(),
            ApplicationError::Infected => "file_infected",
            ApplicationError::ScanFailed => "file_scan_failed",
            ApplicationError::Interrupted => "file_interrupted",
            ApplicationError::StorageFull => "storage_full",
            ApplicationError::NotDraft => "application_not_draft",
            ApplicationError::AlreadyOpen => "application_already_open",
            ApplicationError::CourseRequired => "course_required",
            ApplicationError::DocumentsMissing(_) => "application_documents_missing",
            ApplicationError::Request(e) => e.code(),
            ApplicationError::Blob(_) | ApplicationError::Io(_) => "service_unavailable",
        }
    }

    /// A failure of ours rather than something the member can fix.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            ApplicationError::Blob(_)
                | ApplicationError::Io(_)
                | ApplicationError::Request(RequestError::Store(_))
        )
    }
}

impl From<RequestError> for ApplicationError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Store(StoreError::Conflict("request_state_changed"))
            | RequestError::Changed => ApplicationError::NotDraft,
            other => ApplicationError::Request(other),
        }
    }
}

impl From<StoreError> for ApplicationError {
    fn from(e: StoreError) -> Self {
        ApplicationError::from(from_store(e))
    }
}

/// What the member chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub product: Product,
    pub purpose: Purpose,
}

impl Choice {
    /// The choice from its codes, when the product serves the purpose.
    pub fn parse(product: &str, purpose: &str) -> Result<Choice, ApplicationError> {
        let product = Product::ALL
            .into_iter()
            .find(|p| p.code() == product)
            .ok_or(ApplicationError::Choice)?;
        let purpose = Purpose::from_code(purpose).ok_or(ApplicationError::Choice)?;
        if !purposes(product).contains(&purpose) {
            return Err(ApplicationError::Choice);
        }
        Ok(Choice { product, purpose })
    }

    fn answers(self) -> serde_json::Value {
        json!({ "product": self.product.code(), "purpose": self.purpose.code() })
    }

    fn of(request: &Request) -> Option<Choice> {
        let answers: serde_json::Value = serde_json::from_str(&request.answers).ok()?;
        Choice::parse(answers["product"].as_str()?, answers["purpose"].as_str()?).ok()
    }
}

/// An application as its page shows it.
#[derive(Clone, Debug)]
pub struct ApplicationView {
    pub request: Request,
    pub choice: Choice,
    /// Each document of the checklist, with the file kept for it.
    pub documents: Vec<(DocumentItem, Option<Attachment>)>,
    pub course_passed: bool,
}

impl ApplicationView {
    pub fn missing(&self) -> Vec<DocumentItem> {
        self.documents
            .iter()
            .filter(|(_, file)| file.is_none())
            .map(|(item, _)| *item)
            .collect()
    }
}

/// The credit-application use cases.
#[derive(Clone)]
pub struct CreditApplications {
    store: Arc<dyn Store>,
    requests: Requests,
    blobs: Arc<dyn BlobStore>,
    scanner: Arc<dyn VirusScan>,
    max_bytes: u64,
}

impl CreditApplications {
    pub fn new(
        store: Arc<dyn Store>,
        requests: Requests,
        blobs: Arc<dyn BlobStore>,
        scanner: Arc<dyn VirusScan>,
    ) -> CreditApplications {
        CreditApplications {
            store,
            requests,
            blobs,
            scanner,
            max_bytes: MAX_FILE_BYTES,
        }
    }

    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn audit(
        &self,
        caller: &Caller,
        acting: Acting,
        action: &str,
        member: MemberId,
        details: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: store::stored_instant(self.requests.now()),
            actor: acting.label(),
            action: action.to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: details.to_string(),
        }
    }

    /// The member's application in process (a draft or sent and not yet closed), if any.
    pub async fn current(&self, member: MemberId) -> Result<Option<Request>, ApplicationError> {
        Ok(self
            .store
            .requests_of_member(member)
            .await?
            .into_iter()
            .find(|r| r.kind == RequestKind::CreditApplication && !r.state.is_closed()))
    }

    /// Whether the member has passed the course.
    pub async fn course_passed(&self, member: MemberId) -> Result<bool, ApplicationError> {
        Ok(self.store.course_completion(member).await?.is_some())
    }

    /// Starts the member's application with `choice`, or changes the choice of their draft.
    /// Documents the new checklist no longer asks for are let go.
    pub async fn choose(
        &self,
        member: MemberId,
        choice: Choice,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Folio, ApplicationError> {
        match self.current(member).await? {
            None => {
                let created = self
                    .requests
                    .create_draft(
                        member,
                        RequestKind::CreditApplication,
                        &choice.answers(),
                        acting,
                        caller,
                    )
                    .await?;
                Ok(created.folio)
            }
            Some(request) if request.state == RequestState::Draft => {
                let details = json!({
                    "folio": request.folio.as_str(),
                    "product": choice.product.code(),
                    "purpose": choice.purpose.code(),
                });
                let audit = [self.audit(
                    caller,
                    acting,
                    "application_choice_changed",
                    member,
                    details,
                )];
                self.store
                    .update_draft_answers(
                        member,
                        &request.folio,
                        &choice.answers().to_string(),
                        &audit,
                    )
                    .await?;
                let wanted = checklist(choice.product, choice.purpose);
                for file in self.store.attachments(member, &request.folio).await? {
                    let still_asked = file
                        .item
                        .as_deref()
                        .and_then(DocumentItem::from_code)
                        .is_some_and(|item| wanted.contains(&item));
                    if !still_asked {
                        self.delete_file(member, &request.folio, file.seq, acting, caller)
                            .await?;
                    }
                }
                Ok(request.folio)
            }
            Some(_) => Err(ApplicationError::AlreadyOpen),
        }
    }

    /// The member's application `folio`; someone else's is audited and not found.
    async fn own(
        &self,
        member: MemberId,
        folio: &Folio,
        caller: &Caller,
    ) -> Result<Request, ApplicationError> {
        match self.store.request_by_folio(member, folio).await? {
            Some(r) if r.kind == RequestKind::CreditApplication => Ok(r),
            Some(_) => Err(RequestError::NotFound.into()),
            None => {
                self.requests
                    .refuse_foreign(member, folio, Acting::Member(member), caller)
                    .await?;
                Err(RequestError::NotFound.into())
            }
        }
    }

    async fn own_draft(
        &self,
        member: MemberId,
        folio: &Folio,
        caller: &Caller,
    ) -> Result<(Request, Choice), ApplicationError> {
        let request = self.own(member, folio, caller).await?;
        if request.state != RequestState::Draft {
            return Err(ApplicationError::NotDraft);
        }
        let choice = Choice::of(&request).ok_or(ApplicationError::Choice)?;
        Ok((request, choice))
    }

    /// The member's application: the choice, each document of the checklist with its file.
    pub async fn view(
        &self,
        member: MemberId,
        folio: &Folio,
        caller: &Caller,
    ) -> Result<ApplicationView, ApplicationError> {
        let request = self.own(member, folio, caller).await?;
        let choice = Choice::of(&request).ok_or(ApplicationError::Choice)?;
        let files = self.store.attachments(member, folio).await?;
        let documents = checklist(choice.product, choice.purpose)
            .into_iter()
            .map(|item| {
                let file = files
                    .iter()
                    .find(|f| f.item.as_deref() == Some(item.code()))
                    .cloned();
                (item, file)
            })
            .collect();
        Ok(ApplicationView {
            request,
            choice,
            documents,
            course_passed: self.course_passed(member).await?,
        })
    }

    /// Receives a document for `item` of the member's draft from `chunks`, a piece at a time,
    /// and keeps it in place of the one the item had. Refused files leave nothing behind.
    pub async fn upload<S, E>(
        &self,
        member: MemberId,
        folio: &Folio,
        item: &str,
        chunks: S,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Attachment, ApplicationError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        if acting.member() != Some(member) {
            return Err(RequestError::NotPermitted.into());
        }
        let (_, choice) = self.own_draft(member, folio, caller).await?;
        let item = DocumentItem::from_code(item)
            .filter(|i| checklist(choice.product, choice.purpose).contains(i))
            .ok_or(ApplicationError::Item)?;
        let staged = match uploads::receive(self.blobs.staging_dir(), chunks, self.max_bytes).await
        {
            Ok(staged) => staged,
            Err(ReceiveError::TooLarge) => {
                return Err(ApplicationError::File(FileProblem::TooLarge));
            }
            Err(ReceiveError::Interrupted(_)) => return Err(ApplicationError::Interrupted),
            Err(ReceiveError::Io(e)) if e.kind() == std::io::ErrorKind::StorageFull => {
                tracing::error!(error = %e, "no room for an uploaded document");
                return Err(ApplicationError::StorageFull);
            }
            Err(ReceiveError::Io(e)) => return Err(e.into()),
        };
        let kind = judge(&staged.sniffed, self.max_bytes).map_err(ApplicationError::File)?;
        let scanner = self.scanner.name();
        match self.scanner.scan(staged.path()).await {
            Ok(Verdict::Clean) => {}
            Ok(Verdict::Infected(found)) => {
                let details = json!({
                    "folio": folio.as_str(),
                    "item": item.code(),
                    "sha256": hex::encode(staged.sha256),
                    "scanner": scanner,
                    "found": found,
                });
                let audit = self.audit(caller, acting, "upload_infected", member, details);
                self.store.append_audit(&[audit]).await?;
                return Err(ApplicationError::Infected);
            }
            Err(e) => {
                tracing::error!(error = %e, "virus scan failed");
                return Err(ApplicationError::ScanFailed);
            }
        }
        let sha256 = staged.sha256;
        let size = staged.sniffed.size;
        self.blobs.put(staged.path(), &sha256).await?;
        staged.keep();
        let file = NewStoredFile {
            item: item.code().to_owned(),
            // The member's own file name is never used: it may carry personal data or tricks.
            file_name: format!("{}.{}", item.code(), kind.extension()),
            content_type: kind.content_type().to_owned(),
            size,
            sha256,
            uploaded_at: self.requests.now(),
        };
        let details = json!({
            "folio": folio.as_str(),
            "item": item.code(),
            "size": size,
            "sha256": hex::encode(sha256),
            "type": kind.content_type(),
            "scanner": scanner,
        });
        let audit = [self.audit(caller, acting, "application_file_kept", member, details)];
        match self
            .store
            .put_draft_file(member, folio, &file, &audit)
            .await
        {
            Ok((kept, replaced)) => {
                if let Some(old) = replaced.filter(|old| *old != sha256) {
                    self.release(&old).await;
                }
                Ok(kept)
            }
            Err(e) => {
                self.release(&sha256).await;
                Err(e.into())
            }
        }
    }

    /// Lets a blob go when no attachment points at it any more. A failure only leaves an
    /// unused blob, which is logged.
    async fn release(&self, sha256: &[u8; 32]) {
        match self.store.blob_in_use(sha256).await {
            Ok(false) => {
                if let Err(e) = self.blobs.delete(sha256).await {
                    tracing::warn!(error = %e, "unused blob left in the store");
                }
            }
            Ok(true) => {}
            Err(e) => tracing::warn!(error = %e, "unused blob left in the store"),
        }
    }

    /// Deletes a document of the member's draft.
    pub async fn delete_file(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
        acting: Acting,
        caller: &Caller,
    ) -> Result<(), ApplicationError> {
        if acting.member() != Some(member) {
            return Err(RequestError::NotPermitted.into());
        }
        self.own_draft(member, folio, caller).await?;
        let details = json!({ "folio": folio.as_str(), "seq": seq });
        let audit = [self.audit(caller, acting, "application_file_deleted", member, details)];
        match self
            .store
            .delete_draft_file(member, folio, seq, &audit)
            .await?
        {
            Some(sha256) => {
                self.release(&sha256).await;
                Ok(())
            }
            None => Err(RequestError::NotFound.into()),
        }
    }

    /// One document of the member's own application, with its bytes as a stream. Another
    /// member's folio finds nothing, and the attempt is audited.
    pub async fn file(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
        caller: &Caller,
    ) -> Result<(Attachment, BlobStream), ApplicationError> {
        let found = self.store.attachment(member, folio, seq).await?;
        let Some((file, _)) = found.filter(|(f, _)| f.in_blob_store) else {
            if let Some(owner) = self.store.folio_owner(folio).await?
                && owner != member
            {
                let details = json!({ "folio": folio.as_str(), "what": "attachment", "seq": seq });
                let entry = self.audit(
                    caller,
                    Acting::Member(member),
                    "access_denied",
                    member,
                    details,
                );
                self.store.append_audit(&[entry]).await?;
            }
            return Err(RequestError::NotFound.into());
        };
        let bytes =
            self.blobs.get(&file.sha256).await?.ok_or_else(|| {
                BlobError(format!("blob {} is missing", hex::encode(file.sha256)))
            })?;
        Ok((file, bytes))
    }

    /// Sends the member's draft: the course must be passed and every document there. The
    /// request machinery gives the promised date, the timeline line and the notices.
    pub async fn submit(
        &self,
        member: MemberId,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, ApplicationError> {
        if acting.member() != Some(member) {
            return Err(RequestError::NotPermitted.into());
        }
        let view = self.view(member, folio, caller).await?;
        if view.request.state != RequestState::Draft {
            return Err(ApplicationError::NotDraft);
        }
        if !view.course_passed {
            return Err(ApplicationError::CourseRequired);
        }
        let missing = view.missing();
        if !missing.is_empty() {
            return Err(ApplicationError::DocumentsMissing(missing));
        }
        Ok(self
            .requests
            .act(folio, Action::Submit, acting, caller)
            .await?)
    }
}
