//! `xdm follow --realtime`: incoming DMs from the X Activity API stream, printed as
//! `xdm events` prints them; polling when the app or account cannot use it. With X Chat
//! keys, incoming X Chat messages (`chat.received`) too, decrypted and verified, as `xdm chat
//! events` prints them (with `"source": "x_chat"`).

use dm_model::activity::ActivityEventType;
use dm_stream::{ActivityStreamOptions, ChatClient, ChatEvent, Error};
use futures::{FutureExt, StreamExt};

use crate::cli::{FollowArgs, Format, GlobalOpts};
use crate::context::{APP_TOKEN_VAR, Context};
use crate::error::CliError;
use crate::output::sink::Sink;

/// How real-time following ended.
pub(crate) enum Outcome {
    /// Stopped (the limit, or the stream ended).
    Done,
    /// Ctrl-C.
    Interrupted,
    /// Not available, for this reason: poll instead.
    FallBack(String),
}

/// Whether `e` says the app or account cannot use the X Activity API (as opposed to a
/// failure worth reporting): no app token, a 403 (no access, app-only refused, a user who
/// has not authorized the app).
fn unavailable(e: &Error) -> Option<String> {
    if let Error::MissingCredentials { .. } = e {
        return Some(e.to_string());
    }
    let api = e.transport()?.as_api()?;
    (api.status == http::StatusCode::FORBIDDEN).then(|| {
        let detail = api
            .problems
            .first()
            .and_then(|p| p.detail.clone().or_else(|| p.title.clone()))
            .unwrap_or_else(|| "forbidden".into());
        format!("the API answered 403: {detail}")
    })
}

/// Follows incoming DMs in real time until the limit, Ctrl-C, or a final error.
pub(crate) async fn follow(
    global: &GlobalOpts,
    args: &FollowArgs,
    ctx: &Context,
    sink: &mut Sink,
) -> Result<Outcome, CliError> {
    let user = match (&args.user, ctx.sandbox()) {
        (Some(u), _) => u.clone(),
        (None, Some(sandbox)) => sandbox.me(),
        (None, None) => {
            return Err(CliError::Usage(
                "--realtime needs your user id: --user USER_ID (or XDM_USER_ID)".into(),
            ));
        }
    };
    if !ctx.has_app_token {
        return Ok(Outcome::FallBack(format!(
            "the X Activity API stream takes the app's bearer token: set {APP_TOKEN_VAR}"
        )));
    }
    let ensured = match ctx.client.ensure_dm_subscription(user.clone()).await {
        Ok(s) => s,
        Err(e) => match unavailable(&e) {
            Some(why) => return Ok(Outcome::FallBack(why)),
            None => return Err(e.into()),
        },
    };
    if !global.quiet {
        let id = ensured
            .subscription
            .subscription_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let state = if ensured.created {
            "created"
        } else {
            "existing"
        };
        eprintln!(
            "xdm: receiving {user}'s incoming DMs in real time (dm.received subscription {id}, {state}; Ctrl-C to stop)"
        );
    }
    let chat = chat_session(global, args, ctx, sink, &user).await?;
    let mut stream = ctx.client.activity_stream(ActivityStreamOptions::default());
    let limit = args.limit.unwrap_or(usize::MAX);
    let mut received = false;
    let mut seen = Seen::default();
    let mut rejected = 0usize;
    let mut pending: std::collections::VecDeque<dm_model::activity::DmMessage> = Default::default();
    while sink.count() < limit {
        if let Some(message) = pending.pop_front() {
            if !write_dm(args, sink, &message)? {
                break;
            }
            continue;
        }
        let next = match stream.next().now_or_never() {
            Some(next) => next,
            None => {
                if !sink.flush()? {
                    break;
                }
                tokio::select! {
                    next = stream.next() => next,
                    () = crate::interrupt::interrupted() => return Ok(Outcome::Interrupted),
                }
            }
        };
        let event = match next {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => match unavailable(&e) {
                Some(why) if !received => return Ok(Outcome::FallBack(why)),
                _ => return Err(e.into()),
            },
        };
        received = true;
        if event.event_type == ActivityEventType::ChatReceived {
            let Some(chat) = &chat else { continue };
            match write_chat(args, sink, chat, &event, &mut seen).await? {
                ChatWritten::Open => {}
                ChatWritten::Rejected => rejected += 1,
                ChatWritten::Closed => break,
            }
            continue;
        }
        match event.messages() {
            Ok(messages) => pending.extend(messages),
            Err(e) => return Err(dm_stream::Error::Convert(e).into()),
        }
    }
    if rejected > 0 {
        sink.flush()?;
        return Err(CliError::Unverified(format!(
            "{rejected} X Chat event(s) did not verify and were not shown"
        )));
    }
    Ok(Outcome::Done)
}

