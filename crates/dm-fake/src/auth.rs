//! Credential checks: bearer tokens and OAuth 1.0a HMAC-SHA1 signatures (RFC 5849), verified.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha1::Sha1;

use crate::config::OAuth1Config;

/// RFC 3986 unreserved characters stay, everything else is `%XX`.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes like RFC 5849 §3.6.
pub fn pct(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// The verdict on a request's credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A user context; `scopes` is `None` for all scopes.
    User {
        scopes: Option<Vec<String>>,
        oauth1: bool,
    },
    /// An app-only bearer token (403 on DM endpoints).
    AppOnly,
    /// Missing or wrong credentials (401).
    Unauthorized,
}

/// What an OAuth 1.0a request looks like to the verifier.
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    /// `scheme://host[:port]/path` as the client addressed it.
    pub base_url: String,
    pub query: &'a str,
    /// Form body parameters (only for `application/x-www-form-urlencoded` bodies).
    pub form_body: Option<&'a [u8]>,
    pub header: &'a str,
}

/// Parses an `Authorization: OAuth ...` header into decoded pairs.
fn parse_header(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header
        .strip_prefix("OAuth ")
        .or_else(|| header.strip_prefix("oauth "))?;
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=')?;
        let v = v.trim().strip_prefix('"')?.strip_suffix('"')?;
        let k = percent_decode_str(k.trim())
            .decode_utf8()
            .ok()?
            .into_owned();
        let v = percent_decode_str(v).decode_utf8().ok()?.into_owned();
        out.push((k, v));
    }
    Some(out)
}

/// The RFC 5849 signature base string.
pub fn base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> = params.iter().map(|(k, v)| (pct(k), pct(v))).collect();
    enc.sort();
    let joined: Vec<String> = enc.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        pct(base_url),
        pct(&joined.join("&"))
    )
}

/// How far `oauth_timestamp` may be from the server's wall clock, either way.
const MAX_TIMESTAMP_SKEW_SECS: u64 = 300;

/// `true` when `timestamp` (Unix seconds) is within [`MAX_TIMESTAMP_SKEW_SECS`] of `now`.
fn fresh(timestamp: u64, now: u64) -> bool {
    timestamp.abs_diff(now) <= MAX_TIMESTAMP_SKEW_SECS
}

/// Verifies OAuth 1.0a signatures against configured credentials and rejects replayed nonces.
#[derive(Debug)]
pub(crate) struct OAuth1Verifier {
    config: OAuth1Config,
    nonces: Mutex<HashSet<(String, String)>>,
}

impl OAuth1Verifier {
    pub(crate) fn new(config: OAuth1Config) -> Self {
        Self {
            config,
            nonces: Mutex::new(HashSet::new()),
        }
    }

    /// `true` when the signature is valid for these credentials and the nonce is fresh.
    pub(crate) fn verify(&self, req: &SignedRequest<'_>) -> bool {
        let Some(oauth) = parse_header(req.header) else {
            return false;
        };
        let get = |k: &str| oauth.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let (Some(sig), Some(key), Some(token), Some(method), Some(nonce), Some(ts)) = (
            get("oauth_signature"),
            get("oauth_consumer_key"),
            get("oauth_token"),
            get("oauth_signature_method"),
            get("oauth_nonce"),
            get("oauth_timestamp"),
        ) else {
            return false;
        };
        if key != self.config.consumer_key || token != self.config.token || method != "HMAC-SHA1" {
            return false;
        }
        if get("oauth_version").is_some_and(|v| v != "1.0") {
            return false;
        }
        // Clients sign with wall-clock time, so this is checked against the real clock (not
        // the dataset's fixed one): requests created too far in the past are refused (§8.3).
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if !ts.parse::<u64>().is_ok_and(|t| fresh(t, now)) {
            return false;
        }
        let mut params: Vec<(String, String)> = oauth
            .iter()
            .filter(|(k, _)| k != "oauth_signature" && k != "realm")
            .cloned()
            .collect();
        params.extend(
            form_urlencoded::parse(req.query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        if let Some(body) = req.form_body {
            params.extend(
                form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
            );
        }
        let base = base_string(req.method, &req.base_url, &params);
        let signing_key = format!(
            "{}&{}",
            pct(&self.config.consumer_secret),
            pct(&self.config.token_secret)
        );
        let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(sig) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(signing_key.as_bytes()) else {
            return false;
        };
        mac.update(base.as_bytes());
        if mac.verify_slice(&expected).is_err() {
            return false;
        }
        // A replayed nonce (same timestamp and nonce) is rejected, like the live API.
        let mut seen = match self.nonces.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        seen.insert((ts.to_owned(), nonce.to_owned()))
    }
}

/// Signs like a client would (used by tests and by the `dm-fake` docs example).
pub fn sign_hmac_sha1(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", pct(consumer_secret), pct(token_secret));
    let mut mac = match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vector() {
        let params: Vec<(String, String)> = [
            ("include_entities", "true"),
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            (
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let base = base_string(
            "post",
            "https://api.x.com/1.1/statuses/update.json",
            &params,
        );
        assert!(base.starts_with(
            "POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
        ));
        let sig = sign_hmac_sha1(
            &base,
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        );
        assert_eq!(sig, "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");
        let base_tw = base_string(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json",
            &params,
        );
        assert_eq!(
            sign_hmac_sha1(
                &base_tw,
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
            ),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
        assert_eq!(pct("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
        assert_eq!(pct("☃"), "%E2%98%83");
    }

    #[test]
    fn verifier_accepts_valid_and_rejects_replay_and_tamper() {
        let cfg = OAuth1Config::new("ck", "cs", "tok", "ts");
        let v = OAuth1Verifier::new(cfg);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let params: Vec<(String, String)> = [
            ("max_results", "5"),
            ("oauth_consumer_key", "ck"),
            ("oauth_nonce", "n1"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", now.as_str()),
            ("oauth_token", "tok"),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let sig = sign_hmac_sha1(
            &base_string("GET", "http://127.0.0.1:1/2/dm_events", &params),
            "cs",
            "ts",
        );
        let header = format!(
            "OAuth oauth_consumer_key=\"ck\", oauth_nonce=\"n1\", oauth_signature=\"{}\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"{now}\", oauth_token=\"tok\", oauth_version=\"1.0\"",
            pct(&sig)
        );
        let check = |v: &OAuth1Verifier, q: &str, h: &str| {
            v.verify(&SignedRequest {
                method: "GET",
                base_url: "http://127.0.0.1:1/2/dm_events".into(),
                query: q,
                form_body: None,
                header: h,
            })
        };
        assert!(check(&v, "max_results=5", &header));
        assert!(!check(&v, "max_results=5", &header), "replayed nonce");
        let v = OAuth1Verifier::new(OAuth1Config::new("ck", "cs", "tok", "ts"));
        assert!(!check(&v, "max_results=6", &header), "tampered query");
        assert!(!check(&v, "max_results=5", "Bearer x"));
    }

    #[test]
    fn timestamps_more_than_five_minutes_off_are_stale() {
        let now = 1_800_000_000;
        assert!(fresh(now, now));
        assert!(fresh(now - 300, now) && fresh(now + 300, now));
        assert!(!fresh(now - 301, now) && !fresh(now + 301, now));
        assert!(!fresh(0, now) && !fresh(u64::MAX, now));
    }
}
