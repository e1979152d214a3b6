//! Reading a response body: size limit, truncation, gzip.

use std::io::Read as _;

use bytes::Bytes;
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http_body_util::{BodyExt as _, Limited};

use crate::{BodyStream, Error, TimeoutPhase};

/// The body as a stream of data chunks, each awaited at most `idle`.
pub(crate) fn chunks(body: hyper::body::Incoming, idle: std::time::Duration) -> BodyStream {
    BodyStream::new(futures::stream::unfold(
        Some(body),
        move |state| async move {
            let mut body = state?;
            loop {
                match tokio::time::timeout(idle, body.frame()).await {
                    Err(_) => {
                        let e = Error::Timeout {
                            phase: TimeoutPhase::BodyIdle,
                            after: idle,
                            may_have_been_sent: true,
                        };
                        return Some((Err(e), None));
                    }
                    Ok(None) => return None,
                    Ok(Some(Err(e))) => return Some((Err(Error::after_send(e, true)), None)),
                    Ok(Some(Ok(frame))) => match frame.into_data() {
                        Ok(data) if !data.is_empty() => return Some((Ok(data), Some(body))),
                        // Empty data frames and trailers carry nothing to pass on.
                        _ => continue,
                    },
                }
            }
        },
    ))
}

/// Reads the whole body, refusing more than `limit` bytes on the wire.
pub(crate) async fn read_limited(
    body: hyper::body::Incoming,
    headers: &HeaderMap,
    limit: u64,
) -> Result<Bytes, Error> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(Error::BodyTooLarge { limit });
    }
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, cap).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => {
            if e.is::<http_body_util::LengthLimitError>() {
                Err(Error::BodyTooLarge { limit })
            } else {
                Err(Error::after_send(e, true))
            }
        }
    }
}

/// Decodes `content-encoding: gzip` (and `x-gzip`), refusing a decompressed size above
/// `limit`, and removes the encoding and length headers. `identity` passes through;
/// any other encoding is an [`Error::Encoding`].
pub(crate) fn decode_content(
    headers: &mut HeaderMap,
    body: Bytes,
    limit: u64,
) -> Result<Bytes, Error> {
    let Some(encoding) = headers.get(CONTENT_ENCODING) else {
        return Ok(body);
    };
    let encoding = encoding
        .to_str()
        .map_err(|_| Error::Encoding {
            message: "content-encoding is not ASCII".into(),
        })?
        .trim()
        .to_ascii_lowercase();
    let decoded = match encoding.as_str() {
        "" | "identity" => body,
        "gzip" | "x-gzip" => gunzip(&body, limit)?,
        other => {
            return Err(Error::Encoding {
                message: format!("unsupported content-encoding `{other}`"),
            });
        }
    };
    headers.remove(CONTENT_ENCODING);
    headers.remove(CONTENT_LENGTH);
    Ok(decoded)
}

/// Gunzips at most `limit` bytes; more is [`Error::BodyTooLarge`] (a gzip bomb is refused
/// without inflating it all).
pub(crate) fn gunzip(compressed: &[u8], limit: u64) -> Result<Bytes, Error> {
    if compressed.is_empty() {
        return Ok(Bytes::new());
    }
    // The trailer's ISIZE (RFC 1952: the last member's size mod 2^32) sizes the buffer once
    // instead of growing it by doubling (each step a copy and fresh pages); it is only a
    // hint: a wrong one costs a reallocation, and it never reserves past `limit`.
    let hint = compressed
        .last_chunk::<4>()
        .map_or(0, |isize| u64::from(u32::from_le_bytes(*isize)));
    let mut out = Vec::with_capacity(usize::try_from(hint.min(limit)).unwrap_or(0));
    flate2::read::MultiGzDecoder::new(compressed)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| Error::Encoding {
            message: format!("invalid gzip body: {e}"),
        })?;
    if out.len() as u64 > limit {
        return Err(Error::BodyTooLarge { limit });
    }
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gunzip_round_trips_and_strips_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_ENCODING, "gzip".parse().unwrap());
        headers.insert(CONTENT_LENGTH, "10".parse().unwrap());
        let body = decode_content(&mut headers, gzip(b"{\"a\":1}").into(), 100).unwrap();
        assert_eq!(&body[..], b"{\"a\":1}");
        assert!(headers.get(CONTENT_ENCODING).is_none());
        assert!(headers.get(CONTENT_LENGTH).is_none());
    }

    #[test]
    fn every_member_of_a_multi_member_body_is_kept() {
        // The trailer that sizes the buffer is the last member's: the first is larger.
        let first = vec![b'a'; 300_000];
        let mut body = gzip(&first);
        body.extend(gzip(b"tail"));
        let out = gunzip(&body, 1 << 20).unwrap();
        assert_eq!(out.len(), 300_004);
        assert!(out.starts_with(&first) && out.ends_with(b"tail"));
        // Exactly at the limit passes, one byte over is refused.
        assert_eq!(gunzip(&body, 300_004).unwrap().len(), 300_004);
        assert!(matches!(
            gunzip(&body, 300_003),
            Err(Error::BodyTooLarge { limit: 300_003 })
        ));
    }

    #[test]
    fn gzip_bomb_is_refused() {
        let bomb = gzip(&vec![0u8; 10 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024);
        let err = gunzip(&bomb, 1024 * 1024).unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 1048576 }),
            "{err}"
        );
    }

    #[test]
    fn corrupt_gzip_and_unknown_encodings_are_encoding_errors() {
        let err = gunzip(b"not gzip at all", 100).unwrap_err();
        assert!(matches!(err, Error::Encoding { .. }), "{err}");
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_ENCODING, "br".parse().unwrap());
        let err = decode_content(&mut headers, Bytes::from_static(b"x"), 100).unwrap_err();
        assert!(err.to_string().contains("`br`"), "{err}");
    }
}
