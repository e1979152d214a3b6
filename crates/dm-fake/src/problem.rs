//! Problem (RFC 7807) bodies exactly as the API sends them.

use serde_json::{Value, json};

const PROBLEMS: &str = "https://api.twitter.com/2/problems";

/// `400` invalid-request naming one parameter and its rejected value.
pub(crate) fn invalid_request(parameter: &str, value: &str, message: String) -> Value {
    json!({
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": format!("{PROBLEMS}/invalid-request"),
    })
}

/// One invalid-request problem from several (in order): their `errors` entries concatenated,
/// the first one's other members. `None` when there are none.
pub(crate) fn merge(problems: Vec<Value>) -> Option<Value> {
    let mut it = problems.into_iter();
    let mut first = it.next()?;
    let more: Vec<Value> = it
        .filter_map(|mut p| match p.get_mut("errors").map(Value::take) {
            Some(Value::Array(entries)) => Some(entries),
            _ => None,
        })
        .flatten()
        .collect();
    if let Some(Value::Array(entries)) = first.get_mut("errors") {
        entries.extend(more);
    }
    Some(first)
}

/// `400` invalid-request about the body (no parameter).
pub(crate) fn invalid_body(message: String) -> Value {
    json!({
        "errors": [{"parameters": {}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": format!("{PROBLEMS}/invalid-request"),
    })
}

/// A generic `about:blank` problem (`Unauthorized`, `Forbidden`, `Too Many Requests`, ...).
pub(crate) fn generic(status: u16, title: &str) -> Value {
    json!({"title": title, "detail": title, "type": "about:blank", "status": status})
}

/// `429` usage-capped.
pub(crate) fn usage_capped() -> Value {
    json!({
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": format!("{PROBLEMS}/usage-capped"),
        "period": "Monthly",
        "scope": "Product",
        "status": 429,
    })
}

/// `403` unsupported-authentication: `used` (e.g. `OAuth 2.0 Application-Only`) is refused
/// by this endpoint, which takes only the `supported` kinds.
pub(crate) fn unsupported_authentication(used: &str, supported: &[&str]) -> Value {
    json!({
        "title": "Unsupported Authentication",
        "detail": format!(
            "Authenticating with {used} is forbidden for this endpoint.  Supported authentication types are [{}].",
            supported.join(", ")
        ),
        "type": format!("{PROBLEMS}/unsupported-authentication"),
        "status": 403,
    })
}

/// `403` for a send that would reach a user the authenticated user blocked.
pub(crate) fn blocked_recipient() -> Value {
    json!({
        "title": "Forbidden",
        "type": "about:blank",
        "status": 403,
        "detail": "You cannot send messages to users you have blocked.",
    })
}

/// The partial error beside `data` when a referenced Post cannot be returned.
pub(crate) fn tweet_not_found(id: u64) -> Value {
    json!({
        "value": id.to_string(),
        "detail": format!("Could not find tweet with referenced_tweets.id: [{id}]."),
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "referenced_tweets.id",
        "resource_id": id.to_string(),
        "type": format!("{PROBLEMS}/resource-not-found"),
    })
}

/// A resource-not-found problem for an id in the path.
pub(crate) fn not_found(parameter: &str, id: &str, resource_type: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Could not find {resource_type} with {parameter}: [{id}]."),
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": id,
        "type": format!("{PROBLEMS}/resource-not-found"),
    })
}

/// `403` when the user may not act on a resource.
pub(crate) fn not_authorized(parameter: &str, id: &str, resource_type: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Sorry, you are not authorized to access '{id}'."),
        "title": "Forbidden",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": id,
        "section": "data",
        "type": format!("{PROBLEMS}/not-authorized-for-resource"),
        "status": 403,
    })
}
