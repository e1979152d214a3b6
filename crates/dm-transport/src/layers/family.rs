//! [`EndpointFamily`]: which rate-limit budget a request spends.

use std::fmt;

use http::Method;

/// The rate-limit budget a request belongs to, derived from method and path shape.
///
/// Override it by inserting an `EndpointFamily` into the request's extensions.
///
/// ```
/// use dm_transport::EndpointFamily;
/// use http::Method;
/// assert_eq!(EndpointFamily::classify(&Method::GET, "/2/dm_events"), EndpointFamily::DmLookup);
/// assert_eq!(
///     EndpointFamily::classify(&Method::POST, "/2/dm_conversations/with/12/messages"),
///     EndpointFamily::DmSend
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EndpointFamily {
    /// The four DM event lookups (`GET /2/dm_events[/{id}]`, `GET /2/dm_conversations/.../dm_events`).
    DmLookup,
    /// The three sends (`POST /2/dm_conversations[...]`).
    DmSend,
    /// `DELETE /2/dm_events/{id}`.
    DmDelete,
    /// `POST /2/users/{id}/dm/block` and `/dm/unblock`.
    DmBlock,
    /// `GET /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}`.
    MediaDownload,
    /// The one-shot `POST /2/media/upload` (500 per 15 minutes per user).
    MediaUpload,
    /// `POST /2/media/upload/initialize` (1,875 per 15 minutes per user).
    MediaUploadInitialize,
    /// `POST /2/media/upload/{id}/append`: safe to repeat, a segment sent again at its index
    /// replaces itself (1,875 per 15 minutes per user).
    MediaUploadAppend,
    /// `POST /2/media/upload/{id}/finalize` (1,875 per 15 minutes per user).
    MediaUploadFinalize,
    /// `GET /2/media/upload` (`command=STATUS`; 1,000 per 15 minutes per user).
    MediaUploadStatus,
    /// The X Activity API subscriptions, `/2/activity/subscriptions[/{id}]`, any method
    /// (500 per 15 minutes per app).
    ActivitySubscriptions,
    /// `GET /2/activity/stream`, the long-lived activity stream (450 connections per 15
    /// minutes per app).
    ActivityStream,
    /// Webhook management, `/2/webhooks[/{webhook_id}]`, any method (450 per 15 minutes per
    /// app).
    Webhooks,
    /// `POST /2/webhooks/replay` (100 per 15 minutes per app).
    WebhookReplay,
    /// The Account Activity API, `/2/account_activity/...`.
    AccountActivity,
    /// X Chat reads: `GET /2/chat/conversations[/{id}[/events]]`.
    ChatRead,
    /// X Chat writes: every `POST /2/chat/conversations/...` (messages, keys, typing, read,
    /// deletes, groups). Not repeated once it may have been sent.
    ChatWrite,
    /// X Chat encrypted media upload, `POST /2/chat/media/upload/...`.
    ChatMediaUpload,
    /// `GET /2/chat/media/{id}/{media_hash_key}`.
    ChatMediaDownload,
    /// Public keys, `GET|POST /2/users/{id}/public_keys` and `GET /2/users/public_keys`.
    PublicKeys,
    /// `GET /2/users/me`.
    UsersMe,
    /// Anything else: `METHOD /path` with id-like segments replaced by `{}`.
    Other(String),
}