/// Writes an incoming DM that passes the filters; `false` on a closed pipe.
fn write_dm(
    args: &FollowArgs,
    sink: &mut Sink,
    message: &dm_model::activity::DmMessage,
) -> Result<bool, CliError> {
    if !message.is_incoming() {
        return Ok(true);
    }
    let event = &message.event;
    if let Some(c) = &args.scope.conversation
        && event.dm_conversation_id.as_ref() != Some(c)
    {
        return Ok(true);
    }
    if let Some(w) = &args.scope.with
        && event.sender_id.as_ref() != Some(w)
    {
        return Ok(true);
    }
    sink.write(event, &message.includes)
}

/// The X Chat session when keys are configured, with the `chat.received` subscription the
/// stream needs; `None` (with a note) when the output format cannot show chat messages.
async fn chat_session(
    global: &GlobalOpts,
    args: &FollowArgs,
    ctx: &Context,
    sink: &Sink,
    user: &dm_model::UserId,
) -> Result<Option<ChatClient>, CliError> {
    let Some(chat) = super::chat::configured_session(global, &args.chat_keys, &ctx.client)? else {
        return Ok(None);
    };
    if chat.user_id() != user.as_str() {
        return Err(CliError::Usage(format!(
            "the X Chat key file is user {}'s, --realtime follows user {user}",
            chat.user_id()
        )));
    }
    if sink.format() == Format::Csv {
        if !global.quiet {
            eprintln!("xdm: X Chat messages are not shown in CSV (use jsonl or pretty)");
        }
        return Ok(None);
    }
    let ensured = ctx
        .client
        .ensure_subscription(
            ActivityEventType::ChatReceived,
            user.clone(),
            Some("xdm"),
            None,
        )
        .await?;
    if !global.quiet {
        let id = ensured
            .subscription
            .subscription_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        eprintln!(
            "xdm: and {user}'s incoming X Chat messages, decrypted and verified (chat.received subscription {id})"
        );
    }
    Ok(Some(chat))
}

/// Signed message ids already shown (a delivery repeated under another `event_uuid`), bounded.
#[derive(Default)]
struct Seen {
    ids: std::collections::HashSet<String>,
    order: std::collections::VecDeque<String>,
}

impl Seen {
    const MAX: usize = 10_000;

    /// `true` the first time `id` is seen.
    fn first(&mut self, id: &str) -> bool {
        if !self.ids.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back(id.to_owned());
        if self.order.len() > Self::MAX
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }
}

enum ChatWritten {
    Open,
    Rejected,
    Closed,
}

/// Opens a `chat.received` event and writes it: a verified message as `xdm chat events`
/// prints it, or a report (stderr, and a `verified: false` line in JSONL) without text.
async fn write_chat(
    args: &FollowArgs,
    sink: &mut Sink,
    chat: &ChatClient,
    event: &dm_model::activity::ActivityEvent,
    seen: &mut Seen,
) -> Result<ChatWritten, CliError> {
    let Some(opened) = chat.open_activity(event).await else {
        return Ok(ChatWritten::Open);
    };
    let jsonl = sink.format() == Format::Jsonl;
    let written = match opened {
        ChatEvent::Message(m) => {
            if !seen.first(&m.message_id) || m.sender_id == chat.user_id() {
                return Ok(ChatWritten::Open);
            }
            if let Some(w) = &args.scope.with
                && m.sender_id != w.as_str()
            {
                return Ok(ChatWritten::Open);
            }
            if let Some(c) = &args.scope.conversation
                && m.conversation.path() != c.as_str()
            {
                return Ok(ChatWritten::Open);
            }
            let mut v = super::chat::message_json(&m);
            v["source"] = "x_chat".into();
            let line = if jsonl {
                format!("{v}\n")
            } else {
                format!(
                    "{}  [X Chat {}] {}: {}\n",
                    v["created_at"].as_str().unwrap_or("?"),
                    m.conversation.path(),
                    m.sender_id,
                    m.text().unwrap_or("(no text)")
                )
            };
            sink.write_event_text(&line)?
        }
        ChatEvent::Rejected(r) => {
            eprintln!(
                "xdm: X Chat event {} in {} (claimed sender {}) does not verify: {}",
                r.id.as_deref().unwrap_or("?"),
                r.conversation_id.as_deref().unwrap_or("?"),
                r.sender_id.as_deref().unwrap_or("?"),
                r.reason
            );
            if jsonl {
                let mut v = super::chat::rejected_json(&r, None);
                v["source"] = "x_chat".into();
                if !sink.write_event_text(&format!("{v}\n"))? {
                    return Ok(ChatWritten::Closed);
                }
            }
            return Ok(ChatWritten::Rejected);
        }
        _ => true,
    };
    Ok(if written {
        ChatWritten::Open
    } else {
        ChatWritten::Closed
    })
}
