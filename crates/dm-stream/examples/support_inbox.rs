//! A support inbox: tails several conversations at once and prints each new message as it
//! arrives, tagged with its conversation, each once and in order per conversation.
//!
//! ```text
//! XDM_ACCESS_TOKEN=...   # the support account's OAuth 2.0 user token
//! cargo run -p dm-stream --example support_inbox -- 944480690-906948460078698496 1578398451921985538
//! ```
//!
//! Each conversation is polled on its own schedule (faster right after a message, slower
//! while it is quiet) and every poll goes through the client's rate budget, shared by all
//! of them. `tests/examples.rs` runs this file against the sandbox.

use std::error::Error as StdError;
use std::time::Duration;

use dm_model::DmConversationId;
use dm_stream::{Client, FollowOptions, ResolvedEvent, StreamError};
use futures::stream::{self, BoxStream, StreamExt};

/// One new message of the inbox.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The conversation it arrived in.
    pub conversation: DmConversationId,
    /// The event, with its sender resolved.
    pub event: ResolvedEvent,
}

impl Incoming {
    /// The line the inbox prints.
    pub fn line(&self) -> String {
        let who = self
            .event
            .sender()
            .and_then(|u| u.username.as_deref())
            .map_or_else(|| "?".to_owned(), |u| format!("@{u}"));
        let text = self.event.event().text.as_deref().unwrap_or("(no text)");
        format!("[{}] {who}: {text}", self.conversation)
    }
}

/// New events of every conversation in `ids`, merged as they arrive. Only what arrives after
/// the call counts as new. A conversation's final error is yielded once and ends its tail.
pub fn inbox(
    client: &Client,
    ids: Vec<DmConversationId>,
    options: FollowOptions,
) -> BoxStream<'static, Result<Incoming, Box<StreamError>>> {
    let tails = ids.into_iter().map(|id| {
        client
            .conversation(id.clone())
            .public_fields()
            .follow(options.clone())
            .map(move |event| {
                event
                    .map(|event| Incoming {
                        conversation: id.clone(),
                        event,
                    })
                    .map_err(Box::new)
            })
            .boxed()
    });
    stream::select_all(tails).boxed()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let ids = std::env::args()
        .skip(1)
        .map(|id| id.parse::<DmConversationId>())
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err("name the conversations to watch: support_inbox ID [ID...]".into());
    }
    let client = Client::builder()
        .base_url(std::env::var("XDM_BASE_URL").unwrap_or_else(|_| "https://api.x.com".into()))
        .bearer_token(std::env::var("XDM_ACCESS_TOKEN").map_err(|_| "set XDM_ACCESS_TOKEN")?)
        .build()?;
    let options = FollowOptions::new(Duration::from_secs(5), Duration::from_secs(60));
    let mut messages = inbox(&client, ids, options);
    while let Some(message) = messages.next().await {
        println!("{}", message?.line());
    }
    Ok(())
}
