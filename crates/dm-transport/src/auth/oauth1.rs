//! OAuth 1.0a user-context request signing (HMAC-SHA1, RFC 5849).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::RngCore as _;
use sha1::Sha1;

use crate::Secret;

/// RFC 3986 unreserved characters stay; everything else is `%XX` (upper-case hex).
const OAUTH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a string the way OAuth 1.0a requires (RFC 5849 §3.6).
///
/// ```
/// use dm_transport::oauth1::percent_encode;
/// assert_eq!(percent_encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
/// assert_eq!(percent_encode("☃"), "%E2%98%83");
/// ```
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, OAUTH_ENCODE).to_string()
}

/// The four OAuth 1.0a user-context credentials.
#[derive(Clone)]
#[non_exhaustive]
pub struct OAuth1Credentials {
    /// The app's consumer (API) key.
    pub consumer_key: String,
    /// The app's consumer (API) secret.
    pub consumer_secret: Secret,
    /// The user's access token.
    pub token: String,
    /// The user's access token secret.
    pub token_secret: Secret,
}

impl fmt::Debug for OAuth1Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Credentials")
            .field("consumer_key", &"[redacted]")
            .field("consumer_secret", &self.consumer_secret)
            .field("token", &"[redacted]")
            .field("token_secret", &self.token_secret)
            .finish()
    }
}

impl OAuth1Credentials {
    /// Builds the credentials.
    pub fn new(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<Secret>,
        token: impl Into<String>,
        token_secret: impl Into<Secret>,
    ) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            token: token.into(),
            token_secret: token_secret.into(),
        }
    }

    /// Signs a request with a fresh nonce and the current time, returning the
    /// `Authorization` header value.
    ///
    /// `url` is the full request URL (its query parameters are signed); pass the body as
    /// `form_body` only when it is `application/x-www-form-urlencoded` (JSON bodies are not
    /// signed).
    pub fn authorization_header(
        &self,
        method: &str,
        url: &http::Uri,
        form_body: Option<&[u8]>,
    ) -> Secret {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.authorization_header_with(method, url, form_body, &new_nonce(), timestamp)
    }

    /// Like [`authorization_header`](Self::authorization_header) with an explicit nonce and
    /// timestamp (for test vectors).
    pub fn authorization_header_with(
        &self,
        method: &str,
        url: &http::Uri,
        form_body: Option<&[u8]>,
        nonce: &str,
        timestamp: u64,
    ) -> Secret {
        let timestamp = timestamp.to_string();
        let oauth = [
            ("oauth_consumer_key", self.consumer_key.as_str()),
            ("oauth_nonce", nonce),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", timestamp.as_str()),
            ("oauth_token", self.token.as_str()),
            ("oauth_version", "1.0"),
        ];
        let base = signature_base_string(method, url, form_body, &oauth);
        let signature = self.sign(&base);
        let mut params: Vec<(&str, &str)> = oauth.to_vec();
        params.push(("oauth_signature", signature.expose()));
        params.sort();
        let joined = params
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join(", ");
        Secret::new(format!("OAuth {joined}"))
    }

    /// `base64(HMAC-SHA1(pct(consumer_secret) & pct(token_secret), base_string))`.
    pub fn sign(&self, base_string: &str) -> Secret {
        let key = format!(
            "{}&{}",
            percent_encode(self.consumer_secret.expose()),
            percent_encode(self.token_secret.expose())
        );
        // HMAC accepts keys of any length, so this cannot fail.
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key.as_bytes()) else {
            return Secret::new(String::new());
        };
        mac.update(base_string.as_bytes());
        Secret::new(STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// A fresh nonce: 32 random bytes, base64, non-alphanumerics stripped.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    STANDARD
        .encode(bytes)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The signature base string: `METHOD & pct(base_url) & pct(sorted parameters)`.
///
/// Parameters are the URL's query parameters, the form body's parameters (if given) and the
/// `oauth_*` parameters, all decoded, then percent-encoded and sorted.
pub fn signature_base_string(
    method: &str,
    url: &http::Uri,
    form_body: Option<&[u8]>,
    oauth_params: &[(&str, &str)],
) -> String {
    let mut params: Vec<(String, String)> = oauth_params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    if let Some(query) = url.query() {
        params.extend(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (percent_encode(&k), percent_encode(&v))),
        );
    }
    if let Some(body) = form_body {
        params.extend(
            form_urlencoded::parse(body).map(|(k, v)| (percent_encode(&k), percent_encode(&v))),
        );
    }
    params.sort();
    let param_string = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(&base_url(url)),
        percent_encode(&param_string)
    )
}

