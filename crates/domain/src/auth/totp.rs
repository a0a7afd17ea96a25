//! Authenticator-app codes (TOTP, RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits), the second
//! factor that does not depend on SMS.

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Steps either side of now that are accepted, for clocks that drift.
pub const WINDOW: i64 = 1;

/// The code for a 30-second step.
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(DIGITS)
}

pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// Checks a typed code at `unix_seconds`. Returns the step it matched, which the caller stores:
/// a code for a step at or before the last one used is refused, so a code works only once.
pub fn verify(
    secret: &[u8],
    typed: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let typed = typed.trim();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u32 = typed.parse().ok()?;
    let now = step_of(unix_seconds);
    (now - WINDOW..=now + WINDOW)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| code_at_step(secret, *step) == value)
}

/// RFC 4648 base32 without padding, as authenticator apps expect in the otpauth URI.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The bytes of an RFC 4648 base32 text (upper case, no padding; spaces ignored), as an app
/// or a member would type the key; `None` for a character outside the alphabet.
pub fn decode_base32(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes().filter(|c| *c != b' ') {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads from a QR code.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_vectors() {
        // The RFC's 8-digit SHA-1 values, cut to 6 digits.
        for (t, expected) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(code_at_step(SECRET, step_of(t)), expected, "t = {t}");
        }
    }

    #[test]
    fn a_code_works_once_and_only_near_its_time() {
        let now = 1_234_567_890;
        let code = format!("{:06}", code_at_step(SECRET, step_of(now)));
        let step = verify(SECRET, &code, now, None).unwrap();
        assert_eq!(verify(SECRET, &code, now, Some(step)), None, "replay");
        assert!(
            verify(SECRET, &code, now + 30, None).is_some(),
            "one step late is fine"
        );
        assert_eq!(verify(SECRET, &code, now + 120, None), None);
        assert_eq!(verify(SECRET, "12345", now, None), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(decode_base32("MZXW6YTBOI").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(
            decode_base32("mzxw 6ytb oi").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(decode_base32("MZX1"), None);
        assert!(
            otpauth_uri(SECRET, "Vivienda", "maría@example.mx")
                .contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        );
    }
}
