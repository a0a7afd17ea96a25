//! The QR code that leads to a document's verification page, as raw grey pixels for typst to
//! place. A bitmap is written once into the PDF and shown on every page, where a vector drawing
//! would be repeated in every page's content (and cost some 6% of a long statement's render
//! time). Eight pixels a module keep the edges sharp in print and let viewers smooth them on
//! screen; compressed, the bitmap is about 1.3 kB. typst's own QR packages would need the
//! network; the `qrcode` crate needs nothing.

use qrcode::{Color, EcLevel, QrCode};

use crate::DocumentError;

/// The light margin every reader needs around the code, in modules.
const QUIET_ZONE: usize = 4;

/// Pixels along a module's side.
const SCALE: usize = 8;

/// A square QR code: `size` × `size` pixels of 8-bit grey, row by row.
pub(crate) struct QrPixels {
    pub(crate) size: usize,
    pub(crate) luma: Vec<u8>,
}

/// `url` as a QR code with its quiet zone. Error correction M (15%) survives a printed and
/// folded copy while keeping the modules large.
pub(crate) fn pixels(url: &str) -> Result<QrPixels, DocumentError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| DocumentError::Qr(e.to_string()))?;
    let width = code.width();
    let size = (width + 2 * QUIET_ZONE) * SCALE;
    let mut luma = vec![u8::MAX; size * size];
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (y, x) = (
                (i / width + QUIET_ZONE) * SCALE,
                (i % width + QUIET_ZONE) * SCALE,
            );
            for row in y..y + SCALE {
                luma[row * size + x..row * size + x + SCALE].fill(0);
            }
        }
    }
    Ok(QrPixels { size, luma })
}

#[cfg(test)]
mod tests {
    use super::SCALE;

    #[test]
    fn a_verification_url_fits_in_a_small_code_with_its_quiet_zone() {
        let qr = super::pixels("https://vivienda.example.mx/verificar/7KQ2M9XAPR4T0C8D").unwrap();
        // Version 4 (33 modules) plus the quiet zone of four on each side.
        let modules = 41;
        assert_eq!(qr.size, modules * SCALE);
        assert_eq!(qr.luma.len(), qr.size * qr.size);
        let module = |x: usize, y: usize| qr.luma[y * SCALE * qr.size + x * SCALE];
        assert!((0..modules).all(|x| module(x, 0) == 255), "quiet zone");
        // The top of the finder pattern: seven dark modules after the quiet zone.
        let row: Vec<u8> = (0..12).map(|x| module(x, 4)).collect();
        assert_eq!(row, [255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 255]);
        // Every pixel of a module has its colour.
        let last = (4 * SCALE + SCALE - 1) * qr.size + 4 * SCALE + SCALE - 1;
        assert_eq!(qr.luma[last], 0);
    }
}
