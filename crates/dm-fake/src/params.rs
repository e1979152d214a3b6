//! Query-parameter validation, like the API: unknown, duplicate, empty or out-of-range values
//! are a `400` invalid-request problem naming the parameter.

use serde_json::Value;

use crate::dataset::render::Selection;
use crate::problem::invalid_request;

/// `dm_event.fields` values (spec 2.166 order).
pub const DM_EVENT_FIELDS: &[&str] = &[
    "attachments",
    "created_at",
    "dm_conversation_id",
    "entities",
    "event_type",
    "id",
    "participant_ids",
    "referenced_tweets",
    "sender_id",
    "text",
];
/// `expansions` values.
pub const EXPANSIONS: &[&str] = &[
    "attachments.media_keys",
    "participant_ids",
    "referenced_tweets.id",
    "sender_id",
];
/// `media.fields` values.
pub const MEDIA_FIELDS: &[&str] = &[
    "alt_text",
    "duration_ms",
    "height",
    "media_key",
    "non_public_metrics",
    "organic_metrics",
    "preview_image_url",
    "promoted_metrics",
    "public_metrics",
    "type",
    "url",
    "variants",
    "width",
];
/// `user.fields` values.
pub const USER_FIELDS: &[&str] = &[
    "affiliation",
    "confirmed_email",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "is_identity_verified",
    "location",
    "most_recent_tweet_id",
    "name",
    "parody",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_followers_count",
    "verified_type",
    "withheld",
];
/// `tweet.fields` values.
pub const TWEET_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "matched_media_notes",
    "media_metadata",
    "non_public_metrics",
    "note_request_suggestions",
    "note_tweet",
    "organic_metrics",
    "paid_partnership",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "suggested_source_links_with_counts",
    "text",
    "withheld",
];
/// `event_types` values.
pub const EVENT_TYPES: &[&str] = &["MessageCreate", "ParticipantsJoin", "ParticipantsLeave"];

/// A validated event lookup query.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListQuery {
    pub max_results: usize,
    pub pagination_token: Option<String>,
    /// Bit set of [`crate::dataset::Kind::bit`].
    pub types: u8,
    pub selection: Selection,
}

/// A validation failure: the problem body to send with `400`.
pub(crate) type Invalid = Value;

/// The spelling a value is compared under for uniqueness: `referenced_posts` (SPEC-167) is
/// the same expansion as `referenced_tweets.id`, `post.fields` the same parameter as
/// `tweet.fields`.
fn canonical(name: &str) -> &str {
    match name {
        "referenced_posts" => "referenced_tweets.id",
        "post.fields" => "tweet.fields",
        other => other,
    }
}

