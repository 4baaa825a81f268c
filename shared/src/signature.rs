//! Verification of the `ElevenLabs-Signature` header on post-call webhooks.
//!
//! The header is `t=<unix seconds>,v0=<hex>`; the signature is
//! HMAC-SHA256(secret, "<t>.<raw body>"). Parts may come in any order with
//! whitespace around them, and several `v0` values are accepted so a secret
//! can be rotated. Comparison is constant-time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Why a signature was refused. Each case is distinct so logs can tell a
/// misconfigured secret (`Mismatch`) from a clock problem (`Stale`, `Future`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the ElevenLabs-Signature header is missing")]
    Missing,
    #[error("the ElevenLabs-Signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the signature timestamp is {age_secs} s old, older than the {max_secs} s allowed")]
    Stale { age_secs: i64, max_secs: i64 },
    #[error("the signature timestamp is {ahead_secs} s in the future, more than the {max_secs} s allowed")]
    Future { ahead_secs: i64, max_secs: i64 },
    #[error("no signature in the header matches the body")]
    Mismatch,
}

/// How far a timestamp may be from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolerance {
    /// Oldest accepted, in seconds (ElevenLabs' SDK uses 30 minutes).
    pub max_age_secs: i64,
    /// Furthest in the future accepted, for clock skew.
    pub max_future_secs: i64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            max_age_secs: 30 * 60,
            max_future_secs: 5 * 60,
        }
    }
}

/// The parsed header: a timestamp and one or more candidate signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    pub signatures: Vec<[u8; 32]>,
}

impl SignatureHeader {
    /// Parses `t=…,v0=…` leniently: order and whitespace do not matter,
    /// unknown schemes (`v1=…`) are ignored, `v0` may repeat.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in header.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (key, value) = part
                .split_once('=')
                .ok_or(SignatureError::Malformed("a part has no '='"))?;
            match key.trim() {
                "t" => {
                    if timestamp.is_some() {
                        return Err(SignatureError::Malformed("more than one timestamp"));
                    }
                    let t = value.trim();
                    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(SignatureError::Malformed("the timestamp is not a number"));
                    }
                    timestamp =
                        Some(t.parse::<i64>().map_err(|_| {
                            SignatureError::Malformed("the timestamp is not a number")
                        })?);
                }
                "v0" => {
                    let mut sig = [0u8; 32];
                    hex::decode_to_slice(value.trim(), &mut sig).map_err(|_| {
                        SignatureError::Malformed("a v0 signature is not 64 hex digits")
                    })?;
                    signatures.push(sig);
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed("no timestamp (t=)"))?;
        if signatures.is_empty() {
            return Err(SignatureError::Malformed("no signature (v0=)"));
        }
        Ok(Self {
            timestamp,
            signatures,
        })
    }
}

/// Computes the `v0` signature of `body` at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// A ready-to-send header value for `body`, as ElevenLabs would sign it.
pub fn header_value(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v0={}",
        hex::encode(sign(secret, timestamp, body))
    )
}

