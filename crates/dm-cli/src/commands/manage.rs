//! `send`, `group create`, `event`, `delete`, `block`, `unblock`.

use std::io::IsTerminal;
use std::path::Path;

use dm_model::{GroupConversationRequest, MessageRequest};
use dm_query::FieldsQuery;
use dm_stream::{MediaKind, Sent, UploadSource, UploadedMedia};
use serde_json::json;

use super::{choose_format, open_sink};
use crate::cli::{EventArgs, EventIdArg, GlobalOpts, GroupCreateArgs, SendArgs, UserIdArg};
use crate::context::Context;
use crate::error::CliError;
use crate::upload_progress::UploadBar;

/// Prints a result: a sentence on a terminal, one JSON object otherwise.
fn report(human: String, machine: serde_json::Value) {
    if std::io::stdout().is_terminal() {
        println!("{human}");
    } else {
        println!("{machine}");
    }
}

fn message(text: &str) -> Result<MessageRequest, CliError> {
    MessageRequest::text(text).map_err(|e| CliError::Usage(e.to_string()))
}

/// The message: the text, the uploaded media, or both.
fn compose(text: Option<&str>, media: Option<&UploadedMedia>) -> Result<MessageRequest, CliError> {
    match (text, media) {
        (Some(t), Some(m)) => m
            .message_with_text(t)
            .map_err(|e| CliError::Usage(e.to_string())),
        (Some(t), None) => message(t),
        (None, Some(m)) => Ok(m.message()),
        (None, None) => Err(CliError::Usage(
            "give the message text, --file PATH, or both".into(),
        )),
    }
}

/// Uploads `path` for a DM, with a progress bar on a terminal.
async fn upload(
    ctx: &Context,
    global: &GlobalOpts,
    path: &Path,
) -> Result<UploadedMedia, CliError> {
    let size = std::fs::metadata(path)
        .map_err(|e| CliError::io(path.display(), e))?
        .len();
    let bar = UploadBar::new(size, global.quiet);
    let result = ctx
        .client
        .upload_media_with(UploadSource::path(path), MediaKind::Auto, bar.options())
        .await;
    bar.finish();
    Ok(result?)
}

fn sent_json(sent: &Sent, media: Option<&UploadedMedia>) -> serde_json::Value {
    let mut v = json!({"dm_event_id": sent.event_id.to_string(), "dm_conversation_id": sent.conversation_id.to_string()});
    if let Some(m) = media {
        v["media_id"] = json!(m.media_id.to_string());
        if let Some(k) = &m.media_key {
            v["media_key"] = json!(k.to_string());
        }
    }
    v
}

fn media_note(media: Option<&UploadedMedia>) -> String {
    media
        .map(|m| format!(" with {} {}", m.category, m.media_id))
        .unwrap_or_default()
}

/// `xdm send`.
pub(crate) async fn send(global: &GlobalOpts, args: &SendArgs) -> Result<(), CliError> {
    // Everything that can be checked is checked before anything is uploaded or sent.
    let text = args.text.as_deref();
    if let Some(t) = text {
        message(t)?;
    }
    if args.to.is_none() && args.conversation.is_none() {
        return Err(CliError::Usage(
            "give --to USER_ID or --conversation ID".into(),
        ));
    }
    let ctx = Context::new(global, 100).await?;
    let media = match &args.file {
        Some(path) => Some(upload(&ctx, global, path).await?),
        None => None,
    };
    let body = compose(text, media.as_ref())?;
    let sent = match (&args.to, &args.conversation) {
        (Some(user), _) => ctx.client.send_to_user(user.clone(), body).await?,
        (None, Some(conv)) => ctx.client.send_to_conversation(conv.clone(), body).await?,
        (None, None) => unreachable!("checked above"),
    };
    report(
        format!(
            "sent event {} in conversation {}{}",
            sent.event_id,
            sent.conversation_id,
            media_note(media.as_ref())
        ),
        sent_json(&sent, media.as_ref()),
    );
    Ok(())
}

/// `xdm group create`.
pub(crate) async fn group_create(
    global: &GlobalOpts,
    args: &GroupCreateArgs,
) -> Result<(), CliError> {
    message(&args.text)?;
    // A participant count outside 2..=49 is refused before uploading.
    GroupConversationRequest::new(args.with.clone(), message(&args.text)?)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let ctx = Context::new(global, 100).await?;
    let media = match &args.file {
        Some(path) => Some(upload(&ctx, global, path).await?),
        None => None,
    };
    let body = compose(Some(&args.text), media.as_ref())?;
    let sent = ctx.client.create_group(args.with.clone(), body).await?;
    report(
        format!(
            "created group conversation {} (first message {}{})",
            sent.conversation_id,
            sent.event_id,
            media_note(media.as_ref())
        ),
        sent_json(&sent, media.as_ref()),
    );
    Ok(())
}

/// `xdm event ID`.
pub(crate) async fn event(global: &GlobalOpts, args: &EventArgs) -> Result<(), CliError> {
    let ctx = Context::new(global, 100).await?;
    let fields = if args.all_fields {
        FieldsQuery::all_fields()
    } else {
        FieldsQuery::public_fields()
    };
    let event = ctx.client.get_event(args.id.clone(), fields).await?;
    let mut sink = open_sink(choose_format(args.format, false), None)?;
    sink.write(event.event(), event.includes())?;
    sink.finish()
}

/// `xdm delete ID`.
pub(crate) async fn delete(global: &GlobalOpts, args: &EventIdArg) -> Result<(), CliError> {
    let ctx = Context::new(global, 100).await?;
    let deleted = ctx.client.delete_event(args.id.clone()).await?;
    if !deleted {
        return Err(CliError::Api(format!(
            "the API did not delete event {}",
            args.id
        )));
    }
    report(
        format!("deleted event {}", args.id),
        json!({"deleted": true, "dm_event_id": args.id.to_string()}),
    );
    Ok(())
}

/// `xdm block ID` / `xdm unblock ID`.
pub(crate) async fn block(
    global: &GlobalOpts,
    args: &UserIdArg,
    block: bool,
) -> Result<(), CliError> {
    let ctx = Context::new(global, 100).await?;
    let blocked = if block {
        ctx.client.block_dms(args.id.clone()).await?
    } else {
        ctx.client.unblock_dms(args.id.clone()).await?
    };
    let verb = if blocked { "blocked" } else { "unblocked" };
    report(
        format!("DMs with user {} are {verb}", args.id),
        json!({"blocked": blocked, "user_id": args.id.to_string()}),
    );
    Ok(())
}
