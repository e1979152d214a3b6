//! What the generated [`Operation`] enum says about each path parameter and security scheme,
//! and the rendering of a path template with percent-encoded segments.

use std::fmt;

use dm_model::{
    ActivitySubscriptionId, ChatConversationId, ChatMediaHashKey, ChatMediaSessionId,
    DmConversationId, DmEventId, DmResourceId, MediaId, MediaKey, TweetId, UserId, WebhookConfigId,
};

use crate::encode::encode_path_segment;
use crate::error::QueryError;
pub use crate::generated::operations::Operation;

/// A path parameter of an [`Operation`], as described by the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PathParam {
    /// The placeholder name in the path template, e.g. `event_id`.
    pub name: &'static str,
    /// The `dm-model` id type the value must be, e.g. `DmEventId`.
    pub id_type: &'static str,
    /// The id type's pattern from the spec, e.g. `^[0-9]{1,19}$`.
    pub pattern: &'static str,
    /// `false` when the spec declares the parameter as a bare string (the conversation id of
    /// send-to-conversation); the value is still validated as [`PathParam::id_type`].
    pub pattern_in_spec: bool,
    /// The spec's description (empty when it gives none).
    pub description: &'static str,
}

/// A way to authenticate a request: one of the spec's security schemes.
///
/// [`Operation::auth_schemes`] lists the ones an operation accepts, as the spec does. The
/// activity stream and most subscription and webhook management take only the app's bearer
/// token (the webhook docs want it for every webhook endpoint; the spec also lists OAuth 1.0a
/// for create, validate and delete); media upload takes a user's (OAuth 2.0 with
/// `media.write`, or OAuth 1.0a).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `BearerToken`: the app-only bearer token (OAuth 2.0 client credentials).
    AppOnly,
    /// `OAuth2UserToken`: a user's OAuth 2.0 access token, with the scopes of
    /// [`Operation::oauth2_scopes`].
    OAuth2User,
    /// `UserToken`: OAuth 1.0a user context, a signature per request.
    OAuth1User,
}

impl AuthScheme {
    /// The spec's name for the scheme (`components.securitySchemes`).
    pub const fn spec_name(self) -> &'static str {
        match self {
            AuthScheme::AppOnly => "BearerToken",
            AuthScheme::OAuth2User => "OAuth2UserToken",
            AuthScheme::OAuth1User => "UserToken",
        }
    }

    /// Whether the scheme acts for a user (user context), not for the app alone.
    pub const fn is_user_context(self) -> bool {
        !matches!(self, AuthScheme::AppOnly)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method(), self.path_template())
    }
}

impl Operation {
    /// Renders the path template with `values` (one per path parameter, in template order),
    /// each percent-encoded as a path segment.
    ///
    /// # Errors
    ///
    /// [`QueryError::PathParams`] when the number of values differs from the template's
    /// parameters, [`QueryError::InvalidId`] when a value does not match its id type (the
    /// conversation id of send-to-conversation included, although the spec gives no
    /// pattern), [`QueryError::InvalidPathSegment`] for a dot segment (`.`/`..`, a valid
    /// `DmResourceId` that would change the path).
    pub fn render_path(self, values: &[&str]) -> Result<String, QueryError> {
        let params = self.path_params();
        if params.len() != values.len() {
            return Err(QueryError::PathParams {
                operation: self,
                expected: params.len(),
                got: values.len(),
            });
        }
        let mut out = String::with_capacity(self.path_template().len() + 40);
        let mut next = 0;
        for segment in self.path_template().split('/').skip(1) {
            out.push('/');
            if segment.starts_with('{') && segment.ends_with('}') {
                let (param, value) = match (params.get(next), values.get(next)) {
                    (Some(p), Some(v)) => (p, *v),
                    _ => {
                        return Err(QueryError::PathParams {
                            operation: self,
                            expected: params.len(),
                            got: values.len(),
                        });
                    }
                };
                next += 1;
                check_id(param, value)?;
                if value.is_empty() || value == "." || value == ".." {
                    return Err(QueryError::InvalidPathSegment {
                        param: param.name,
                        value: value.to_owned(),
                    });
                }
                out.extend(encode_path_segment(value));
            } else {
                out.push_str(segment);
            }
        }
        Ok(out)
    }
}

