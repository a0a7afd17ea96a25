//! Which files are accepted as documents: PDF, JPEG and PNG, told from their content and never
//! from their name, whole (a PDF cut off in transit has no end-of-file marker, a PNG no IEND
//! chunk, a JPEG no end-of-image marker), not empty and not too large.
//!
//! Files arrive as a stream and are never held whole in memory, so the judgement is made from
//! what the receiver keeps as the bytes pass: the first [`HEAD`] bytes, the last [`TAIL`] bytes
//! and the size.

use serde::Serialize;

/// How many of the first bytes the receiver keeps.
pub const HEAD: usize = 16;
/// How many of the last bytes the receiver keeps. A PDF's `%%EOF` must be within the last
/// 1024 bytes (ISO 32000-1, 7.5.5 allows trailing whitespace, which readers also search).
pub const TAIL: usize = 1024;

/// An accepted document type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }
}

/// Why a file is refused. Each has a stable code and a message that says what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum FileProblem {
    /// No bytes at all.
    #[error("file_empty")]
    Empty,
    /// Larger than the limit.
    #[error("file_too_large")]
    TooLarge,
    /// Not a PDF, JPEG or PNG, whatever its name says (a program renamed `.pdf`, a Word file).
    #[error("file_type")]
    NotADocument,
    /// It starts like a document but is cut off or damaged: it would not open.
    #[error("file_incomplete")]
    Incomplete,
}

impl FileProblem {
    pub fn code(self) -> &'static str {
        match self {
            FileProblem::Empty => "file_empty",
            FileProblem::TooLarge => "file_too_large",
            FileProblem::NotADocument => "file_type",
            FileProblem::Incomplete => "file_incomplete",
        }
    }
}

/// What the receiver kept of a file: its size, its first and its last bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sniffed {
    pub size: u64,
    /// Up to [`HEAD`] first bytes.
    pub head: Vec<u8>,
    /// Up to [`TAIL`] last bytes (overlapping `head` for a small file).
    pub tail: Vec<u8>,
}

impl Sniffed {
    /// Keeps what the judgement needs of the next piece of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if chunk.len() >= TAIL {
            self.tail.clear();
            self.tail.extend_from_slice(&chunk[chunk.len() - TAIL..]);
        } else {
            self.tail.extend_from_slice(chunk);
            if self.tail.len() > TAIL {
                let excess = self.tail.len() - TAIL;
                self.tail.drain(..excess);
            }
        }
    }
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The IEND chunk's type and CRC, the last bytes of every complete PNG.
const PNG_END: &[u8] = &[b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Judges a received file: its type when it is an acceptable document, or why not.
pub fn judge(file: &Sniffed, max_bytes: u64) -> Result<FileKind, FileProblem> {
    if file.size == 0 {
        return Err(FileProblem::Empty);
    }
    if file.size > max_bytes {
        return Err(FileProblem::TooLarge);
    }
    let head = &file.head[..];
    let tail = &file.tail[..];
    if head.starts_with(b"%PDF-") {
        return if contains(tail, b"%%EOF") {
            Ok(FileKind::Pdf)
        } else {
            Err(FileProblem::Incomplete)
        };
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        // The end-of-image marker, possibly followed by padding some cameras add.
        return if file.size > 4 && contains(tail, &[0xFF, 0xD9]) {
            Ok(FileKind::Jpeg)
        } else {
            Err(FileProblem::Incomplete)
        };
    }
    if head.starts_with(PNG_SIGNATURE) {
        // The first chunk of a PNG is always IHDR, the last IEND.
        let header_first = head.len() >= 16 && &head[12..16] == b"IHDR";
        return if header_first && tail.ends_with(PNG_END) {
            Ok(FileKind::Png)
        } else {
            Err(FileProblem::Incomplete)
        };
    }
    Err(FileProblem::NotADocument)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(bytes: &[u8], chunk: usize) -> Sniffed {
        let mut s = Sniffed::default();
        for c in bytes.chunks(chunk.max(1)) {
            s.push(c);
        }
        s
    }

    fn png() -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        b.extend_from_slice(&[0, 0, 0, 13]);
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&[0; 17]);
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(PNG_END);
        b
    }

    #[test]
    fn documents_are_told_by_content_and_must_be_whole() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
        assert_eq!(judge(&sniff(&pdf, 7), 1000), Ok(FileKind::Pdf));
        let cut = &pdf[..pdf.len() - 8];
        assert_eq!(judge(&sniff(cut, 7), 1000), Err(FileProblem::Incomplete));
        assert_eq!(judge(&sniff(&png(), 5), 1000), Ok(FileKind::Png));
        let png = png();
        assert_eq!(
            judge(&sniff(&png[..png.len() - 3], 5), 1000),
            Err(FileProblem::Incomplete)
        );
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[1; 100], &[0xFF, 0xD9]].concat();
        assert_eq!(judge(&sniff(&jpeg, 3), 1000), Ok(FileKind::Jpeg));
        assert_eq!(
            judge(&sniff(&jpeg[..50], 3), 1000),
            Err(FileProblem::Incomplete)
        );
        let exe = b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode";
        assert_eq!(judge(&sniff(exe, 4), 1000), Err(FileProblem::NotADocument));
        assert_eq!(judge(&sniff(b"", 4), 1000), Err(FileProblem::Empty));
        assert_eq!(judge(&sniff(&pdf, 7), 10), Err(FileProblem::TooLarge));
    }

    #[test]
    fn the_tail_is_the_last_bytes_whatever_the_chunks() {
        let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        for chunk in [1, 7, 1023, 1024, 1025, 4096, 6000] {
            let s = sniff(&bytes, chunk);
            assert_eq!(s.size, 5000);
            assert_eq!(s.head, &bytes[..HEAD]);
            assert_eq!(s.tail, &bytes[5000 - TAIL..], "chunk {chunk}");
        }
    }
}
