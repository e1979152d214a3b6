//! `send`, `group create`, `event`, `delete`, `block`, `unblock`.

use std::io::IsTerminal;

use dm_model::MessageRequest;
use dm_query::FieldsQuery;
use serde_json::json;

use super::{choose_format, open_sink};
use crate::cli::{EventArgs, EventIdArg, GlobalOpts, GroupCreateArgs, SendArgs, UserIdArg};
use crate::context::Context;
use crate::error::CliError;

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

/// `xdm send`.
pub(crate) async fn send(global: &GlobalOpts, args: &SendArgs) -> Result<(), CliError> {
    let body = message(&args.text)?;
    let ctx = Context::new(global, 100).await?;
    let sent = match (&args.to, &args.conversation) {
        (Some(user), _) => ctx.client.send_to_user(user.clone(), body).await?,
        (None, Some(conv)) => ctx.client.send_to_conversation(conv.clone(), body).await?,
        (None, None) => {
            return Err(CliError::Usage(
                "give --to USER_ID or --conversation ID".into(),
            ));
        }
    };
    report(
        format!(
            "sent event {} in conversation {}",
            sent.event_id, sent.conversation_id
        ),
        json!({"dm_event_id": sent.event_id.to_string(), "dm_conversation_id": sent.conversation_id.to_string()}),
    );
    Ok(())
}

/// `xdm group create`.
pub(crate) async fn group_create(
    global: &GlobalOpts,
    args: &GroupCreateArgs,
) -> Result<(), CliError> {
    let body = message(&args.text)?;
    let ctx = Context::new(global, 100).await?;
    let sent = ctx.client.create_group(args.with.clone(), body).await?;
    report(
        format!(
            "created group conversation {} (first message {})",
            sent.conversation_id, sent.event_id
        ),
        json!({"dm_event_id": sent.event_id.to_string(), "dm_conversation_id": sent.conversation_id.to_string()}),
    );
    Ok(())
}

/// `xdm event ID`.
pub(crate) async fn event(global: &GlobalOpts, args: &EventArgs) -> Result<(), CliError> {
    let ctx = Context::new(global, 100).await?;
    let event = ctx
        .client
        .get_event(args.id.clone(), FieldsQuery::all_fields())
        .await?;
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