impl Operation {
    /// Whether the spec accepts `scheme` for this operation.
    pub fn allows(self, scheme: AuthScheme) -> bool {
        self.auth_schemes().contains(&scheme)
    }

    /// Whether only the app's bearer token is accepted (no user context): the activity
    /// stream, most subscription and webhook management.
    pub fn requires_app_only(self) -> bool {
        self.auth_schemes() == [AuthScheme::AppOnly]
    }

    /// The operation whose spec `operationId` is `id`.
    pub fn from_operation_id(id: &str) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|o| o.operation_id() == id)
    }

    /// Recognises a request: the operation with this method whose template matches `path`
    /// (relative to the base URL, without the query), and the percent-decoded path values in
    /// template order. The inverse of [`Operation::render_path`], for servers and test
    /// doubles. The values are not validated: parse them into their `dm-model` id types.
    pub fn match_path(method: &http::Method, path: &str) -> Option<(Operation, Vec<String>)> {
        Operation::ALL.iter().copied().find_map(|op| {
            if op.method() != *method {
                return None;
            }
            let mut template = op.path_template().split('/');
            let mut given = path.split('/');
            let mut values = Vec::new();
            loop {
                match (template.next(), given.next()) {
                    (None, None) => return Some((op, values)),
                    (Some(t), Some(g)) if t.starts_with('{') && t.ends_with('}') => {
                        if g.is_empty() {
                            return None;
                        }
                        let value = percent_encoding::percent_decode_str(g).decode_utf8().ok()?;
                        values.push(value.into_owned());
                    }
                    (Some(t), Some(g)) if t == g => {}
                    _ => return None,
                }
            }
        })
    }
}

/// Validates `value` as the `dm-model` id type `param` names.
fn check_id(param: &PathParam, value: &str) -> Result<(), QueryError> {
    let checked = match param.id_type {
        "UserId" => value.parse::<UserId>().map(drop),
        "DmEventId" => value.parse::<DmEventId>().map(drop),
        "DmConversationId" => value.parse::<DmConversationId>().map(drop),
        "MediaId" => value.parse::<MediaId>().map(drop),
        "MediaKey" => value.parse::<MediaKey>().map(drop),
        "TweetId" => value.parse::<TweetId>().map(drop),
        "DmResourceId" => value.parse::<DmResourceId>().map(drop),
        "WebhookConfigId" => value.parse::<WebhookConfigId>().map(drop),
        "ActivitySubscriptionId" => value.parse::<ActivitySubscriptionId>().map(drop),
        "ChatConversationId" => value.parse::<ChatConversationId>().map(drop),
        "ChatMediaSessionId" => value.parse::<ChatMediaSessionId>().map(drop),
        "ChatMediaHashKey" => value.parse::<ChatMediaHashKey>().map(drop),
        // A type a newer spec introduced: still percent-encoded; a unit test keeps this list
        // in step with the generated operations.
        _ => Ok(()),
    };
    checked.map_err(|source| QueryError::InvalidId {
        param: param.name,
        source,
    })
}

/// The id types [`Operation::render_path`] validates, with their `dm-model` patterns.
#[cfg(test)]
pub(crate) const CHECKED_ID_TYPES: &[(&str, &str)] = &[
    ("UserId", UserId::PATTERN),
    ("DmEventId", DmEventId::PATTERN),
    ("DmConversationId", DmConversationId::PATTERN),
    ("MediaId", MediaId::PATTERN),
    ("MediaKey", MediaKey::PATTERN),
    ("TweetId", TweetId::PATTERN),
    ("DmResourceId", DmResourceId::PATTERN),
    ("WebhookConfigId", WebhookConfigId::PATTERN),
    ("ActivitySubscriptionId", ActivitySubscriptionId::PATTERN),
    ("ChatConversationId", ChatConversationId::PATTERN),
    ("ChatMediaSessionId", ChatMediaSessionId::PATTERN),
    ("ChatMediaHashKey", ChatMediaHashKey::PATTERN),
];

