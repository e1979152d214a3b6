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

    /// Whether requests of this family are safe to repeat (lookups, delete, block/unblock).
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self,
            Self::DmLookup | Self::DmDelete | Self::DmBlock | Self::MediaDownload
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
