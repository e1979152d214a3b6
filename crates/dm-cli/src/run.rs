//! [`main`] and [`run`]: parse, set up logging and the runtime, dispatch, report errors.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{
    AuthCommand, ChatCommand, ChatGroupCommand, ChatKeysCommand, Cli, Command, GlobalOpts,
    GroupCommand, WebhookCommand,
};
use crate::commands;
use crate::error::{CliError, EXIT_LOCAL};

/// Runs one parsed command to completion.
///
/// # Errors
///
/// The command's [`CliError`]; print it and exit with [`CliError::exit_code`].
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let g = &cli.global;
    match &cli.command {
        Command::Demo(a) => commands::demo::run(g, a).await,
        Command::Events(a) => commands::events::run(g, a).await,
        Command::Sync(a) => commands::sync::run(g, a).await,
        Command::Conversations(a) => commands::stored::conversations(g, a).await,
        Command::Show(a) => commands::stored::show(g, a).await,
        Command::Search(a) => commands::stored::search(g, a).await,
        Command::Export(a) => commands::stored::export(g, a).await,
        Command::Import(a) => commands::import::run(g, a).await,
        Command::Follow(a) => commands::follow::run(g, a).await,
        Command::Send(a) => commands::manage::send(g, a).await,
        Command::Group(GroupCommand::Create(a)) => commands::manage::group_create(g, a).await,
        Command::Event(a) => commands::manage::event(g, a).await,
        Command::Delete(a) => commands::manage::delete(g, a).await,
        Command::Block(a) => commands::manage::block(g, a, true).await,
        Command::Unblock(a) => commands::manage::block(g, a, false).await,
        Command::Auth(AuthCommand::Login(a)) => commands::auth::login(g, a).await,
        Command::Auth(AuthCommand::Status) => commands::auth::status(g),
        Command::Auth(AuthCommand::Logout) => commands::auth::logout(g).await,
        Command::Subscribe(a) => commands::subscriptions::subscribe(g, a).await,
        Command::Subscriptions => commands::subscriptions::list(g).await,
        Command::Unsubscribe(a) => commands::subscriptions::unsubscribe(g, a).await,
        Command::Webhook(WebhookCommand::Serve(a)) => commands::webhook::serve(g, a).await,
        Command::Webhook(WebhookCommand::Register(a)) => commands::webhook::register(g, a).await,
        Command::Webhook(WebhookCommand::List) => commands::webhook::list(g).await,
        Command::Webhook(WebhookCommand::Validate(a)) => commands::webhook::validate(g, a).await,
        Command::Webhook(WebhookCommand::Delete(a)) => commands::webhook::delete(g, a).await,
        Command::Webhook(WebhookCommand::Replay(a)) => commands::webhook::replay(g, a).await,
        Command::Chat(ChatCommand::Keys(ChatKeysCommand::Init(a))) => {
            commands::chat::keys_init(g, a).await
        }
        Command::Chat(ChatCommand::Keys(ChatKeysCommand::Show(a))) => {
            commands::chat::keys_show(g, a)
        }
        Command::Chat(ChatCommand::Send(a)) => commands::chat::send(g, a).await,
        Command::Chat(ChatCommand::Events(a)) => commands::chat::events(g, a).await,
        Command::Chat(ChatCommand::Conversations) => commands::chat::conversations(g).await,
        Command::Chat(ChatCommand::Group(ChatGroupCommand::Create(a))) => {
            commands::chat::group_create(g, a).await
        }
        Command::Chat(ChatCommand::Group(ChatGroupCommand::Add(a))) => {
            commands::chat::group_add(g, a).await
        }
        Command::Chat(ChatCommand::Download(a)) => commands::chat::download(g, a).await,
        Command::Completions(a) => commands::shell::completions(a),
        Command::Man => commands::shell::man(),
    }
}

/// Whether the command stops by itself on Ctrl-C, finishing what it must (committing the
/// page it holds, printing its summary); the others are stopped by `main`.
fn handles_interrupt(command: &Command) -> bool {
    matches!(
        command,
        Command::Events(_)
            | Command::Sync(_)
            | Command::Follow(_)
            | Command::Webhook(WebhookCommand::Serve(_))
    )
}

/// Whether `command` runs on a single-threaded runtime. The commands that page through a
/// lookup into an output (stdout, an archive, a store) do: one thread fetches, decodes and
/// writes, while the sandbox or the API prepares the next page (the request for it is sent
/// before the current page is written), and the store's writes still run on the blocking
/// pool. Measured against the multi-threaded runtime on the bench sandbox (46,875 events):
/// half the context switches, 7 % (`events`) to 22 % (`sync --archive`) less CPU, and less
/// wall time, since no page is handed from one thread to another (on a VM each wake-up of
/// another thread is an interrupt between CPUs). The commands that serve or follow
/// (`webhook serve`, `follow`, `demo`, ...) keep a thread that answers while another one
/// writes.
fn one_thread(command: &Command) -> bool {
    matches!(
        command,
        Command::Events(_) | Command::Sync(_) | Command::Export(_)
    )
}

/// Logs to stderr: warnings by default, `-v` debug, `-vv` trace, `-q` errors only;
/// `RUST_LOG` overrides.
fn init_tracing(global: &GlobalOpts) {
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info,dm_stream=debug,dm_transport=debug,dm_cli=debug",
        _ => "debug,dm_stream=trace,dm_transport=trace,dm_cli=trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(crate::color::stderr())
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// The `xdm` binary: parses the command line, runs the command on a Tokio runtime, prints
/// an error in one or two lines, and returns the documented exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    crate::color::set(cli.global.color);
    init_tracing(&cli.global);
    let mut builder = if one_thread(&cli.command) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("xdm: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_LOCAL);
        }
    };
    // A message stopped half-way may have reached X: say so rather than invite a resend.
    let sends = matches!(cli.command, Command::Send(_) | Command::Group(_));
    let chat_sends = matches!(
        cli.command,
        Command::Chat(ChatCommand::Send(_) | ChatCommand::Group(_))
    );
    let result = runtime.block_on(async {
        crate::interrupt::install();
        let result = if handles_interrupt(&cli.command) {
            run(cli).await
        } else {
            // Stopped at its next await point: each write it made is whole (one transaction,
            // one renamed file), and nothing half-done is reported as done.
            tokio::select! {
                result = run(cli) => result,
                () = crate::interrupt::interrupted() => Err(CliError::Interrupted),
            }
        };
        // A token refresh under way finishes (and saves the rotated pair) before we exit.
        crate::interrupt::settle_refreshes().await;
        result
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Interrupted) if sends => {
            eprintln!(
                "xdm: interrupted; the message may have been sent: check with `xdm events` \
                 before sending it again"
            );
            ExitCode::from(CliError::Interrupted.exit_code())
        }
        Err(CliError::Interrupted) if chat_sends => {
            eprintln!(
                "xdm: interrupted; the X Chat message or group change may have been sent: check \
                 with `xdm chat events` (or `xdm chat conversations`) before repeating it"
            );
            ExitCode::from(CliError::Interrupted.exit_code())
        }
        Err(e) => {
            eprintln!("xdm: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