impl fmt::Display for EndpointFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DmLookup => f.write_str("dm-lookup"),
            Self::DmSend => f.write_str("dm-send"),
            Self::DmDelete => f.write_str("dm-delete"),
            Self::DmBlock => f.write_str("dm-block"),
            Self::MediaDownload => f.write_str("dm-media-download"),
            Self::MediaUpload => f.write_str("media-upload"),
            Self::MediaUploadInitialize => f.write_str("media-upload-initialize"),
            Self::MediaUploadAppend => f.write_str("media-upload-append"),
            Self::MediaUploadFinalize => f.write_str("media-upload-finalize"),
            Self::MediaUploadStatus => f.write_str("media-upload-status"),
            Self::ActivitySubscriptions => f.write_str("activity-subscriptions"),
            Self::ActivityStream => f.write_str("activity-stream"),
            Self::Webhooks => f.write_str("webhooks"),
            Self::WebhookReplay => f.write_str("webhook-replay"),
            Self::AccountActivity => f.write_str("account-activity"),
            Self::ChatRead => f.write_str("chat-read"),
            Self::ChatWrite => f.write_str("chat-write"),
            Self::ChatMediaUpload => f.write_str("chat-media-upload"),
            Self::ChatMediaDownload => f.write_str("chat-media-download"),
            Self::PublicKeys => f.write_str("public-keys"),
            Self::UsersMe => f.write_str("users-me"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

impl EndpointFamily {
    /// The family of a request: its `EndpointFamily` extension, else [`classify`](Self::classify).
    pub fn of<B>(request: &http::Request<B>) -> Self {
        request
            .extensions()
            .get::<Self>()
            .cloned()
            .unwrap_or_else(|| Self::classify(request.method(), request.uri().path()))
    }

    /// Classifies `method` + `path` (a path prefix before `/2/` is ignored).
    pub fn classify(method: &Method, path: &str) -> Self {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let rest = match segments.iter().position(|s| *s == "2") {
            Some(i) => segments.get(i + 1..).unwrap_or_default(),
            None => &segments[..],
        };
        let m = method.as_str();
        match (m, rest) {
            ("GET", ["dm_events"] | ["dm_events", _]) => Self::DmLookup,
            ("GET", ["dm_conversations", _, "dm_events"]) => Self::DmLookup,
            ("GET", ["dm_conversations", "with", _, "dm_events"]) => Self::DmLookup,
            ("GET", ["dm_conversations", "media", _, _, _]) => Self::MediaDownload,
            ("DELETE", ["dm_events", _]) => Self::DmDelete,
            ("POST", ["dm_conversations"]) => Self::DmSend,
            ("POST", ["dm_conversations", _, "messages"]) => Self::DmSend,
            ("POST", ["dm_conversations", "with", _, "messages"]) => Self::DmSend,
            ("POST", ["users", _, "dm", "block" | "unblock"]) => Self::DmBlock,
            ("POST", ["media", "upload"]) => Self::MediaUpload,
            ("POST", ["media", "upload", "initialize"]) => Self::MediaUploadInitialize,
            ("POST", ["media", "upload", _, "append"]) => Self::MediaUploadAppend,
            ("POST", ["media", "upload", _, "finalize"]) => Self::MediaUploadFinalize,
            ("GET", ["media", "upload"]) => Self::MediaUploadStatus,
            (_, ["activity", "subscriptions"] | ["activity", "subscriptions", _]) => {
                Self::ActivitySubscriptions
            }
            ("GET", ["activity", "stream"]) => Self::ActivityStream,
            ("POST", ["webhooks", "replay"]) => Self::WebhookReplay,
            (_, ["webhooks"] | ["webhooks", _]) => Self::Webhooks,
            (_, ["account_activity", ..]) => Self::AccountActivity,
            ("GET", ["chat", "conversations", ..]) => Self::ChatRead,
            ("POST", ["chat", "conversations", ..]) => Self::ChatWrite,
            ("POST", ["chat", "media", "upload", ..]) => Self::ChatMediaUpload,
            ("GET", ["chat", "media", _, _]) => Self::ChatMediaDownload,
            (_, ["users", _, "public_keys"] | ["users", "public_keys"]) => Self::PublicKeys,
            ("GET", ["users", "me"]) => Self::UsersMe,
            _ => {
                let shape: Vec<&str> = segments
                    .iter()
                    .map(|s| {
                        // keep the `2` version segment; id-like segments become `{}`
                        if *s != "2" && s.bytes().any(|b| b.is_ascii_digit()) {
                            "{}"
                        } else {
                            s
                        }
                    })
                    .collect();
                Self::Other(format!("{m} /{}", shape.join("/")))
            }
        }
    }

    /// Whether every request of this family is safe to repeat, whatever its method: the DM
    /// lookups, delete, block/unblock, the media download, a media chunk appended at its
    /// segment index and the upload status. The retry layer also repeats any `GET`, `PUT` or
    /// `DELETE`; the DM sends, the one-shot upload, upload initialize/finalize and the creates
    /// (subscriptions, webhooks, replay jobs) are not repeated once they may have been sent.
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self,
            Self::DmLookup
                | Self::DmDelete
                | Self::DmBlock
                | Self::MediaDownload
                | Self::MediaUploadAppend
                | Self::MediaUploadStatus
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_dm_operation() {
        let cases = [
            (Method::GET, "/2/dm_events", EndpointFamily::DmLookup),
            (
                Method::GET,
                "/2/dm_events/1585800613253812228",
                EndpointFamily::DmLookup,
            ),
            (
                Method::GET,
                "/2/dm_conversations/1-2/dm_events",
                EndpointFamily::DmLookup,
            ),
            (
                Method::GET,
                "/2/dm_conversations/with/12/dm_events",
                EndpointFamily::DmLookup,
            ),
            (
                Method::GET,
                "/2/dm_conversations/media/1/2/3",
                EndpointFamily::MediaDownload,
            ),
            (Method::DELETE, "/2/dm_events/9", EndpointFamily::DmDelete),
            (Method::POST, "/2/dm_conversations", EndpointFamily::DmSend),
            (
                Method::POST,
                "/2/dm_conversations/1-2/messages",
                EndpointFamily::DmSend,
            ),
            (
                Method::POST,
                "/2/dm_conversations/with/12/messages",
                EndpointFamily::DmSend,
            ),
            (
                Method::POST,
                "/2/users/12/dm/block",
                EndpointFamily::DmBlock,
            ),
            (
                Method::POST,
                "/2/users/12/dm/unblock",
                EndpointFamily::DmBlock,
            ),
            (Method::GET, "/prefix/2/dm_events", EndpointFamily::DmLookup),
        ];
        for (m, p, f) in cases {
            assert_eq!(EndpointFamily::classify(&m, p), f, "{m} {p}");
        }
        assert_eq!(
            EndpointFamily::classify(&Method::GET, "/2/users/123/tweets"),
            EndpointFamily::Other("GET /2/users/{}/tweets".into())
        );
    }

    #[test]
    fn classifies_media_upload_activity_and_webhooks() {
        use EndpointFamily as F;
        let cases = [
            (Method::POST, "/2/media/upload", F::MediaUpload),
            (
                Method::POST,
                "/2/media/upload/initialize",
                F::MediaUploadInitialize,
            ),
            (
                Method::POST,
                "/2/media/upload/9/append",
                F::MediaUploadAppend,
            ),
            (
                Method::POST,
                "/2/media/upload/9/finalize",
                F::MediaUploadFinalize,
            ),
            (Method::GET, "/2/media/upload", F::MediaUploadStatus),
            (Method::GET, "/2/activity/stream", F::ActivityStream),
            (
                Method::POST,
                "/2/activity/subscriptions",
                F::ActivitySubscriptions,
            ),
            (
                Method::GET,
                "/2/activity/subscriptions",
                F::ActivitySubscriptions,
            ),
            (
                Method::DELETE,
                "/2/activity/subscriptions",
                F::ActivitySubscriptions,
            ),
            (
                Method::PUT,
                "/2/activity/subscriptions/5",
                F::ActivitySubscriptions,
            ),
            (
                Method::DELETE,
                "/2/activity/subscriptions/5",
                F::ActivitySubscriptions,
            ),
            (Method::GET, "/2/webhooks", F::Webhooks),
            (Method::POST, "/2/webhooks", F::Webhooks),
            (Method::PUT, "/2/webhooks/7", F::Webhooks),
            (Method::DELETE, "/2/webhooks/7", F::Webhooks),
            (Method::POST, "/2/webhooks/replay", F::WebhookReplay),
            (
                Method::GET,
                "/2/account_activity/subscriptions/count",
                F::AccountActivity,
            ),
            (
                Method::POST,
                "/2/account_activity/webhooks/7/subscriptions/all",
                F::AccountActivity,
            ),
            (
                Method::DELETE,
                "/2/account_activity/webhooks/7/subscriptions/12/all",
                F::AccountActivity,
            ),
        ];
        for (m, p, f) in cases {
            assert_eq!(EndpointFamily::classify(&m, p), f, "{m} {p}");
        }
        // Only the chunk append (and the status GET) are safe to repeat as POSTs go.
        let repeatable: Vec<F> = [
            F::MediaUpload,
            F::MediaUploadInitialize,
            F::MediaUploadAppend,
            F::MediaUploadFinalize,
            F::MediaUploadStatus,
            F::ActivitySubscriptions,
            F::ActivityStream,
            F::Webhooks,
            F::WebhookReplay,
            F::AccountActivity,
        ]
        .into_iter()
        .filter(F::is_idempotent)
        .collect();
        assert_eq!(repeatable, [F::MediaUploadAppend, F::MediaUploadStatus]);
        // Unknown shapes under the new prefixes still get their own budget.
        assert_eq!(
            EndpointFamily::classify(&Method::POST, "/2/media/upload/9/abort"),
            F::Other("POST /2/media/upload/{}/abort".into())
        );
        assert_eq!(F::MediaUploadAppend.to_string(), "media-upload-append");
    }

    #[test]
    fn extension_overrides() {
        let mut req = http::Request::get("https://api.x.com/2/dm_events")
            .body(())
            .unwrap();
        req.extensions_mut()
            .insert(EndpointFamily::Other("mine".into()));
        assert_eq!(
            EndpointFamily::of(&req),
            EndpointFamily::Other("mine".into())
        );
    }
}
