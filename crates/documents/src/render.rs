//! The renderer: fonts and the standard library loaded once, and a small in-memory typst
//! `World` per document holding the template, its data and its QR code.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use sha2::{Digest, Sha256};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_pdf::{PdfOptions, Timestamp};

use crate::{Document, DocumentError, DocumentKind, Rendered, Verification, format};

/// Results of typst's memoised work not used by about this many renders in a row are dropped,
/// so a long-running server keeps what every document shares (the template, shaped labels) and
/// nothing else.
const CACHE_AGE: usize = 8;

/// The memo cache is swept every this many renders, not after each: a sweep walks the whole
/// cache, about a twentieth of a long statement's render.
const SWEEP_EVERY: usize = 4;

/// Renders documents. Create one at start-up (loading the fonts takes milliseconds) and share
/// it: it is `Send + Sync`, and renders may run on several threads at once. Rendering is CPU
/// work of some milliseconds: call it from `spawn_blocking`.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    common: Source,
    templates: Vec<(DocumentKind, Source)>,
    data_id: FileId,
    qr_id: FileId,
    base_url: String,
    renders: AtomicUsize,
}

impl Renderer {
    /// Loads the fonts and templates. `base_url` is the public address of the portal, without
    /// a trailing slash: the QR code leads to `{base_url}/verificar/{code}`.
    pub fn new(base_url: &str) -> Result<Renderer, DocumentError> {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        if fonts.is_empty() {
            return Err(DocumentError::Fonts);
        }
        let file = |path: &str| FileId::new(None, VirtualPath::new(path));
        let templates = DocumentKind::ALL
            .into_iter()
            .map(|kind| {
                let (path, text) = kind.template();
                (kind, Source::new(file(path), text.to_owned()))
            })
            .collect();
        Ok(Renderer {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            common: Source::new(
                file("/common.typ"),
                include_str!("../templates/common.typ").to_owned(),
            ),
            templates,
            data_id: file("/data.json"),
            qr_id: file("/qr.luma"),
            base_url: base_url.trim_end_matches('/').to_owned(),
            renders: AtomicUsize::new(0),
        })
    }

    /// Where a document's QR code leads.
    pub fn verification_url(&self, code: &crate::VerificationCode) -> String {
        format!("{}/verificar/{}", self.base_url, code.as_str())
    }

    /// Renders a document with its verification code and QR code on every page.
    pub fn render<D: Document>(
        &self,
        document: &D,
        verification: &Verification,
    ) -> Result<Rendered, DocumentError> {
        document.check()?;
        self.render_input(document.kind(), &document.template_input(), verification)
    }

    /// Renders the template of `kind` with `input` as its `document` data: for callers that
    /// build the template input themselves.
    pub fn render_input(
        &self,
        kind: DocumentKind,
        input: &impl Serialize,
        verification: &Verification,
    ) -> Result<Rendered, DocumentError> {
        let main = self
            .templates
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, source)| source.clone())
            .ok_or_else(|| DocumentError::Template(format!("no template for {}", kind.code())))?;
        let url = self.verification_url(&verification.code);
        let qr = crate::qr::pixels(&url)?;
        let issued = verification.issued_at;
        let data = serde_json::to_vec(&TemplateData {
            document: input,
            verification: VerificationInput {
                code: verification.code.grouped(),
                url: url.clone(),
                issued: format::long_date_time(issued),
                issued_date: format::long_date(domain::dates::mexico_city_date(issued)),
                qr_size: qr.size,
            },
        })
        .map_err(|e| DocumentError::Input(e.to_string()))?;
        let world = DocumentWorld {
            renderer: self,
            main,
            data: Bytes::new(data),
            qr: Bytes::new(qr.luma),
        };

        let compiled = typst::compile::<PagedDocument>(&world).output;
        if self.renders.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            typst::comemo::evict(CACHE_AGE / SWEEP_EVERY);
        }
        let document =
            compiled.map_err(|errors| DocumentError::Template(describe(&world, &errors)))?;
        let timestamp = utc(issued).map(Timestamp::new_utc);
        let options = PdfOptions {
            ident: Smart::Custom(verification.code.as_str()),
            timestamp,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options)
            .map_err(|errors| DocumentError::Pdf(describe(&world, &errors)))?;
        Ok(Rendered {
            sha256: Sha256::digest(&pdf).into(),
            pages: document.pages.len(),
            pdf,
        })
    }
}

#[derive(Serialize)]
struct TemplateData<'a, T: Serialize> {
    document: &'a T,
    verification: VerificationInput,
}

#[derive(Serialize)]
struct VerificationInput {
    /// Grouped for reading: "7KQ2-M9XA-PR4T-0C8D".
    code: String,
    url: String,
    /// "25 de noviembre de 2026, 12:04 h", Mexico City time.
    issued: String,
    /// "25 de noviembre de 2026".
    issued_date: String,
    /// The QR code's width and height in pixels, for `/qr.luma`.
    qr_size: usize,
}

fn utc(at: time::OffsetDateTime) -> Option<Datetime> {
    let at = at.to_offset(time::UtcOffset::UTC);
    Datetime::from_ymd_hms(
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
}

/// typst's errors as one line each: "savings_statement.typ:12: unknown variable: x".
fn describe(world: &DocumentWorld, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|error| {
            let place = error.span.id().and_then(|id| {
                let source = world.source(id).ok()?;
                let line = source
                    .lines()
                    .byte_to_line(world.range(error.span)?.start)?;
                Some(format!(
                    "{}:{}: ",
                    id.vpath().as_rootless_path().display(),
                    line + 1
                ))
            });
            format!("{}{}", place.unwrap_or_default(), error.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The files one document can see: its template, the shared `common.typ`, its data and its QR
/// code. Nothing else exists, and there is no network: a template that imports a package fails.
struct DocumentWorld<'a> {
    renderer: &'a Renderer,
    main: Source,
    data: Bytes,
    qr: Bytes,
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.renderer.common.id() {
            Ok(self.renderer.common.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.data_id {
            Ok(self.data.clone())
        } else if id == self.renderer.qr_id {
            Ok(self.qr.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    /// Templates print the date of issue they are given, never the clock's.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().as_rootless_path().to_owned())
}
