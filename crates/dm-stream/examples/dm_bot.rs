//! A bot that answers every incoming DM in real time, built on the X Activity API stream.
//!
//! It makes sure the app has a `dm.received` subscription for the bot's account, opens the
//! activity stream, and answers each incoming message with what it said. The stream
//! reconnects by itself and delivers every message once, so no message is answered twice
//! or missed while the connection is down. A reply that may have been sent is never sent
//! again.
//!
//! ```text
//! XDM_ACCESS_TOKEN=...        # the bot account's OAuth 2.0 user token (dm.read dm.write tweet.read users.read)
//! XDM_APP_BEARER_TOKEN=...    # the app's bearer token (the stream takes it)
//! XDM_USER_ID=...             # the bot account's user id
//! cargo run -p dm-stream --example dm_bot
//! ```
//!
//! `tests/bot_example.rs` runs this file against the sandbox.

use std::error::Error as StdError;

use dm_model::{MessageRequest, UserId};
use dm_stream::{ActivityStreamOptions, Client, Error};
use futures::TryStreamExt;

/// The reply to `text`.
pub fn reply_to(text: &str) -> String {
    let reply: String = format!("You said: {text}").chars().take(10_000).collect();
    reply
}

/// Answers every incoming DM of `me` (after `limit` answers, stops); returns how many were
/// answered.
///
/// # Errors
///
/// A final error of the stream (credentials, access) or of a send that certainly did not
/// happen.
pub async fn answer_every_dm(
    client: &Client,
    me: UserId,
    options: ActivityStreamOptions,
    limit: Option<usize>,
) -> Result<usize, Error> {
    let subscription = client.ensure_dm_subscription(me).await?;
    eprintln!(
        "dm_bot: listening (subscription {}, {})",
        subscription
            .subscription
            .subscription_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        if subscription.created {
            "new"
        } else {
            "existing"
        }
    );
    let mut messages = client.activity_stream(options).dm_messages();
    let mut answered = 0;
    while let Some(message) = messages.try_next().await? {
        // Only what others sent to the bot (the bot's own replies are not for it).
        if !message.is_incoming() {
            continue;
        }
        let Some(sender) = message.event.sender_id.clone() else {
            continue;
        };
        let text = message.event.text.as_deref().unwrap_or("(an attachment)");
        let reply = MessageRequest::text(reply_to(text))?;
        match client.send_to_user(sender.clone(), reply).await {
            Ok(sent) => eprintln!("dm_bot: answered {sender} ({})", sent.event_id),
            // Maybe sent: never resend blindly (the user would get it twice).
            Err(e) if e.may_have_been_sent() => {
                eprintln!("dm_bot: the answer to {sender} may have been sent: {e}");
            }
            Err(e) => return Err(e),
        }
        answered += 1;
        if limit.is_some_and(|l| answered >= l) {
            break;
        }
    }
    Ok(answered)
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let client = Client::builder()
        .base_url(std::env::var("XDM_BASE_URL").unwrap_or_else(|_| "https://api.x.com".into()))
        .bearer_token(env("XDM_ACCESS_TOKEN")?)
        .app_bearer_token(env("XDM_APP_BEARER_TOKEN")?)
        .build()?;
    let me: UserId = env("XDM_USER_ID")?.parse()?;
    let answered = answer_every_dm(&client, me, ActivityStreamOptions::default(), None).await?;
    eprintln!("dm_bot: answered {answered} messages");
    Ok(())
}
