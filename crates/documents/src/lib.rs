//! PDF documents of the fund, rendered with typst used as a library, and the verification codes
//! that let anyone check them.
//!
//! Each kind of document is a template file under `templates/` (embedded at build time) and a
//! plain Rust input type implementing [`Document`]. The [`Renderer`] loads the fonts once at
//! start-up; rendering hands the template its data as `/data.json` and the verification QR
//! code as `/qr.luma` (grey pixels) in a virtual file system, so no value is ever spliced into
//! typst source.

mod cancellation;
mod code;
mod conversion;
mod course;
mod credit_statement;
pub mod format;
mod interest;
mod member;
mod notice;
mod qr;
mod receipt;
mod render;
mod statement;

use serde::Serialize;
use time::OffsetDateTime;

pub use cancellation::{CancellationLetter, CancellationRoute, Notary};
pub use code::VerificationCode;
pub use conversion::ConversionLetter;
pub use course::CourseCertificate;
pub use credit_statement::{CreditStatementData, CreditStatementLine, lists_every_movement};
pub use interest::InterestCertificate;
pub use notice::{DiscountNotice, NoticeDiscount, NoticeKind, NoticeReason};
pub use receipt::{AppointmentReceipt, RequestReceipt};
pub use render::Renderer;
pub use statement::{BucketSummary, StatementData, StatementLine};

/// The kinds of document the portal issues. The code is what the record of issued documents
/// stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Estado de cuenta de la Subcuenta de Vivienda.
    SavingsStatement,
    /// Aviso para retención de descuentos, to the employer.
    RetentionNotice,
    /// Aviso de suspensión de descuentos, to the employer.
    SuspensionNotice,
    /// Aviso de modificación de descuentos, to the employer.
    ModificationNotice,
    /// Constancia de intereses reales, for the annual tax return.
    InterestCertificate,
    /// Carta de instrucción de cancelación de hipoteca.
    CancellationLetter,
    /// Estado de cuenta del crédito.
    CreditStatement,
    /// Acuse de solicitud: the receipt of a request made in the portal.
    RequestReceipt,
    /// Comprobante de cita at a service centre.
    AppointmentReceipt,
    /// Carta de bienvenida: a VSM credit converted to fixed pesos (Responsabilidad Compartida).
    ConversionLetter,
    /// Constancia of the course "Saber más para decidir mejor", required to apply for a credit.
    CourseCertificate,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 11] = [
        DocumentKind::SavingsStatement,
        DocumentKind::RetentionNotice,
        DocumentKind::SuspensionNotice,
        DocumentKind::ModificationNotice,
        DocumentKind::InterestCertificate,
        DocumentKind::CancellationLetter,
        DocumentKind::CreditStatement,
        DocumentKind::RequestReceipt,
        DocumentKind::AppointmentReceipt,
        DocumentKind::ConversionLetter,
        DocumentKind::CourseCertificate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::SavingsStatement => "savings_statement",
            DocumentKind::RetentionNotice => "retention_notice",
            DocumentKind::SuspensionNotice => "suspension_notice",
            DocumentKind::ModificationNotice => "modification_notice",
            DocumentKind::InterestCertificate => "interest_certificate",
            DocumentKind::CancellationLetter => "cancellation_letter",
            DocumentKind::CreditStatement => "credit_statement",
            DocumentKind::RequestReceipt => "request_receipt",
            DocumentKind::AppointmentReceipt => "appointment_receipt",
            DocumentKind::ConversionLetter => "conversion_letter",
            DocumentKind::CourseCertificate => "course_certificate",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The template file, embedded. The three discount notices share one.
    fn template(self) -> (&'static str, &'static str) {
        match self {
            DocumentKind::SavingsStatement => (
                "/savings_statement.typ",
                include_str!("../templates/savings_statement.typ"),
            ),
            DocumentKind::RetentionNotice
            | DocumentKind::SuspensionNotice
            | DocumentKind::ModificationNotice => (
                "/discount_notice.typ",
                include_str!("../templates/discount_notice.typ"),
            ),
            DocumentKind::InterestCertificate => (
                "/interest_certificate.typ",
                include_str!("../templates/interest_certificate.typ"),
            ),
            DocumentKind::CancellationLetter => (
                "/cancellation_letter.typ",
                include_str!("../templates/cancellation_letter.typ"),
            ),
            DocumentKind::CreditStatement => (
                "/credit_statement.typ",
                include_str!("../templates/credit_statement.typ"),
            ),
            DocumentKind::RequestReceipt => (
                "/request_receipt.typ",
                include_str!("../templates/request_receipt.typ"),
            ),
            DocumentKind::AppointmentReceipt => (
                "/appointment_receipt.typ",
                include_str!("../templates/appointment_receipt.typ"),
            ),
            DocumentKind::ConversionLetter => (
                "/conversion_letter.typ",
                include_str!("../templates/conversion_letter.typ"),
            ),
            DocumentKind::CourseCertificate => (
                "/course_certificate.typ",
                include_str!("../templates/course_certificate.typ"),
            ),
        }
    }
}

/// A document's data, turned into what its template reads.
pub trait Document {
    /// The kind of document this data makes.
    fn kind(&self) -> DocumentKind;
    /// Refuses data that cannot make this document, with [`DocumentError::Input`] and a stable
    /// code ("notice_reason", …). Most kinds accept any value of their input type.
    fn check(&self) -> Result<(), DocumentError> {
        Ok(())
    }
    /// Display-ready values (formatted money and dates, codes of buckets and kinds): the
    /// template prints them and formats nothing.
    fn template_input(&self) -> impl Serialize;
}

/// What is printed on every document to make it verifiable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub code: VerificationCode,
    /// The instant of issue: printed in Mexico City time and kept as the PDF's creation date.
    pub issued_at: OffsetDateTime,
}

impl Verification {
    /// A fresh random code for a document issued at `issued_at`.
    pub fn new(issued_at: OffsetDateTime) -> Verification {
        Verification {
            code: VerificationCode::generate(),
            issued_at,
        }
    }
}

/// A rendered document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// SHA-256 of `pdf`: what the record of issued documents keeps to tell an altered copy.
    pub sha256: [u8; 32],
    pub pages: usize,
}

/// What can go wrong while rendering, with stable codes. Every one is a bug in a template or
/// in the data given, never the member's doing.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The data cannot make this document ("statement_period", …).
    #[error("invalid document input: {0}")]
    Input(String),
    /// The template failed to compile; the text names the file and line.
    #[error("template error: {0}")]
    Template(String),
    /// The PDF could not be written.
    #[error("pdf export failed: {0}")]
    Pdf(String),
    /// The QR code could not be made (the URL is too long).
    #[error("qr code failed: {0}")]
    Qr(String),
    /// No font could be loaded.
    #[error("no usable font")]
    Fonts,
}

impl DocumentError {
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Input(_) => "document_input",
            DocumentError::Template(_) => "document_template",
            DocumentError::Pdf(_) => "document_pdf",
            DocumentError::Qr(_) => "document_qr",
            DocumentError::Fonts => "document_fonts",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DocumentKind;

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(DocumentKind::from_code("nope"), None);
    }
}
