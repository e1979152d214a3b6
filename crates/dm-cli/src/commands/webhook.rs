//! `xdm webhook serve|register|list|validate|delete|replay`.

use std::io::{BufWriter, Write};

use dm_store::{Account, Store};
use dm_webhook::{
    ConsumerSecret, JsonlSink, Receiver, ReceiverConfig, Sink, StoreSink, WebhookServer,
};
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

/// Where `xdm webhook serve` puts what it receives.
enum Output {
    /// DM records (or every event, `--raw`) on stdout.
    Jsonl(Box<JsonlSink<Box<dyn Write + Send>>>),
    /// The DMs into a store (`--db`).
    Store(Box<StoreSink>),
}

impl Output {
    fn sink(&mut self) -> &mut dyn Sink {
        match self {
            Output::Jsonl(s) => s.as_mut(),
            Output::Store(s) => s.as_mut(),
        }
    }

    /// Lines printed or messages handed to the store (what `--limit` counts).
    fn count(&self) -> u64 {
        match self {
            Output::Jsonl(s) => s.written(),
            Output::Store(s) => s.messages(),
        }
    }
}

/// `xdm webhook serve`: receives deliveries and prints each DM once as a JSONL record (or,
/// with `--raw`, every event as delivered), or with `--db` writes each DM into the store
/// exactly once, until Ctrl-C or `--limit`.
pub(crate) async fn serve(global: &GlobalOpts, args: &WebhookServeArgs) -> Result<(), CliError> {
    if !args.path.starts_with('/') {
        return Err(CliError::Usage(format!(
            "--path must start with `/`, not `{}`",
            args.path
        )));
    }
    let secret = consumer_secret(args)?;
    let mut output = match &args.db {
        Some(db) => {
            let account = Account::new(&args.account)?;
            let store = Store::open(db).await?;
            Output::Store(Box::new(StoreSink::new(store, account)))
        }
        None => {
            let out: Box<dyn Write + Send> = Box::new(BufWriter::new(std::io::stdout()));
            Output::Jsonl(Box::new(JsonlSink::new(out).raw(args.raw)))
        }
    };
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
    let limit = args.limit.map_or(u64::MAX, |l| l as u64);
    let mut interrupted = false;
    let mut result = loop {
        if output.count() >= limit {
            break Ok(());
        }
        // Events already waiting go into the same write; the output is flushed (printed,
        // committed) whenever none is waiting, so each shows at once.
        let event = match events.try_recv() {
            Some(e) => Some(e),
            None => {
                if let Err(e) = output.sink().flush().await {
                    break Err(e);
                }
                tokio::select! {
                    e = events.recv() => e,
                    () = crate::interrupt::interrupted() => {
                        interrupted = true;
                        break Ok(());
                    }
                }
            }
        };
        let Some(event) = event else {
            break Ok(());
        };
        if let Err(e) = output.sink().deliver(&event).await {
            break Err(e);
        }
    };
    // What was taken is written before the receiver stops (and after Ctrl-C).
    if result.is_ok() {
        result = output.sink().flush().await;
    }
    let _ = stop.send(());
    let _ = serving.await;
    if !global.quiet {
        let s = receiver.stats();
        let stored = match &output {
            Output::Store(sink) => format!(
                ", {} messages stored ({} new to the store)",
                sink.messages(),
                sink.stored()
            ),
            Output::Jsonl(_) => String::new(),
        };
        eprintln!(
            "xdm: {} events received, {} duplicates dropped, {} refused (bad signature), {} CRC checks{stored}",
            s.events, s.duplicates, s.unauthorized, s.crc_challenges
        );
    }
    match result {
        Err(e) => Err(CliError::Local(format!(
            "{e}; the events acknowledged since the last write are not kept: \
             `xdm webhook replay` the window after a restart (replayed events are not doubled)"
        ))),
        Ok(()) if interrupted => Err(CliError::Interrupted),
        Ok(()) => Ok(()),
    }
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