#[cfg(test)]
mod tests {
    use super::*;

    const DM_SPEC: &str = "spec/openapi-dm-2.166.json";
    const MEDIA_REALTIME_SPEC: &str = "spec/openapi-media-realtime-2.167.json";
    const CHAT_SPEC: &str = "spec/openapi-chat-2.167.json";

    fn dm_operations() -> impl Iterator<Item = Operation> {
        Operation::ALL
            .iter()
            .copied()
            .filter(|o| o.spec_file() == DM_SPEC)
    }

    #[test]
    fn every_operation_is_listed_once() {
        assert_eq!(Operation::ALL.len(), 51);
        let mut ids: Vec<&str> = Operation::ALL.iter().map(|o| o.operation_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 51);
        assert_eq!(dm_operations().count(), 11);
        let rest: Vec<&str> = Operation::ALL
            .iter()
            .filter(|o| o.spec_file() != DM_SPEC)
            .map(|o| o.spec_file())
            .collect();
        let mut want = vec![MEDIA_REALTIME_SPEC; 21];
        want.extend([CHAT_SPEC; 19]);
        assert_eq!(rest, want);
        // The DM operations come first, as before the second spec.
        assert!(
            Operation::ALL[..11]
                .iter()
                .all(|o| o.spec_file() == DM_SPEC)
        );
    }

    #[test]
    fn templates_match_path_params() {
        for op in Operation::ALL {
            let placeholders: Vec<&str> = op
                .path_template()
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let names: Vec<&str> = op.path_params().iter().map(|p| p.name).collect();
            assert_eq!(placeholders, names, "{op}");
            assert!(op.path_template().starts_with("/2/"), "{op}");
            for p in op.path_params() {
                let checked = CHECKED_ID_TYPES.iter().find(|(t, _)| *t == p.id_type);
                let (_, pattern) = checked.unwrap_or_else(|| panic!("{op}: {}", p.id_type));
                assert_eq!(p.pattern, *pattern, "{op}: {}", p.name);
            }
        }
    }

    #[test]
    fn spec_facts() {
        use http::{Method, StatusCode};
        let sends = [
            Operation::SendToParticipant,
            Operation::SendToConversation,
            Operation::CreateGroupConversation,
        ];
        for op in &dm_operations().collect::<Vec<_>>() {
            let send = sends.contains(op);
            assert_eq!(
                op.success_status(),
                if send {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                }
            );
            assert_eq!(op.has_request_body(), send, "{op}");
            assert_eq!(op.is_idempotent(), !send, "{op}");
            assert_eq!(
                op.supports_oauth1(),
                *op != Operation::DownloadMedia,
                "{op}"
            );
            assert!(!op.oauth2_scopes().is_empty());
            assert!(op.allows(AuthScheme::OAuth2User), "{op}");
            assert!(!op.allows(AuthScheme::AppOnly), "{op}");
            assert!(!op.is_streaming(), "{op}");
            let json: &[&str] = if send { &["application/json"] } else { &[] };
            assert_eq!(op.request_media_types(), json, "{op}");
        }
        assert_eq!(Operation::DeleteDmEvent.method(), Method::DELETE);
        assert_eq!(
            Operation::DeleteDmEvent.oauth2_scopes(),
            ["dm.read", "dm.write"]
        );
        assert_eq!(Operation::DownloadMedia.oauth2_scopes(), ["dm.read"]);
        assert_eq!(
            Operation::GetDmEvents.oauth2_scopes(),
            ["dm.read", "tweet.read", "users.read"]
        );
        assert_eq!(
            Operation::DownloadMedia.response_media_type(),
            "application/octet-stream"
        );
        assert_eq!(
            Operation::GetDmEventsWithParticipant.query_params(),
            [
                "max_results",
                "pagination_token",
                "event_types",
                "dm_event.fields",
                "expansions",
                "media.fields",
                "user.fields",
                "tweet.fields"
            ]
        );
        assert_eq!(
            Operation::GetDmEvent.query_params(),
            crate::FieldsQuery::PARAMS
        );
        assert_eq!(
            Operation::GetDmEvents.query_params(),
            crate::EventsQuery::PARAMS
        );
        // The spec gives send-to-conversation's id no pattern; we still validate it.
        let p = Operation::SendToConversation.path_params()[0];
        assert_eq!(
            (p.name, p.id_type, p.pattern_in_spec),
            ("dm_conversation_id", "DmConversationId", false)
        );
        assert_eq!(
            Operation::GetDmEvent.to_string(),
            "GET /2/dm_events/{event_id}"
        );
    }

