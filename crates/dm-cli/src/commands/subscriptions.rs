//! `xdm subscribe`, `xdm subscriptions`, `xdm unsubscribe`: the app's X Activity API
//! subscriptions. Results are printed as one JSON object per line.

use serde_json::json;

use crate::cli::{GlobalOpts, SubscribeArgs, SubscriptionIdArg};
use crate::context::Context;
use crate::error::CliError;

fn print_json(v: &impl serde::Serialize) -> Result<(), CliError> {
    let line = serde_json::to_string(v).map_err(|e| CliError::Local(e.to_string()))?;
    println!("{line}");
    Ok(())
}

/// `xdm subscribe`: with the user's credentials when there are some (a `dm.*`
/// subscription is created for the user who authorized the app), else the app's token.
pub(crate) async fn subscribe(global: &GlobalOpts, args: &SubscribeArgs) -> Result<(), CliError> {
    let ctx = match Context::new(global, 100).await {
        Ok(ctx) => ctx,
        Err(CliError::Auth(_)) => Context::for_app(global).await?,
        Err(e) => return Err(e),
    };
    let ensured = ctx
        .client
        .ensure_subscription(
            args.event_type.clone(),
            args.user.clone(),
            args.tag.as_deref(),
            args.webhook.clone(),
        )
        .await?;
    if !global.quiet {
        eprintln!(
            "xdm: {} subscription for {} ({})",
            args.event_type,
            args.user,
            if ensured.created {
                "created"
            } else {
                "already there"
            }
        );
    }
    print_json(&ensured.subscription)
}

/// `xdm subscriptions`.
pub(crate) async fn list(global: &GlobalOpts) -> Result<(), CliError> {
    let ctx = Context::for_app(global).await?;
    for s in ctx.client.subscriptions().await? {
        print_json(&s)?;
    }
    Ok(())
}

/// `xdm unsubscribe`.
pub(crate) async fn unsubscribe(
    global: &GlobalOpts,
    args: &SubscriptionIdArg,
) -> Result<(), CliError> {
    let ctx = Context::for_app(global).await?;
    let deleted = ctx.client.delete_subscription(args.id.clone()).await?;
    print_json(&json!({"subscription_id": args.id.to_string(), "deleted": deleted}))
}
