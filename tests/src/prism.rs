//! Prism's verdict: the `sl-violations` response header.
//!
//! Prism answers every request with a mocked body; whether the *request* matched the spec is
//! only in `sl-violations` (a JSON array; entries whose `location[0]` is `"request"`). See
//! `docs/design/prism-oracle.md`.

use serde_json::Value;

/// The environment variable holding the Prism base URL (`http://127.0.0.1:4010`).
pub const PRISM_URL_ENV: &str = "PRISM_URL";

/// The mock of each vendored spec `.ci/prism-run.sh` starts: the spec file (as
/// `dm_query::Operation::spec_file` names it), the variable holding the URL of its mock, and
/// that of its copy whose OAuth 1.0a scheme Prism checks.
pub const MOCKS: &[(&str, &str, &str)] = &[
    (
        "spec/openapi-dm-2.166.json",
        PRISM_URL_ENV,
        "PRISM_OAUTH1_URL",
    ),
    (
        "spec/openapi-media-realtime-2.167.json",
        "PRISM_MEDIA_REALTIME_URL",
        "PRISM_MEDIA_REALTIME_OAUTH1_URL",
    ),
    (
        "spec/openapi-chat-2.167.json",
        "PRISM_CHAT_URL",
        "PRISM_CHAT_OAUTH1_URL",
    ),
];

/// The URL in the environment variable `var`, without a trailing `/`, if set and not blank.
pub fn env_url(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty())
}

/// The variable holding the URL of the mock of `spec_file` (with OAuth 1.0a checked, or not).
pub fn mock_var(spec_file: &str, oauth1: bool) -> Option<&'static str> {
    MOCKS
        .iter()
        .find(|(file, ..)| *file == spec_file)
        .map(|(_, bearer, signed)| if oauth1 { *signed } else { *bearer })
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