    #[test]
    fn media_and_realtime_facts() {
        use AuthScheme::{AppOnly, OAuth1User, OAuth2User};
        use Operation as O;
        use http::{Method, StatusCode};
        for op in Operation::ALL
            .iter()
            .filter(|o| o.spec_file() == MEDIA_REALTIME_SPEC)
        {
            assert_eq!(op.success_status(), StatusCode::OK, "{op}");
            assert_eq!(op.response_media_type(), "application/json", "{op}");
        }
        // Media upload: user context with `media.write`, never app-only.
        let media = [
            O::UploadMedia,
            O::InitializeUpload,
            O::AppendUpload,
            O::FinalizeUpload,
            O::GetUploadStatus,
        ];
        for op in media {
            assert_eq!(op.auth_schemes(), [OAuth2User, OAuth1User], "{op}");
            assert_eq!(op.oauth2_scopes(), ["media.write"], "{op}");
            assert!(op.supports_oauth1() && !op.requires_app_only(), "{op}");
        }
        let both = ["application/json", "multipart/form-data"];
        assert_eq!(O::UploadMedia.request_media_types(), both);
        assert_eq!(O::AppendUpload.request_media_types(), both);
        assert_eq!(
            O::InitializeUpload.request_media_types(),
            ["application/json"]
        );
        assert!(!O::FinalizeUpload.has_request_body());
        assert_eq!(O::FinalizeUpload.method(), Method::POST);
        assert_eq!(O::GetUploadStatus.query_params(), ["media_id", "command"]);
        let p = O::AppendUpload.path_params()[0];
        assert_eq!(
            (p.name, p.id_type, p.pattern_in_spec),
            ("id", "MediaId", true)
        );

        // The stream and webhook management: the app's bearer token only.
        for op in [
            O::StreamActivity,
            O::UpdateActivitySubscription,
            O::DeleteActivitySubscription,
            O::DeleteActivitySubscriptions,
            O::GetWebhooks,
            O::ReplayWebhook,
            O::GetAaaSubscriptionCount,
            O::GetAaaSubscriptions,
            O::DeleteAaaSubscription,
        ] {
            assert!(op.requires_app_only(), "{op}");
            assert!(op.oauth2_scopes().is_empty(), "{op}");
        }
        // Webhook create/validate/delete: app-only or OAuth 1.0a, as the spec lists them.
        for op in [O::CreateWebhook, O::ValidateWebhook, O::DeleteWebhook] {
            assert_eq!(op.auth_schemes(), [OAuth1User, AppOnly], "{op}");
        }
        assert_eq!(
            O::CreateActivitySubscription.auth_schemes(),
            [OAuth2User, OAuth1User, AppOnly]
        );
        assert!(O::CreateActivitySubscription.oauth2_scopes().is_empty());
        assert_eq!(
            O::GetActivitySubscriptions.oauth2_scopes(),
            ["like.read", "tweet.read"]
        );
        for op in [O::CheckAaaSubscription, O::CreateAaaSubscription] {
            assert_eq!(op.auth_schemes(), [OAuth2User, OAuth1User], "{op}");
            assert!(op.oauth2_scopes().contains(&"dm.read"), "{op}");
        }
        assert!(AppOnly.spec_name() == "BearerToken" && !AppOnly.is_user_context());
        assert!(OAuth1User.is_user_context());

        let streaming: Vec<Operation> = Operation::ALL
            .iter()
            .copied()
            .filter(|o| o.is_streaming())
            .collect();
        assert_eq!(streaming, [O::StreamActivity]);
        assert_eq!(
            O::StreamActivity.query_params(),
            ["backfill_minutes", "start_time", "end_time"]
        );

        // Repeating is safe for GET/PUT/DELETE and a chunk at its index; not for creates.
        let not_idempotent = [
            O::UploadMedia,
            O::InitializeUpload,
            O::FinalizeUpload,
            O::CreateActivitySubscription,
            O::CreateWebhook,
            O::ReplayWebhook,
            O::CreateAaaSubscription,
        ];
        for op in Operation::ALL
            .iter()
            .filter(|o| o.spec_file() == MEDIA_REALTIME_SPEC)
        {
            assert_eq!(op.is_idempotent(), !not_idempotent.contains(op), "{op}");
        }
        let types: Vec<&str> = O::DeleteAaaSubscription
            .path_params()
            .iter()
            .map(|p| p.id_type)
            .collect();
        assert_eq!(types, ["WebhookConfigId", "UserId"]);
        assert_eq!(
            O::DeleteActivitySubscription.path_params()[0].id_type,
            "ActivitySubscriptionId"
        );
    }