/// Verifies `header` (the raw header value, if any) against the raw `body`.
///
/// The timestamp window is checked before the HMAC so a replayed old request
/// costs no hashing, and every candidate is compared in constant time.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &[u8],
    now_unix_secs: i64,
    tolerance: Tolerance,
) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty());
    let parsed = SignatureHeader::parse(header.ok_or(SignatureError::Missing)?)?;
    let age = now_unix_secs.saturating_sub(parsed.timestamp);
    if age > tolerance.max_age_secs {
        return Err(SignatureError::Stale {
            age_secs: age,
            max_secs: tolerance.max_age_secs,
        });
    }
    if -age > tolerance.max_future_secs {
        return Err(SignatureError::Future {
            ahead_secs: -age,
            max_secs: tolerance.max_future_secs,
        });
    }
    let expected = sign(secret, parsed.timestamp, body);
    let mut matched = subtle::Choice::from(0);
    for candidate in &parsed.signatures {
        matched |= candidate.ct_eq(&expected);
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"wsec_test_secret";
    const BODY: &[u8] = br#"{"type":"post_call_transcription","data":{"conversation_id":"abc"}}"#;
    const T: i64 = 1_739_537_297;
    /// Made independently of this code with:
    /// `printf '%s' '1739537297.{"type":"post_call_transcription","data":{"conversation_id":"abc"}}' | openssl dgst -sha256 -hmac 'wsec_test_secret'`
    const OPENSSL_V0: &str = "df465cfdef87efbde1a96d3b134acdefc97e79c14fd4cf189be4f241e8f48286";

    fn ok(header: &str, now: i64) -> Result<(), SignatureError> {
        verify(Some(header), BODY, SECRET, now, Tolerance::default())
    }

    #[test]
    fn matches_an_openssl_test_vector() {
        assert_eq!(hex::encode(sign(SECRET, T, BODY)), OPENSSL_V0);
        assert_eq!(ok(&format!("t={T},v0={OPENSSL_V0}"), T), Ok(()));
    }

    #[test]
    fn accepts_any_order_whitespace_and_several_v0() {
        let good = hex::encode(sign(SECRET, T, BODY));
        let other = hex::encode(sign(b"old secret", T, BODY));
        for h in [
            format!("v0={good},t={T}"),
            format!("  t = {T} ,  v0 = {good}  "),
            format!("t={T},v0={other},v0={good}"),
            format!("t={T},v1=abc,v0={good}"),
            format!("t={T},v0={}", good.to_uppercase()),
        ] {
            assert_eq!(ok(&h, T + 10), Ok(()), "{h}");
        }
    }

    #[test]
    fn each_failure_is_distinct() {
        let good = hex::encode(sign(SECRET, T, BODY));
        assert_eq!(
            verify(None, BODY, SECRET, T, Tolerance::default()),
            Err(SignatureError::Missing)
        );
        assert_eq!(ok("   ", T), Err(SignatureError::Missing));
        for bad in [
            "garbage",
            "t=abc,v0=00",
            &format!("v0={good}"),
            &format!("t={T}"),
            &format!("t={T},v0=zz"),
        ] {
            assert!(
                matches!(ok(bad, T), Err(SignatureError::Malformed(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            ok(&format!("t={T},v0={good}"), T + 30 * 60 + 1),
            Err(SignatureError::Stale { .. })
        ));
        assert_eq!(ok(&format!("t={T},v0={good}"), T + 30 * 60), Ok(()));
        assert!(matches!(
            ok(&format!("t={T},v0={good}"), T - 5 * 60 - 1),
            Err(SignatureError::Future { .. })
        ));
        assert_eq!(ok(&format!("t={T},v0={good}"), T - 5 * 60), Ok(()));
        let wrong = hex::encode(sign(b"another", T, BODY));
        assert_eq!(
            ok(&format!("t={T},v0={wrong}"), T),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_signature_covers_body_and_timestamp() {
        let good = hex::encode(sign(SECRET, T, BODY));
        let mut body = BODY.to_vec();
        body.push(b' ');
        assert_eq!(
            verify(
                Some(&format!("t={T},v0={good}")),
                &body,
                SECRET,
                T,
                Tolerance::default()
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            ok(&format!("t={},v0={good}", T + 1), T),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn tolerance_is_configurable() {
        let good = hex::encode(sign(SECRET, T, BODY));
        let tight = Tolerance {
            max_age_secs: 10,
            max_future_secs: 0,
        };
        let h = format!("t={T},v0={good}");
        assert!(matches!(
            verify(Some(&h), BODY, SECRET, T + 11, tight),
            Err(SignatureError::Stale { .. })
        ));
        assert!(matches!(
            verify(Some(&h), BODY, SECRET, T - 1, tight),
            Err(SignatureError::Future { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_header(h in ".{0,200}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = verify(Some(&h), &body, SECRET, T, Tolerance::default());
        }
    }
}