/// Scheme, lower-case host, non-default port and path; no query.
fn base_url(url: &http::Uri) -> String {
    let scheme = url.scheme_str().unwrap_or("https").to_ascii_lowercase();
    let host = url.host().unwrap_or_default().to_ascii_lowercase();
    let port = match (url.port_u16(), scheme.as_str()) {
        (Some(80), "http") | (Some(443), "https") | (None, _) => String::new(),
        (Some(p), _) => format!(":{p}"),
    };
    format!("{scheme}://{host}{port}{}", url.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs_credentials() -> OAuth1Credentials {
        OAuth1Credentials::new(
            "xvz1evFS4wEEPTGEFPHBog",
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        )
    }

    const BODY: &[u8] =
        b"status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21";

    fn base_for(host: &str) -> String {
        let url: http::Uri =
            format!("https://{host}/1.1/statuses/update.json?include_entities=true")
                .parse()
                .unwrap();
        signature_base_string(
            "post",
            &url,
            Some(BODY),
            &[
                ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
                ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "1318622958"),
                (
                    "oauth_token",
                    "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                ),
                ("oauth_version", "1.0"),
            ],
        )
    }

    #[test]
    fn documented_base_string_and_signature() {
        let base = base_for("api.x.com");
        assert_eq!(
            base,
            "POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
        );
        assert_eq!(
            docs_credentials().sign(&base).expose(),
            "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="
        );
        assert_eq!(
            docs_credentials()
                .sign(&base_for("api.twitter.com"))
                .expose(),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
    }

    #[test]
    fn header_carries_the_seven_parameters() {
        let url: http::Uri = "https://api.x.com/1.1/statuses/update.json?include_entities=true"
            .parse()
            .unwrap();
        let header = docs_credentials().authorization_header_with(
            "POST",
            &url,
            Some(BODY),
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            1318622958,
        );
        let header = header.expose();
        assert!(header.starts_with("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "));
        assert!(header.contains("oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\""));
        assert!(header.contains("oauth_signature_method=\"HMAC-SHA1\""));
        assert!(header.contains("oauth_version=\"1.0\""));
        assert_eq!(header.matches("oauth_").count(), 7);
    }

    #[test]
    fn percent_encoding_vectors() {
        assert_eq!(
            percent_encode("Ladies + Gentlemen"),
            "Ladies%20%2B%20Gentlemen"
        );
        assert_eq!(
            percent_encode("An encoded string!"),
            "An%20encoded%20string%21"
        );
        assert_eq!(
            percent_encode("Dogs, Cats & Mice"),
            "Dogs%2C%20Cats%20%26%20Mice"
        );
        assert_eq!(percent_encode("☃"), "%E2%98%83");
        assert_eq!(percent_encode("-._~"), "-._~");
    }

    #[test]
    fn nonces_are_fresh_and_alphanumeric() {
        let (a, b) = (new_nonce(), new_nonce());
        assert_ne!(a, b);
        assert!(a.len() >= 32 && a.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn debug_redacts_everything() {
        let dbg = format!("{:?}", docs_credentials());
        assert!(!dbg.contains("kAcSOq") && !dbg.contains("370773112") && !dbg.contains("Lsww"));
    }

    #[test]
    fn default_ports_are_dropped_and_others_kept() {
        let u: http::Uri = "HTTPS://API.X.COM:443/a?b=c".parse().unwrap();
        assert_eq!(base_url(&u), "https://api.x.com/a");
        let u: http::Uri = "http://127.0.0.1:8080/2/dm_events".parse().unwrap();
        assert_eq!(base_url(&u), "http://127.0.0.1:8080/2/dm_events");
    }
}
