//! "Saber más para decidir mejor": the course a member passes before applying for a credit.
//! The pages are texts; the quiz is marked by `domain::application::course`; a pass is recorded
//! once (the first pass counts) with an audit row, and the certificate is issued as a verifiable
//! PDF through `crate::issue`.

use std::sync::Arc;

use domain::application::course::{self, Graded};
use domain::registry::MemberId;
use serde_json::json;
use store::{CourseCompletion, Store, StoreError};

use crate::accounts::Caller;
use crate::clock::Clock;

#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// The certificate is asked for before the course is passed.
    #[error("course_not_passed")]
    NotPassed,
    #[error("member_not_found")]
    NoMember,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Issue(#[from] crate::issue::IssueError),
}

impl CourseError {
    pub fn code(&self) -> &'static str {
        match self {
            CourseError::NotPassed => "course_not_passed",
            CourseError::NoMember => "member_not_found",
            CourseError::Store(_) => "service_unavailable",
            CourseError::Issue(e) => e.code(),
        }
    }
}

/// The course use cases.
#[derive(Clone)]
pub struct Course {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Course {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Course {
        Course { store, clock }
    }

    /// The member's pass, if any.
    pub async fn completion(
        &self,
        member: MemberId,
    ) -> Result<Option<CourseCompletion>, CourseError> {
        Ok(self.store.course_completion(member).await?)
    }

    /// Marks the member's quiz. A pass is recorded (the first one counts); a fail records
    /// nothing but the audit row, and the member may try again at once.
    pub async fn answer(
        &self,
        member: MemberId,
        answers: &[Option<u8>],
        caller: &Caller,
    ) -> Result<Graded, CourseError> {
        let graded = course::grade(answers);
        let now = self.clock.now();
        let audit = domain::audit::AuditEntry {
            at: store::stored_instant(now),
            actor: format!("member:{}", member.0),
            action: if graded.passed {
                "course_passed"
            } else {
                "course_failed"
            }
            .to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: json!({
                "course": course::VERSION,
                "score": graded.score,
                "out_of": graded.out_of,
            })
            .to_string(),
        };
        if graded.passed {
            let completion = CourseCompletion {
                member_id: member,
                course: course::VERSION.to_owned(),
                score: graded.score,
                out_of: graded.out_of,
                passed_at: now,
            };
            self.store
                .record_course_completion(&completion, &[audit])
                .await?;
        } else {
            self.store.append_audit(&[audit]).await?;
        }
        Ok(graded)
    }

    /// The certificate of the member's pass, issued with a verification code.
    pub async fn certificate_pdf(
        &self,
        renderer: Arc<documents::Renderer>,
        member: MemberId,
        caller: &Caller,
    ) -> Result<documents::Rendered, CourseError> {
        let passed = self
            .completion(member)
            .await?
            .ok_or(CourseError::NotPassed)?;
        let data = documents::CourseCertificate {
            member: self
                .store
                .member(member)
                .await?
                .ok_or(CourseError::NoMember)?,
            course: passed.course,
            score: passed.score,
            out_of: passed.out_of,
            passed_at: passed.passed_at,
        };
        Ok(crate::issue::issue(
            self.store.as_ref(),
            renderer,
            member,
            Arc::new(data),
            self.clock.now(),
            caller,
        )
        .await?)
    }
}