    #[test]
    fn chat_facts() {
        use Operation as O;
        use http::StatusCode;
        let chat: Vec<Operation> = Operation::ALL
            .iter()
            .copied()
            .filter(|o| o.spec_file() == CHAT_SPEC)
            .collect();
        assert_eq!(chat.len(), 19);
        assert!(
            chat.iter()
                .all(|o| !o.is_idempotent() || o.method() == http::Method::GET)
        );
        assert_eq!(O::SendChatMessage.success_status(), StatusCode::CREATED);
        assert_eq!(O::CreateChatGroup.success_status(), StatusCode::CREATED);
        assert_eq!(
            O::DownloadChatMedia.response_media_type(),
            "application/octet-stream"
        );
        assert_eq!(
            O::GetChatEvents.path_params()[0].id_type,
            "ChatConversationId"
        );
        assert!(O::GetChatEvents.path_params()[0].pattern_in_spec);
        // The spec gives this one no pattern; it is still validated.
        assert!(!O::GetChatConversation.path_params()[0].pattern_in_spec);
        assert_eq!(
            O::AppendChatUpload.path_params()[0].id_type,
            "ChatMediaSessionId"
        );
        assert!(O::RegisterPublicKey.oauth2_scopes().contains(&"dm.write"));
        assert!(O::GetChatEvents.render_path(&["1-2/../x"]).is_err());
    }

