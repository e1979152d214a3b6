//! Prism's verdict: the `sl-violations` response header.
//!
//! Prism answers every request with a mocked body; whether the *request* matched the spec is
//! only in `sl-violations` (a JSON array; entries whose `location[0]` is `"request"`). See
//! `docs/design/prism-oracle.md`.

use serde_json::Value;

/// The environment variable holding the Prism base URL (`http://127.0.0.1:4010`).
pub const PRISM_URL_ENV: &str = "PRISM_URL";

/// The Prism base URL, if a conformance run set one.
pub fn prism_url() -> Option<String> {
    std::env::var(PRISM_URL_ENV)
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty())
}

/// The request violations in an `sl-violations` header value, as `location: message`.
///
/// A header Prism truncated (`Too many violations!` prefix) or that is not JSON counts as
/// one violation carrying the raw text, so nothing is silently accepted.
pub fn request_violations(header: &str) -> Vec<String> {
    let parsed: Result<Vec<Value>, _> = serde_json::from_str(header);
    let Ok(entries) = parsed else {
        return vec![format!("unreadable sl-violations header: {header}")];
    };
    entries
        .iter()
        .filter(|v| v.pointer("/location/0").and_then(Value::as_str) == Some("request"))
        .map(|v| {
            let location = v
                .get("location")
                .and_then(Value::as_array)
                .map(|parts| {
                    parts
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            let message = v.get("message").and_then(Value::as_str).unwrap_or("?");
            format!("{location}: {message}")
        })
        .collect()
}