fn list_param(name: &str, value: &str, allowed: &[&str]) -> Result<Vec<String>, Invalid> {
    if value.is_empty() {
        return Err(invalid_request(
            name,
            value,
            format!("The `{name}` query parameter can not be empty"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for item in value.split(',') {
        if !allowed.contains(&item) {
            return Err(invalid_request(
                name,
                item,
                format!(
                    "The `{name}` query parameter value [{item}] is not one of [{}]",
                    allowed.join(",")
                ),
            ));
        }
        if out.iter().any(|x| canonical(x) == canonical(item)) {
            return Err(invalid_request(
                name,
                value,
                format!("The `{name}` query parameter contains a duplicate value [{item}]"),
            ));
        }
        out.push(item.to_owned());
    }
    Ok(out)
}

/// The query parameters of an event lookup (`paged`) or a get-by-id, in SPEC order, plus the
/// SPEC-167 `post.fields` (a synonym of `tweet.fields`).
fn allowed_params(paged: bool) -> &'static [&'static str] {
    const PAGED: &[&str] = &[
        "max_results",
        "pagination_token",
        "event_types",
        "dm_event.fields",
        "expansions",
        "media.fields",
        "user.fields",
        "tweet.fields",
        "post.fields",
    ];
    if paged {
        PAGED
    } else {
        // No `max_results`, `pagination_token` or `event_types` on a get-by-id.
        PAGED.get(3..).unwrap_or_default()
    }
}

/// Parses and validates the query of an event lookup (`paged`) or a get-by-id (not paged).
///
/// Every bad parameter is reported, one `errors` entry each, in the order they appear.
pub(crate) fn parse(query: &str, paged: bool) -> Result<ListQuery, Invalid> {
    let mut q = ListQuery {
        max_results: 100,
        types: 7,
        ..ListQuery::default()
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut rejected: Vec<Invalid> = Vec::new();
    let allowed = allowed_params(paged);
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let (k, v) = (k.as_ref(), v.as_ref());
        let Some(known) = allowed.iter().find(|a| **a == k) else {
            rejected.push(invalid_request(
                k,
                v,
                format!(
                    "The query parameter [{k}] is not one of [{}]",
                    allowed.join(",")
                ),
            ));
            continue;
        };
        if let Some(first) = seen.iter().find(|s| canonical(s) == canonical(k)) {
            let message = if *first == k {
                format!(
                    "Duplicate parameter [{k}]: the `{k}` query parameter can only be given once"
                )
            } else {
                format!(
                    "Duplicate parameter [{k}]: `{k}` and `{first}` are the same parameter and can only be given once"
                )
            };
            rejected.push(invalid_request(k, v, message));
            continue;
        }
        seen.push(*known);
        if let Err(p) = apply(&mut q, k, v) {
            rejected.push(p);
        }
    }
    match crate::problem::merge(rejected) {
        Some(p) => Err(p),
        None => Ok(q),
    }
}

/// Validates one known, first-seen parameter and stores its value in `q`.
fn apply(q: &mut ListQuery, k: &str, v: &str) -> Result<(), Invalid> {
    match k {
        "max_results" => {
            let n: i64 = v.parse().map_err(|_| {
                invalid_request(
                    k,
                    v,
                    format!("The `max_results` query parameter value [{v}] is not a number"),
                )
            })?;
            if !(1..=100).contains(&n) {
                return Err(invalid_request(
                    k,
                    v,
                    format!(
                        "The `max_results` query parameter value [{v}] is not between 1 and 100"
                    ),
                ));
            }
            q.max_results = n as usize;
        }
        "pagination_token" => {
            if v.chars().count() < 16 {
                return Err(invalid_request(
                    k,
                    v,
                    format!(
                        "The `pagination_token` query parameter value [{v}] is not valid: it must be at least 16 characters"
                    ),
                ));
            }
            q.pagination_token = Some(v.to_owned());
        }
        "event_types" => {
            q.types = 0;
            for t in list_param(k, v, EVENT_TYPES)? {
                q.types |= crate::dataset::Kind::from_wire(&t).map_or(0, |k| k.bit());
            }
        }
        "dm_event.fields" => q.selection.event_fields = list_param(k, v, DM_EVENT_FIELDS)?,
        "expansions" => {
            let mut allowed_exp = EXPANSIONS.to_vec();
            allowed_exp.push("referenced_posts");
            q.selection.expansions = list_param(k, v, &allowed_exp)?;
        }
        "media.fields" => q.selection.media_fields = list_param(k, v, MEDIA_FIELDS)?,
        "user.fields" => q.selection.user_fields = list_param(k, v, USER_FIELDS)?,
        "tweet.fields" | "post.fields" => {
            q.selection.tweet_fields = list_param(k, v, TWEET_FIELDS)?
        }
        _ => {}
    }
    Ok(())
}

/// Validates a numeric id path segment (`^[0-9]{1,19}$`).
pub(crate) fn numeric_id(name: &str, value: &str) -> Result<u64, Invalid> {
    if value.is_empty() || value.len() > 19 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_request(
            name,
            value,
            format!("The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$"),
        ));
    }
    value.parse().map_err(|_| {
        invalid_request(
            name,
            value,
            format!("The `{name}` query parameter value [{value}] is out of range"),
        )
    })
}

/// Validates a conversation id (`^([0-9]{1,19}-[0-9]{1,19}|[0-9]{15,19})$`).
pub(crate) fn conversation_id(name: &str, value: &str) -> Result<String, Invalid> {
    let digits = |s: &str, min: usize| {
        s.len() >= min && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit())
    };
    let ok = match value.split_once('-') {
        Some((a, b)) => digits(a, 1) && digits(b, 1),
        None => digits(value, 15),
    };
    if ok {
        Ok(value.to_owned())
    } else {
        Err(invalid_request(
            name,
            value,
            format!(
                "The `{name}` query parameter value [{value}] does not match ^([0-9]{{1,19}}-[0-9]{{1,19}}|[0-9]{{15,19}})$"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let q = parse("", true).unwrap();
        assert_eq!((q.max_results, q.types), (100, 7));
        let e = parse("max_results=0", true).unwrap_err();
        assert_eq!(e["errors"][0]["parameters"]["max_results"][0], "0");
        let e = parse("expansions=sender_id,sender_id", true).unwrap_err();
        assert!(
            e["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("duplicate")
        );
        let e = parse("foo=1", true).unwrap_err();
        assert_eq!(e["errors"][0]["parameters"]["foo"][0], "1");
        assert!(parse("max_results=5", false).is_err());
        assert!(parse("dm_event.fields=", true).is_err());
        assert!(parse("pagination_token=short", true).is_err());
        assert_eq!(parse("event_types=MessageCreate", true).unwrap().types, 1);
        assert!(numeric_id("participant_id", "12a").is_err());
        assert!(conversation_id("id", "1-2").is_ok());
        assert!(conversation_id("id", "12").is_err());
    }
}
