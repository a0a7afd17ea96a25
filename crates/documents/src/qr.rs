//! The QR code that leads to a document's verification page, drawn as SVG for typst to place.
//! typst's own QR packages would need the network; the `qrcode` crate needs nothing.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::DocumentError;

/// An SVG of `url` as a QR code, with its quiet zone, one unit per module. Error correction M
/// (15%) survives a printed and folded copy while keeping the modules large.
pub(crate) fn svg(url: &str) -> Result<String, DocumentError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| DocumentError::Qr(e.to_string()))?;
    Ok(code
        .render::<svg::Color>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_verification_url_fits_in_a_small_code() {
        let svg = super::svg("https://vivienda.example.mx/verificar/7KQ2M9XAPR4T0C8D").unwrap();
        assert!(svg.starts_with("<?xml"));
        assert!(svg.contains("<path"));
        // Version 4 (33 modules) plus the quiet zone of four on each side.
        assert!(svg.contains(r#"width="41""#), "{}", &svg[..200]);
    }
}
