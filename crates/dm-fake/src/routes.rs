//! Path routing.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::dataset::Scope;
use crate::log::Endpoint;
use crate::upload::UploadRoute;

/// A routed request with its raw path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    List(Endpoint, &'static str, String),
    GetEvent(String),
    DeleteEvent(String),
    SendToParticipant(String),
    SendToConversation(String),
    CreateGroup,
    Media(String, String, String),
    Block(String, bool),
    Upload(UploadRoute),
    /// X Chat (`/2/chat/...`, `/2/users/me`, public keys).
    Chat(crate::chat::ChatRoute),
    Authorize,
    Token,
    Revoke,
    Unknown,
}

impl Route {
    /// Routes a request path. Each segment is percent-decoded first (`%32%31` is `21`), so
    /// ids are validated and echoed decoded; an encoded `/` stays inside its segment.
    pub(crate) fn parse(method: &str, path: &str) -> Route {
        let decoded: Vec<Cow<'_, str>> = path
            .trim_end_matches('/')
            .split('/')
            .skip(1)
            .map(|seg| percent_decode_str(seg).decode_utf8_lossy())
            .collect();
        let segs: Vec<&str> = decoded.iter().map(|seg| seg.as_ref()).collect();
        let s = |v: &str| v.to_owned();
        match (method, segs.as_slice()) {
            ("GET", ["2", "dm_events"]) => Route::List(Endpoint::GetDmEvents, "", String::new()),
            ("GET", ["2", "dm_events", id]) => Route::GetEvent(s(id)),
            ("DELETE", ["2", "dm_events", id]) => Route::DeleteEvent(s(id)),
            ("GET", ["2", "dm_conversations", "with", p, "dm_events"]) => {
                Route::List(Endpoint::GetEventsWithParticipant, "participant_id", s(p))
            }
            ("POST", ["2", "dm_conversations", "with", p, "messages"]) => {
                Route::SendToParticipant(s(p))
            }
            ("POST", ["2", "dm_conversations"]) => Route::CreateGroup,
            ("GET", ["2", "dm_conversations", "media", d, m, r]) => Route::Media(s(d), s(m), s(r)),
            ("GET", ["2", "dm_conversations", id, "dm_events"]) => {
                Route::List(Endpoint::GetConversationEvents, "id", s(id))
            }
            ("POST", ["2", "dm_conversations", id, "messages"]) => Route::SendToConversation(s(id)),
            ("POST", ["2", "users", id, "dm", "block"]) => Route::Block(s(id), true),
            ("POST", ["2", "users", id, "dm", "unblock"]) => Route::Block(s(id), false),
            ("GET", ["i", "oauth2", "authorize"]) | ("GET", ["2", "oauth2", "authorize"]) => {
                Route::Authorize
            }
            ("POST", ["2", "oauth2", "token"]) => Route::Token,
            ("POST", ["2", "oauth2", "revoke"]) => Route::Revoke,
            _ => match crate::chat::ChatRoute::parse(method, &segs) {
                Some(chat) => Route::Chat(chat),
                None => UploadRoute::parse(method, &segs).map_or(Route::Unknown, Route::Upload),
            },
        }
    }

    pub(crate) fn endpoint(&self) -> Endpoint {
        match self {
            Route::List(e, _, _) => *e,
            Route::GetEvent(_) => Endpoint::GetEvent,
            Route::DeleteEvent(_) => Endpoint::DeleteEvent,
            Route::SendToParticipant(_) => Endpoint::SendToParticipant,
            Route::SendToConversation(_) => Endpoint::SendToConversation,
            Route::CreateGroup => Endpoint::CreateGroup,
            Route::Media(..) => Endpoint::DownloadMedia,
            Route::Block(_, true) => Endpoint::BlockDms,
            Route::Block(_, false) => Endpoint::UnblockDms,
            Route::Upload(u) => match u {
                UploadRoute::OneShot => Endpoint::UploadMedia,
                UploadRoute::Initialize => Endpoint::InitializeUpload,
                UploadRoute::Append(_) => Endpoint::AppendUpload,
                UploadRoute::Finalize(_) => Endpoint::FinalizeUpload,
                UploadRoute::Status => Endpoint::UploadStatus,
            },
            Route::Chat(_) => Endpoint::Chat,
            Route::Authorize => Endpoint::OAuth2Authorize,
            Route::Token => Endpoint::OAuth2Token,
            Route::Revoke => Endpoint::OAuth2Revoke,
            Route::Unknown => Endpoint::Unknown,
        }
    }

    /// OAuth 2.0 scopes a token needs for this route.
    pub(crate) fn scopes(&self) -> &'static [&'static str] {
        match self.endpoint() {
            Endpoint::GetDmEvents
            | Endpoint::GetConversationEvents
            | Endpoint::GetEventsWithParticipant
            | Endpoint::GetEvent => &["dm.read", "tweet.read", "users.read"],
            Endpoint::DeleteEvent => &["dm.read", "dm.write"],
            Endpoint::DownloadMedia => &["dm.read"],
            Endpoint::SendToParticipant
            | Endpoint::SendToConversation
            | Endpoint::CreateGroup
            | Endpoint::BlockDms
            | Endpoint::UnblockDms => &["dm.write", "tweet.read", "users.read"],
            Endpoint::UploadMedia
            | Endpoint::InitializeUpload
            | Endpoint::AppendUpload
            | Endpoint::FinalizeUpload
            | Endpoint::UploadStatus => &["media.write"],
            _ => &[],
        }
    }
}

/// The lookup scope of a list route, after its id was validated.
pub(crate) fn scope_of(endpoint: Endpoint, id: &str) -> Scope {
    match endpoint {
        Endpoint::GetConversationEvents => Scope::Conversation(id.to_owned()),
        Endpoint::GetEventsWithParticipant => Scope::WithParticipant(id.to_owned()),
        _ => Scope::All,
    }
}
