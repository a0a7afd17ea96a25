//! The "Constancia" of the course "Saber más para decidir mejor": who passed it, when, with
//! what score, and which version of the course. A credit application asks for it.

use domain::registry::Member;
use serde::Serialize;
use time::OffsetDateTime;

use crate::member::MemberInput;
use crate::{Document, DocumentKind, format};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseCertificate {
    pub member: Member,
    /// The version of the course passed ("2026-1").
    pub course: String,
    pub score: u32,
    pub out_of: u32,
    pub passed_at: OffsetDateTime,
}

#[derive(Serialize)]
struct CourseInput<'a> {
    member: MemberInput<'a>,
    course: &'a str,
    score: String,
    passed_at: String,
}

impl Document for CourseCertificate {
    fn kind(&self) -> DocumentKind {
        DocumentKind::CourseCertificate
    }

    fn template_input(&self) -> impl Serialize {
        CourseInput {
            member: MemberInput::new(&self.member),
            course: &self.course,
            score: format!("{} de {}", self.score, self.out_of),
            passed_at: format::long_date_time(self.passed_at),
        }
    }
}
