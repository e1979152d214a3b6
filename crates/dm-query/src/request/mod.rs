//! Request values, one per DM operation, and the [`ApiRequest`] trait that turns them into
//! `http::Request<Bytes>`.

mod activity;
mod chat;
mod lookup;
mod manage;
mod media;
mod multipart;
mod upload;
mod webhooks;

pub use activity::{
    CreateActivitySubscription, DeleteActivitySubscription, DeleteActivitySubscriptions,
    ListActivitySubscriptions, MAX_BACKFILL_MINUTES, StreamActivity, UpdateActivitySubscription,
    stream_time,
};
pub use chat::{
    AddChatGroupMembers, AddConversationKeys, AppendChatUpload, CreateChatGroup, DownloadChatMedia,
    FinalizeChatUpload, GetChatConversation, GetChatConversations, GetChatEvents, GetMe,
    GetPublicKey, GetPublicKeys, InitializeChatGroup, InitializeChatUpload, MarkChatRead,
    RegisterPublicKey, SendChatMessage, SendChatTyping,
};
pub use lookup::{GetEvent, ListEvents, Scope};
pub use manage::{
    BlockDms, CreateGroup, DeleteEvent, SendToConversation, SendToParticipant, UnblockDms,
};
pub use media::DownloadMedia;
pub use upload::{
    AppendUpload, FinalizeUpload, GetUploadStatus, InitializeUpload, MediaEncoding, UploadMedia,
};
pub use webhooks::{
    CheckAaaSubscription, CreateAaaSubscription, CreateWebhook, DeleteAaaSubscription,
    DeleteWebhook, GetAaaSubscriptionCount, ListAaaSubscriptions, ListWebhooks, ReplayWebhook,
    ValidateWebhook,
};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT as USER_AGENT_HEADER};
use http::{HeaderValue, Method};

use crate::base_url::BaseUrl;
use crate::error::QueryError;
use crate::operation::Operation;

/// The `user-agent` every request carries: `xdm/<version>`.
pub const USER_AGENT: &str = concat!("xdm/", env!("CARGO_PKG_VERSION"));

/// A value that can be sent to the DM API: it knows its [`Operation`] and builds the
/// `http::Request`.
///
/// Built requests carry `accept`, `user-agent: xdm/<version>`, `content-type` when there is
/// a body (`application/json`, or `multipart/form-data` for media bytes), and their [`Operation`] in
/// `request.extensions()`. They carry no credentials: authentication is the transport's job.
pub trait ApiRequest {
    /// The operation this request performs.
    fn operation(&self) -> Operation;

    /// Builds the request against `base`.
    ///
    /// # Errors
    ///
    /// [`QueryError`] for an invalid query, path parameter or body.
    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError>;
}

/// Builds the request for `operation` from its path values, query string and JSON body.
pub(crate) fn build(
    operation: Operation,
    base: &BaseUrl,
    path_values: &[&str],
    query: &str,
    body: Option<Vec<u8>>,
) -> Result<http::Request<Bytes>, QueryError> {
    let body = body.map(|json| ("application/json".to_owned(), Bytes::from(json)));
    build_with_body(operation, base, path_values, query, body)
}

/// Builds the request for `operation` with a body of the given content type.
pub(crate) fn build_with_body(
    operation: Operation,
    base: &BaseUrl,
    path_values: &[&str],
    query: &str,
    body: Option<(String, Bytes)>,
) -> Result<http::Request<Bytes>, QueryError> {
    let mut target = operation.render_path(path_values)?;
    if !query.is_empty() {
        target.push('?');
        target.push_str(query);
    }
    let uri = base.join(&target)?;
    let accept = match operation.response_media_type() {
        "application/json" => HeaderValue::from_static("application/json"),
        // Media download: the file on success, a JSON problem on failure.
        _ => HeaderValue::from_static("application/octet-stream, application/json;q=0.9"),
    };
    let mut builder = http::Request::builder()
        .method(operation.method())
        .uri(uri)
        .header(ACCEPT, accept)
        .header(USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT))
        .extension(operation);
    let body = match body {
        Some((content_type, bytes)) => {
            let value = HeaderValue::try_from(content_type).map_err(|e| QueryError::Http {
                message: e.to_string(),
            })?;
            builder = builder.header(CONTENT_TYPE, value);
            bytes
        }
        None => {
            if operation.method() == Method::POST {
                // A bodiless POST (block/unblock) still says so; some proxies want a length.
                builder = builder.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            Bytes::new()
        }
    };
    builder.body(body).map_err(|e| QueryError::Http {
        message: e.to_string(),
    })
}

/// Serializes a `dm-model` request body.
pub(crate) fn json_body<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, QueryError> {
    serde_json::to_vec(body).map_err(|e| QueryError::Body {
        message: e.to_string(),
    })
}
