//! `xdm follow --realtime`: incoming DMs from the X Activity API stream, printed as
//! `xdm events` prints them; polling when the app or account cannot use it.

use dm_stream::{ActivityStreamOptions, Error};
use futures::{FutureExt, StreamExt};

use crate::cli::{FollowArgs, GlobalOpts};
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
    let mut stream = ctx
        .client
        .activity_stream(ActivityStreamOptions::default())
        .dm_messages();
    let limit = args.limit.unwrap_or(usize::MAX);
    let mut received = false;
    while sink.count() < limit {
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
        let message = match next {
            None => break,
            Some(Ok(m)) => m,
            Some(Err(e)) => match unavailable(&e) {
                Some(why) if !received => return Ok(Outcome::FallBack(why)),
                _ => return Err(e.into()),
            },
        };
        received = true;
        if !message.is_incoming() {
            continue;
        }
        let event = &message.event;
        if let Some(c) = &args.scope.conversation
            && event.dm_conversation_id.as_ref() != Some(c)
        {
            continue;
        }
        if let Some(w) = &args.scope.with
            && event.sender_id.as_ref() != Some(w)
        {
            continue;
        }
        if !sink.write(event, &message.includes)? {
            break;
        }
    }
    Ok(Outcome::Done)
}
