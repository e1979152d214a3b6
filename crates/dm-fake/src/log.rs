//! The request log and counters, for assertions.

use std::collections::BTreeMap;

/// The endpoint a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /2/dm_events`
    GetDmEvents,
    /// `GET /2/dm_conversations/{id}/dm_events`
    GetConversationEvents,
    /// `GET /2/dm_conversations/with/{participant_id}/dm_events`
    GetEventsWithParticipant,
    /// `GET /2/dm_events/{event_id}`
    GetEvent,
    /// `DELETE /2/dm_events/{event_id}`
    DeleteEvent,
    /// `POST /2/dm_conversations/with/{participant_id}/messages`
    SendToParticipant,
    /// `POST /2/dm_conversations/{dm_conversation_id}/messages`
    SendToConversation,
    /// `POST /2/dm_conversations`
    CreateGroup,
    /// `GET /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}`
    DownloadMedia,
    /// `POST /2/users/{id}/dm/block`
    BlockDms,
    /// `POST /2/users/{id}/dm/unblock`
    UnblockDms,
    /// `POST /2/media/upload` (one-shot)
    UploadMedia,
    /// `POST /2/media/upload/initialize`
    InitializeUpload,
    /// `POST /2/media/upload/{id}/append`
    AppendUpload,
    /// `POST /2/media/upload/{id}/finalize`
    FinalizeUpload,
    /// `GET /2/media/upload` (`command=STATUS`)
    UploadStatus,
    /// X Chat: `/2/chat/...`, `/2/users/me`, `/2/users/{id}/public_keys`, `/2/users/public_keys`
    Chat,
    /// `GET /i/oauth2/authorize`
    OAuth2Authorize,
    /// `POST /2/oauth2/token`
    OAuth2Token,
    /// `POST /2/oauth2/revoke`
    OAuth2Revoke,
    /// `GET /2/activity/stream`
    ActivityStream,
    /// `/2/activity/subscriptions[/{id}]`
    ActivitySubscriptions,
    /// `/2/webhooks[/{id}]`
    Webhooks,
    /// `POST /2/webhooks/replay`
    WebhookReplay,
    /// `/2/account_activity/...`
    AccountActivity,
    /// Anything else (404).
    Unknown,
}

impl Endpoint {
    /// The rate-limit family: endpoints in one family share a budget.
    pub fn family(self) -> Option<&'static str> {
        match self {
            Endpoint::GetDmEvents
            | Endpoint::GetConversationEvents
            | Endpoint::GetEventsWithParticipant
            | Endpoint::GetEvent => Some("lookup"),
            Endpoint::SendToParticipant | Endpoint::SendToConversation | Endpoint::CreateGroup => {
                Some("send")
            }
            Endpoint::DeleteEvent => Some("delete"),
            Endpoint::BlockDms | Endpoint::UnblockDms => Some("block"),
            Endpoint::DownloadMedia => Some("media"),
            Endpoint::UploadMedia => Some("media-upload"),
            Endpoint::InitializeUpload | Endpoint::AppendUpload | Endpoint::FinalizeUpload => {
                Some("media-upload-chunked")
            }
            Endpoint::UploadStatus => Some("media-upload-status"),
            Endpoint::Chat => Some("chat"),
            _ => None,
        }
    }

    /// Whether this is an API endpoint (DMs or media upload: needs user auth, rate limited,
    /// subject to faults).
    pub fn is_dm(self) -> bool {
        self.family().is_some()
    }
}

/// How a request authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthKind {
    /// No or unusable credentials.
    None,
    /// A bearer token (user or app-only).
    Bearer,
    /// An OAuth 1.0a signature.
    OAuth1,
}

/// One logged request. Never holds credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// 1-based arrival number.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string (may be empty).
    pub query: String,
    /// Routed endpoint.
    pub endpoint: Endpoint,
    /// Status sent (0 if the connection was dropped without a response).
    pub status: u16,
    /// How it authenticated.
    pub auth: AuthKind,
    /// The injected fault, if any.
    pub fault: Option<&'static str>,
    /// Request body size in bytes.
    pub body_len: usize,
    /// Whether the client asked for gzip (and got it).
    pub gzip: bool,
}

/// Counters over the whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received.
    pub requests: u64,
    /// Requests per endpoint.
    pub per_endpoint: BTreeMap<Endpoint, u64>,
    /// 429 responses served (rate limit, storms and usage cap).
    pub rate_limited: u64,
    /// Faults injected, by [`crate::FaultKind::name`].
    pub faults: BTreeMap<&'static str, u64>,
    /// Responses per status code.
    pub per_status: BTreeMap<u16, u64>,
    /// Lookups answered from pre-rendered bytes.
    pub prerendered_served: u64,
}

impl Stats {
    /// Requests served by one endpoint.
    pub fn endpoint(&self, e: Endpoint) -> u64 {
        self.per_endpoint.get(&e).copied().unwrap_or(0)
    }

    /// Total faults injected.
    pub fn faults_injected(&self) -> u64 {
        self.faults.values().sum()
    }
}
