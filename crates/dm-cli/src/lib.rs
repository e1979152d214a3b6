//! `xdm`: a command-line client for the X API v2 Direct Messages endpoints.
//!
//! The binary is a thin shell over [`main`]; the pieces are public so the command line can
//! be embedded or tested: [`Cli`] (clap), [`run`] (one command), [`CliError`] (each failure
//! with a message that says what to do and a distinct [exit code](CliError::exit_code)), and
//! [`FileTokenStore`] (rotated OAuth 2.0 tokens saved atomically to the login file).
//!
//! Try it without an account: `cargo run -p dm-cli -- demo` starts a sandbox API in-process
//! and runs the real client against it over loopback HTTP.
//!
//! ```
//! use clap::Parser;
//! use dm_cli::{Cli, Command, EXIT_USAGE};
//!
//! // Global options go before or after the subcommand.
//! let cli = Cli::try_parse_from(["xdm", "events", "--limit", "5", "--sandbox"])?;
//! assert!(cli.global.sandbox);
//! assert!(matches!(cli.command, Command::Events(_)));
//!
//! // A bad id is a usage error that says what is wrong.
//! let err = Cli::try_parse_from(["xdm", "block", "not-a-number"]).unwrap_err();
//! assert_eq!(err.exit_code(), i32::from(EXIT_USAGE));
//! # Ok::<(), clap::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod atomic;
mod cli;
mod color;
mod commands;
mod context;
mod error;
mod interrupt;
mod login;
mod output;
mod progress;
mod run;
mod upload_progress;

pub use cli::{
    AuthCommand, Cli, Command, CompletionsArgs, ConversationsArgs, DemoArgs, EventArgs, EventIdArg,
    EventsArgs, ExportArgs, ExportFormat, FollowArgs, Format, GlobalOpts, GroupCommand,
    GroupCreateArgs, ImportArgs, ListFormat, LoginArgs, QueryArgs, ScopeArgs, SearchArgs, SendArgs,
    ShowArgs, StoreArgs, SubscribeArgs, SubscriptionIdArg, SyncArgs, UserIdArg, WebhookCommand,
    WebhookIdArg, WebhookReplayArgs, WebhookServeArgs, WebhookUrlArg,
};
pub use color::ColorChoice;
pub use error::{
    CliError, EXIT_API, EXIT_AUTH, EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_LOCAL, EXIT_NETWORK,
    EXIT_OK, EXIT_USAGE,
};
pub use login::FileTokenStore;
pub use run::{main, run};
