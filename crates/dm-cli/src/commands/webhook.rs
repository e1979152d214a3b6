//! `xdm webhook serve|register|list|validate|delete|replay`.

use std::io::{BufWriter, Write};

use dm_webhook::{ConsumerSecret, JsonlSink, Receiver, ReceiverConfig, Sink, WebhookServer};
use serde_json::json;

use crate::cli::{GlobalOpts, WebhookIdArg, WebhookReplayArgs, WebhookServeArgs, WebhookUrlArg};
use crate::context::Context;
use crate::error::CliError;

/// The variable holding the app's consumer secret.
const SECRET_VAR: &str = "XDM_CONSUMER_SECRET";

fn print_json(v: &impl serde::Serialize) -> Result<(), CliError> {
    let line = serde_json::to_string(v).map_err(|e| CliError::Local(e.to_string()))?;
    println!("{line}");
    Ok(())
}

/// The consumer secret: the file's content (trimmed), or `XDM_CONSUMER_SECRET`.
fn consumer_secret(args: &WebhookServeArgs) -> Result<ConsumerSecret, CliError> {
    if let Some(path) = &args.consumer_secret_file {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::io(path.display(), e))?;
        let secret = text.trim();
        if secret.is_empty() {
            return Err(CliError::Auth(format!("{} is empty", path.display())));
        }
        return Ok(ConsumerSecret::new(secret));
    }
    match std::env::var(SECRET_VAR) {
        Ok(s) if !s.is_empty() => Ok(ConsumerSecret::new(s)),
        _ => Err(CliError::Auth(format!(
            "the webhook checks signatures with the app's consumer secret (API secret key): set \
             {SECRET_VAR} or --consumer-secret-file FILE"
        ))),
    }
}

/// `xdm webhook serve`: receives deliveries and prints each DM once as a JSONL record (or,
/// with `--raw`, every event as delivered), until Ctrl-C or `--limit`.
pub(crate) async fn serve(global: &GlobalOpts, args: &WebhookServeArgs) -> Result<(), CliError> {
    if args.db.is_some() {
        return Err(CliError::Usage(
            "--db needs the event store (dm-store), which this build of xdm does not include \
             yet; without --db the events are printed as JSONL"
                .into(),
        ));
    }
    if !args.path.starts_with('/') {
        return Err(CliError::Usage(format!(
            "--path must start with `/`, not `{}`",
            args.path
        )));
    }
    let secret = consumer_secret(args)?;
    let (receiver, mut events) = Receiver::new(secret, ReceiverConfig::default());
    let server = WebhookServer::bind(args.addr, receiver.clone())
        .await
        .map_err(|e| CliError::Local(format!("cannot listen on {}: {e}", args.addr)))?
        .path(args.path.clone());
    let addr = server
        .local_addr()
        .map_err(|e| CliError::Local(e.to_string()))?;
    if !global.quiet {
        eprintln!(
            "xdm: webhook receiver on http://{addr}{}; X delivers to https:// only: put it behind a \
             TLS-terminating proxy or tunnel and `xdm webhook register https://<host>{}` (Ctrl-C to stop)",
            args.path, args.path
        );
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let out: Box<dyn Write + Send> = Box::new(BufWriter::new(std::io::stdout()));
    let mut sink = JsonlSink::new(out).raw(args.raw);
    let limit = args.limit.map_or(u64::MAX, |l| l as u64);
    let result = loop {
        if sink.written() >= limit {
            break Ok(());
        }
        let event = tokio::select! {
            e = events.recv() => e,
            () = crate::interrupt::interrupted() => break Err(CliError::Interrupted),
        };
        let Some(event) = event else {
            break Ok(());
        };
        if let Err(e) = sink.deliver(&event).await {
            break Err(CliError::Local(format!("cannot write the event: {e}")));
        }
        // Shown at once (deliveries are few and far between).
        if let Err(e) = sink.flush().await {
            break Err(CliError::Local(format!("cannot write to stdout: {e}")));
        }
    };
    let _ = stop.send(());
    let _ = serving.await;
    if !global.quiet {
        let s = receiver.stats();
        eprintln!(
            "xdm: {} events received, {} duplicates dropped, {} refused (bad signature), {} CRC checks",
            s.events, s.duplicates, s.unauthorized, s.crc_challenges
        );
    }
    result
}

/// `xdm webhook register URL`.
pub(crate) async fn register(global: &GlobalOpts, args: &WebhookUrlArg) -> Result<(), CliError> {
    let ctx = Context::for_app(global).await?;
    let hook = ctx.client.register_webhook(&args.url).await?;
    if hook.valid == Some(false) && !global.quiet {
        eprintln!(
            "xdm: registered, but not valid yet: check the receiver and `xdm webhook validate`"
        );
    }
    print_json(&hook)
}

/// `xdm webhook list`.
pub(crate) async fn list(global: &GlobalOpts) -> Result<(), CliError> {
    let ctx = Context::for_app(global).await?;
    for hook in ctx.client.webhooks().await? {
        print_json(&hook)?;
    }
    Ok(())
}

/// `xdm webhook validate ID`.
pub(crate) async fn validate(global: &GlobalOpts, args: &WebhookIdArg) -> Result<(), CliError> {
    let ctx = Context::for_app(global).await?;
    let valid = ctx.client.validate_webhook(args.id.clone()).await?;
    print_json(&json!({"id": args.id.to_string(), "valid": valid}))
}

/// `xdm webhook delete ID`.
pub(crate) async fn delete(global: &GlobalOpts, args: &WebhookIdArg) -> Result<(), CliError> {
    let ctx = Context::for_app(global).await?;
    let deleted = ctx.client.delete_webhook(args.id.clone()).await?;
    print_json(&json!({"id": args.id.to_string(), "deleted": deleted}))
}

/// `xdm webhook replay ID --from .. --to ..`.
pub(crate) async fn replay(global: &GlobalOpts, args: &WebhookReplayArgs) -> Result<(), CliError> {
    if args.to < args.from {
        return Err(CliError::Usage(format!(
            "--to {} is before --from {}",
            args.to, args.from
        )));
    }
    let ctx = Context::for_app(global).await?;
    let job = ctx
        .client
        .replay_webhook(args.id.clone(), args.from, args.to)
        .await?;
    if !global.quiet {
        eprintln!(
            "xdm: replaying {}..{} to webhook {}: the events arrive at the webhook (a receiver drops \
             those it already has), then a replay_job_status body",
            args.from, args.to, args.id
        );
    }
    print_json(&job)
}