    #[test]
    fn match_path_inverts_render_path() {
        use http::Method;
        let values: &[&[&str]] = &[
            &[],
            &["1-2"],
            &["3"],
            &["4"],
            &["5"],
            &["6"],
            &["123456789012345"],
            &[],
            &["7", "8", "a.jpg"],
            &["9"],
            &["10"],
            // Media upload.
            &[],
            &[],
            &["11"],
            &["12"],
            &[],
            // Activity.
            &[],
            &[],
            &[],
            &["13"],
            &["14"],
            &[],
            // Webhooks.
            &[],
            &[],
            &["15"],
            &["16"],
            &[],
            // Account Activity.
            &[],
            &["17"],
            &["18"],
            &["19"],
            &["20", "21"],
            // X Chat.
            &[],
            &["22"],
            &["23"],
            &[],
            &[],
            &["24"],
            &["25-26"],
            &["g27"],
            &["28"],
            &["29"],
            &["30"],
            &["31"],
            &[],
            &[],
            &["32"],
            &[],
            &["33"],
            &["34"],
            &["35-36", "abc37"],
        ];
        assert_eq!(values.len(), Operation::ALL.len());
        for (op, v) in Operation::ALL.iter().zip(values) {
            let path = op.render_path(v).unwrap();
            let (found, got) = Operation::match_path(&op.method(), &path).unwrap();
            assert_eq!(found, *op, "{path}");
            assert_eq!(got, *v, "{path}");
            assert_eq!(Operation::from_operation_id(op.operation_id()), Some(*op));
        }
        assert_eq!(
            Operation::match_path(&Method::DELETE, "/2/dm_events/12"),
            Some((Operation::DeleteDmEvent, vec!["12".to_owned()]))
        );
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_conversations/with/12/dm_events"),
            Some((Operation::GetDmEventsWithParticipant, vec!["12".to_owned()]))
        );
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_events/a%2Fb"),
            Some((Operation::GetDmEvent, vec!["a/b".to_owned()]))
        );
        assert_eq!(Operation::match_path(&Method::PUT, "/2/dm_events/12"), None);
        assert_eq!(Operation::match_path(&Method::GET, "/2/dm_events/"), None);
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_events/1/x"),
            None
        );
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_events/%FF"),
            None
        );
        assert_eq!(Operation::from_operation_id("getUsers"), None);
        assert_eq!(
            Operation::from_operation_id("getUsersMe"),
            Some(Operation::GetMe)
        );
        assert_eq!(
            Operation::match_path(&Method::POST, "/2/media/upload/initialize"),
            Some((Operation::InitializeUpload, vec![]))
        );
        assert_eq!(
            Operation::match_path(&Method::POST, "/2/webhooks/replay"),
            Some((Operation::ReplayWebhook, vec![]))
        );
        assert_eq!(
            Operation::match_path(
                &Method::GET,
                "/2/account_activity/webhooks/1/subscriptions/all/list"
            ),
            Some((Operation::GetAaaSubscriptions, vec!["1".to_owned()]))
        );
    }

    #[test]
    fn render_path_validates_and_encodes() {
        assert_eq!(
            Operation::GetDmEvent.render_path(&["123"]).unwrap(),
            "/2/dm_events/123"
        );
        assert_eq!(
            Operation::DownloadMedia
                .render_path(&["1", "2", "a-b_c.jpg"])
                .unwrap(),
            "/2/dm_conversations/media/1/2/a-b_c.jpg"
        );
        let err = Operation::SendToConversation
            .render_path(&["12/34"])
            .unwrap_err();
        assert!(
            matches!(&err, QueryError::InvalidId { param: "dm_conversation_id", source } if source.kind == "DmConversationId"),
            "{err:?}"
        );
        assert!(err.to_string().contains("dm_conversation_id"));
        // Short group ids are not conversation ids.
        assert!(
            Operation::SendToConversation
                .render_path(&["12345"])
                .is_err()
        );
        assert!(matches!(
            Operation::BlockDms.render_path(&["x"]),
            Err(QueryError::InvalidId { param: "id", .. })
        ));
        assert!(matches!(
            Operation::DownloadMedia.render_path(&["1", "2", ".."]),
            Err(QueryError::InvalidPathSegment {
                param: "resource_id",
                ..
            })
        ));
        assert_eq!(
            Operation::GetDmEvent.render_path(&[]),
            Err(QueryError::PathParams {
                operation: Operation::GetDmEvent,
                expected: 1,
                got: 0
            })
        );
        assert!(Operation::GetDmEvents.render_path(&["1"]).is_err());
        for (op, param) in [
            (Operation::AppendUpload, "id"),
            (Operation::UpdateActivitySubscription, "subscription_id"),
            (Operation::DeleteWebhook, "webhook_id"),
        ] {
            assert!(
                matches!(op.render_path(&["12a"]), Err(QueryError::InvalidId { param: p, .. }) if p == param),
                "{op}"
            );
            assert!(op.render_path(&["12345678901234567890"]).is_err(), "{op}");
        }
        assert_eq!(
            Operation::DeleteAaaSubscription
                .render_path(&["1", "2244994945"])
                .unwrap(),
            "/2/account_activity/webhooks/1/subscriptions/2244994945/all"
        );
        assert!(
            Operation::DeleteAaaSubscription
                .render_path(&["x", "2244994945"])
                .is_err()
        );
    }
}
