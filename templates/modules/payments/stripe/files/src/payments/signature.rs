//! Checking the `Stripe-Signature` header of a webhook delivery.
//!
//! The header reads `t=<unix time>,v1=<hex>,v1=<hex>,...`: each `v1` is an HMAC-SHA256 of
//! `<t>.<raw body>` keyed with an endpoint signing secret (several while a secret is being
//! rolled). The signed timestamp bounds how long a captured delivery can be replayed.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature` header.
    #[error("missing Stripe-Signature header")]
    Missing,
    /// The header is not `t=...,v1=...`.
    #[error("malformed Stripe-Signature header")]
    Malformed,
    /// The signed timestamp is too far from now: a replay, or a badly wrong clock.
    #[error("the Stripe-Signature timestamp is outside the tolerance")]
    Stale,
    /// No `v1` signature matches the body and the secret.
    #[error("no Stripe-Signature signature matches the payload")]
    Mismatch,
}

/// Checks that `header` signs `body` with `secret`, at a time within `tolerance` of `now`
/// (seconds since the epoch).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &[u8],
    tolerance: Duration,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (timestamp, signatures) = parse(header)?;
    let age = now.abs_diff(timestamp);
    if age > tolerance.as_secs() {
        return Err(SignatureError::Stale);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // `verify_slice` compares in constant time, so timing reveals nothing of the expected MAC.
    let matches = signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The timestamp and every `v1` signature; other schemes (`v0`, test-mode extras) are
/// skipped, as Stripe's libraries do.
fn parse(header: &str) -> Result<(i64, Vec<[u8; 32]>), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" if timestamp.is_none() => {
                timestamp = Some(value.parse().map_err(|_| SignatureError::Malformed)?);
            }
            "t" => return Err(SignatureError::Malformed),
            "v1" => {
                let mut signature = [0; 32];
                hex::decode_to_slice(value, &mut signature)
                    .map_err(|_| SignatureError::Malformed)?;
                signatures.push(signature);
            }
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !signatures.is_empty() => Ok((timestamp, signatures)),
        _ => Err(SignatureError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1"}"#;
    const NOW: i64 = 1_700_000_000;
    const TOLERANCE: Duration = Duration::from_secs(300);

    fn sign(timestamp: i64, body: &[u8], secret: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    fn check(header: &str) -> Result<(), SignatureError> {
        verify(Some(header), BODY, SECRET, TOLERANCE, NOW)
    }

    #[test]
    fn a_signature_over_the_timestamp_and_body_is_accepted() {
        let header = format!("t={NOW},v1={}", sign(NOW, BODY, SECRET));

        assert_eq!(check(&header), Ok(()));
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let header = format!(
            "t={NOW},v1={},v0=abc,v1={}",
            sign(NOW, BODY, b"whsec_old_secret"),
            sign(NOW, BODY, SECRET)
        );

        assert_eq!(check(&header), Ok(()));
    }

    #[test]
    fn another_secret_another_body_or_another_timestamp_do_not_match() {
        let cases = [
            sign(NOW, BODY, b"whsec_other"),
            sign(NOW, br#"{"id":"evt_2"}"#, SECRET),
            sign(NOW - 1, BODY, SECRET),
        ];
        for signature in cases {
            assert_eq!(
                check(&format!("t={NOW},v1={signature}")),
                Err(SignatureError::Mismatch)
            );
        }
    }

    #[test]
    fn timestamps_beyond_the_tolerance_are_stale_either_way() {
        for timestamp in [NOW - 301, NOW + 301] {
            let header = format!("t={timestamp},v1={}", sign(timestamp, BODY, SECRET));
            assert_eq!(check(&header), Err(SignatureError::Stale), "{timestamp}");
        }
        let edge = NOW - 300;
        let header = format!("t={edge},v1={}", sign(edge, BODY, SECRET));
        assert_eq!(check(&header), Ok(()));
    }

    #[test]
    fn malformed_headers_are_refused_before_any_hmac() {
        let valid = sign(NOW, BODY, SECRET);
        for header in [
            String::new(),
            format!("v1={valid}"),
            format!("t={NOW}"),
            format!("t=soon,v1={valid}"),
            format!("t={NOW},v1=zz"),
            format!("t={NOW},v1={}", &valid[..62]),
            format!("t={NOW},t={NOW},v1={valid}"),
            format!("t={NOW};v1={valid}"),
        ] {
            assert_eq!(check(&header), Err(SignatureError::Malformed), "{header}");
        }
    }

    #[test]
    fn no_header_is_missing() {
        assert_eq!(
            verify(None, BODY, SECRET, TOLERANCE, NOW),
            Err(SignatureError::Missing)
        );
    }
}
