//! The command line: [`Cli`], its global options and subcommands (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use dm_model::activity::{ActivityEventType, ReplayTime};
use dm_model::{
    ActivitySubscriptionId, DmConversationId, DmEventField, DmEventId, EventType, Expansion,
    MediaField, TweetField, UserField, UserId, WebhookConfigId,
};

const ABOUT: &str = "A command-line client for X API v2 Direct Messages.";

const AFTER_HELP: &str = "\
Credentials (first found wins):
  --sandbox                       an in-process sandbox with its own token
  XDM_ACCESS_TOKEN                an OAuth 2.0 user access token
  XDM_OAUTH1_CONSUMER_KEY, XDM_OAUTH1_CONSUMER_SECRET,
  XDM_OAUTH1_ACCESS_TOKEN, XDM_OAUTH1_ACCESS_TOKEN_SECRET
                                  OAuth 1.0a user context (all four)
  the stored login                from `xdm auth login` (refreshed automatically)
  XDM_APP_BEARER_TOKEN            the app's bearer token: `follow --realtime`, `subscriptions`,
                                  `unsubscribe`, `webhook` (besides the user's credentials)
  XDM_CONSUMER_SECRET             the app's API secret: `webhook serve` checks signatures with it

Examples:
  xdm demo
  xdm events --limit 20
  xdm events --conversation 1234-5678 --format jsonl --out chat.jsonl
  xdm sync --db dms.sqlite
  xdm search \"invoice\" --db dms.sqlite
  xdm send --to 2244994945 \"Hello!\"
  xdm follow --realtime --user 2244994945
  xdm webhook serve --addr 127.0.0.1:8977
  xdm send --to 2244994945 --file photo.jpg \"From the trip\"

Exit codes:
  0  success              1  local failure (file I/O, corrupt archive)
  2  usage error          3  authentication error
  4  API error            5  network error        130  interrupted";

/// `xdm`: X API v2 Direct Messages from the command line.
#[derive(Debug, Parser)]
#[command(name = "xdm", version = env!("XDM_LONG_VERSION"), about = ABOUT, after_help = AFTER_HELP)]
#[non_exhaustive]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalOpts,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after the subcommand.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct GlobalOpts {
    /// The API's base URL.
    #[arg(
        long,
        global = true,
        env = "XDM_BASE_URL",
        default_value = "https://api.x.com"
    )]
    pub base_url: String,
    /// Run against an in-process sandbox (a fake API with generated conversations).
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Print only errors (no progress bars, no notes).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More log output on stderr (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The OAuth 2.0 client id of your app (for `auth login`, refreshes and `auth logout`).
    #[arg(long, global = true, env = "XDM_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Where the stored login lives (default: the platform config directory + `/xdm`).
    #[arg(long, global = true, env = "XDM_CONFIG_DIR")]
    pub config_dir: Option<PathBuf>,
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: crate::color::ColorChoice,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum Command {
    /// Run the real client against an in-process sandbox and show the conversations.
    #[command(after_help = "Example:\n  cargo run -p dm-cli -- demo")]
    Demo(DemoArgs),
    /// List DM events: all conversations (last 30 days), one conversation, or the one with a user.
    #[command(
        after_help = "Examples:\n  xdm events --limit 50\n  xdm events --with 2244994945 --types MessageCreate --format csv\n  xdm events --conversation 1234-5678 --fields id,text,sender_id --expand sender_id"
    )]
    Events(EventsArgs),
    /// Keep new events in a store or a JSONL archive (safe to interrupt and run again).
    #[command(
        after_help = "Examples:\n  xdm sync --db dms.sqlite\n  xdm sync --db postgres://localhost/dms --account work\n  xdm sync --archive dms.jsonl   # the state is kept in dms.jsonl.state"
    )]
    Sync(SyncArgs),
    /// List the conversations of a store.
    #[command(after_help = "Example:\n  xdm conversations --db dms.sqlite")]
    Conversations(ConversationsArgs),
    /// Show a stored conversation as a chat.
    #[command(after_help = "Example:\n  xdm show 1234-5678 --db dms.sqlite")]
    Show(ShowArgs),
    /// Search the messages of a store.
    #[command(
        after_help = "Examples:\n  xdm search invoice --db dms.sqlite\n  xdm search '\"see you\" cafe' --from @jack --since 2024-01-01 --db dms.sqlite"
    )]
    Search(SearchArgs),
    /// Write every stored event, oldest first, as `xdm events` writes them, or as a web site.
    #[command(
        after_help = "Examples:\n  xdm export --db dms.sqlite --format jsonl > all.jsonl\n  xdm export --db dms.sqlite --format html --out dms-site   # open dms-site/index.html"
    )]
    Export(ExportArgs),
    /// Import X's account archive (the .zip or its folder) or an xdm JSONL file into a store.
    #[command(
        after_help = "Examples:\n  xdm import twitter-2024-01-01-abc.zip --db dms.sqlite\n  xdm import ~/Downloads/twitter-archive --db dms.sqlite --account work\n  xdm import all.jsonl --db postgres://localhost/dms --media-dir /srv/dm-media\n\n\
        Events already in the store are not duplicated; importing again changes nothing.\n\
        Media files are copied into the media folder (default: <db file>-media beside an SQLite store)."
    )]
    Import(ImportArgs),
    /// Print new events as they arrive, until stopped (Ctrl-C).
    #[command(after_help = "Example:\n  xdm follow --conversation 1234-5678")]
    Follow(FollowArgs),
    /// Send a message to a user or a conversation.
    #[command(
        after_help = "Examples:\n  xdm send --to 2244994945 \"Hello!\"\n  xdm send --conversation 1234-5678 \"On my way\"\n  xdm send --to 2244994945 --file photo.jpg \"From the trip\"\n  xdm send --conversation 1234-5678 --file clip.mp4"
    )]
    Send(SendArgs),
    /// Group conversations.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Show one event by id.
    #[command(after_help = "Example:\n  xdm event 1582838499983564806")]
    Event(EventArgs),
    /// Delete an event you sent.
    #[command(after_help = "Example:\n  xdm delete 1582838499983564806")]
    Delete(EventIdArg),
    /// Block DMs from a user.
    #[command(after_help = "Example:\n  xdm block 2244994945")]
    Block(UserIdArg),
    /// Unblock DMs from a user.
    #[command(after_help = "Example:\n  xdm unblock 2244994945")]
    Unblock(UserIdArg),
    /// OAuth 2.0 login, status and logout.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Subscribe the app to a user's real-time events (X Activity API; default `dm.received`).
    #[command(
        after_help = "Example:\n  xdm subscribe --user 2244994945\n\nIdempotent: an existing subscription of that type and user is kept."
    )]
    Subscribe(SubscribeArgs),
    /// List the app's X Activity API subscriptions (one JSON object per line).
    #[command(after_help = "Example:\n  XDM_APP_BEARER_TOKEN=... xdm subscriptions")]
    Subscriptions,
    /// Delete an X Activity API subscription.
    #[command(after_help = "Example:\n  xdm unsubscribe 1976325569252868096")]
    Unsubscribe(SubscriptionIdArg),
    /// Webhooks: receive DMs in real time (`serve`), register, list, validate, delete, replay.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// X Chat: end-to-end encrypted conversations (keys, send, events, conversations).
    #[command(subcommand)]
    Chat(ChatCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  xdm completions bash > ~/.local/share/bash-completion/completions/xdm\n  xdm completions zsh > ~/.zfunc/_xdm\n  xdm completions fish > ~/.config/fish/completions/xdm.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff), generated from the same definitions as `--help`.
    #[command(after_help = "Example:\n  xdm man > xdm.1 && man ./xdm.1")]
    Man,
}

/// `xdm completions`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `xdm chat ...`.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum ChatCommand {
    /// Your X Chat keys: create and register them, or show the public part.
    #[command(subcommand)]
    Keys(ChatKeysCommand),
    /// Send an encrypted, signed message (the conversation key is made on first use).
    #[command(
        after_help = "Examples:\n  xdm chat send --to 2244994945 \"Hello, encrypted\"\n  xdm chat send --conversation 783214-2244994945 --file notes.pdf \"The notes\""
    )]
    Send(ChatSendArgs),
    /// Decrypt and verify a conversation's history (newest first), or every conversation's.
    #[command(
        after_help = "Examples:\n  xdm chat events --with 2244994945\n  xdm chat events --conversation 783214-2244994945 --format jsonl\n\n\
        An event that does not verify is never shown as a message: it is reported (on stderr, or as\n\
        a JSONL line with \"verified\": false and no text) and xdm exits with code 6."
    )]
    Events(ChatEventsArgs),
    /// List your X Chat conversations (one JSON object per line).
    #[command(after_help = "Example:\n  xdm chat conversations")]
    Conversations,
    /// Encrypted groups: create one, add members (the conversation key rotates).
    #[command(subcommand)]
    Group(ChatGroupCommand),
    /// Download an attachment of a message and decrypt it into a file.
    #[command(
        after_help = "Examples:\n  xdm chat download 2080000000000000002 --out notes.pdf\n  xdm chat download 2080000000000000002 --conversation 783214-2244994945 --out notes.pdf\n\n\
        EVENT_ID is the `id` (or the `message_id`) `xdm chat events --format jsonl` prints. Only a\n\
        message that verifies is opened; the file is checked against its signed size."
    )]
    Download(ChatDownloadArgs),
}

/// `xdm chat group ...`.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum ChatGroupCommand {
    /// Create an encrypted group with these users (you are its admin), optionally with a
    /// first message; prints the group's id.
    #[command(
        after_help = "Example:\n  xdm chat group create --with 2244994945,12 \"Welcome\"\n\n\
        Every member needs X Chat keys (`xdm chat keys init`): the conversation key is wrapped to\n\
        each member's verified keys."
    )]
    Create(ChatGroupCreateArgs),
    /// Add users to a group you administer: the conversation key rotates, and they read the
    /// group from then on.
    #[command(
        after_help = "Example:\n  xdm chat group add --conversation g1876543210987654321 --with 99"
    )]
    Add(ChatGroupAddArgs),
}

/// `xdm chat group create`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatGroupCreateArgs {
    /// The key file.
    #[command(flatten)]
    pub keys: ChatKeysArg,
    /// The other members (user ids, comma-separated or repeated).
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub with: Vec<UserId>,
    /// A first message.
    pub text: Option<String>,
}

/// `xdm chat group add`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatGroupAddArgs {
    /// The key file.
    #[command(flatten)]
    pub keys: ChatKeysArg,
    /// The group (`g…`).
    #[arg(long, value_name = "ID")]
    pub conversation: String,
    /// The users to add (comma-separated or repeated).
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub with: Vec<UserId>,
}

/// `xdm chat download`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatDownloadArgs {
    /// The key file.
    #[command(flatten)]
    pub keys: ChatKeysArg,
    /// The message: its `id` (sequence id) or its `message_id`.
    #[arg(value_name = "EVENT_ID")]
    pub event_id: String,
    /// The conversation it is in (default: look in every conversation).
    #[arg(long, value_name = "ID")]
    pub conversation: Option<String>,
    /// Which attachment of the message (0 is the first).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub attachment: usize,
    /// Where to write the decrypted file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `xdm chat keys ...`.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum ChatKeysCommand {
    /// Generate keys, register their public part for your user, keep the private key blob.
    #[command(
        after_help = "Examples:\n  xdm chat keys init\n  xdm chat keys init --keys ~/secrets/xchat-keys.json\n\n\
        The file (mode 0600) holds your private keys: whoever has it can read your chats. Keep a\n\
        copy somewhere safe; without it, history encrypted to these keys cannot be read."
    )]
    Init(ChatKeysInitArgs),
    /// Show your user id, key version, fingerprint and public keys (never the private keys).
    Show(ChatKeysArg),
}

/// Where the X Chat key file is.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatKeysArg {
    /// The key file (default: `chat-keys.json` in the config directory).
    #[arg(long = "keys", env = "XDM_CHAT_KEYS", value_name = "FILE")]
    pub keys: Option<PathBuf>,
}

/// `xdm chat keys init`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatKeysInitArgs {
    /// The key file.
    #[command(flatten)]
    pub keys: ChatKeysArg,
    /// Replace an existing key file (history encrypted to the old keys becomes unreadable
    /// unless you kept a copy).
    #[arg(long)]
    pub force: bool,
}

/// `xdm chat send`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatSendArgs {
    /// The key file.
    #[command(flatten)]
    pub keys: ChatKeysArg,
    /// The other participant of a one-to-one conversation.
    #[arg(
        long,
        value_name = "USER_ID",
        required_unless_present = "conversation",
        conflicts_with = "conversation"
    )]
    pub to: Option<UserId>,
    /// The conversation (`A-B`, or the other participant's id).
    #[arg(long, value_name = "ID")]
    pub conversation: Option<String>,
    /// Attach a file: encrypted here (secretstream), uploaded, sent with the text, if any.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// The message text (optional with --file).
    #[arg(required_unless_present = "file")]
    pub text: Option<String>,
}

/// `xdm chat events`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ChatEventsArgs {
    /// The key file.
    #[command(flatten)]
    pub keys: ChatKeysArg,
    /// The conversation with this user.
    #[arg(long, value_name = "USER_ID", conflicts_with = "conversation")]
    pub with: Option<UserId>,
    /// This conversation (`A-B`).
    #[arg(long, value_name = "ID")]
    pub conversation: Option<String>,
    /// Output format (default: pretty on a terminal, else jsonl).
    #[arg(long, value_enum)]
    pub format: Option<ChatFormat>,
}

/// Output formats of `xdm chat events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
pub enum ChatFormat {
    /// One line per message: time, sender, text.
    Pretty,
    /// One JSON object per line: `id`, `conversation_id`, `sender_id`, `created_at`, `text`,
    /// `verified`.
    Jsonl,
}

/// `xdm subscribe`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct SubscribeArgs {
    /// The user whose events to deliver (the user must have authorized the app).
    #[arg(long, value_name = "USER_ID")]
    pub user: UserId,
    /// The event type (dot notation, e.g. dm.received, dm.sent, dm.read, dm.indicate_typing).
    #[arg(
        long = "type",
        default_value = "dm.received",
        value_name = "EVENT_TYPE"
    )]
    pub event_type: ActivityEventType,
    /// A tag echoed on every event (1 to 200 characters).
    #[arg(long)]
    pub tag: Option<String>,
    /// Also deliver to this webhook (an existing subscription is updated to).
    #[arg(long, value_name = "WEBHOOK_ID")]
    pub webhook: Option<WebhookConfigId>,
}

/// A command taking one subscription id.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct SubscriptionIdArg {
    /// The subscription id.
    pub id: ActivitySubscriptionId,
}

/// `xdm webhook ...`.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum WebhookCommand {
    /// Receive deliveries: answer CRC checks, verify signatures, print each DM once as JSONL.
    #[command(
        after_help = "Example:\n  XDM_CONSUMER_SECRET=... xdm webhook serve --addr 127.0.0.1:8977\n\n\
        X needs a public https:// URL without a port: run it behind a TLS-terminating proxy or a\n\
        tunnel (see crates/dm-cli/README.md), then `xdm webhook register https://your.host/webhook`."
    )]
    Serve(WebhookServeArgs),
    /// Register a webhook URL (X sends it a CRC check at once: serve it first).
    #[command(after_help = "Example:\n  xdm webhook register https://example.com/webhook")]
    Register(WebhookUrlArg),
    /// List the app's webhooks (one JSON object per line).
    #[command(after_help = "Example:\n  xdm webhook list")]
    List,
    /// Trigger a CRC check of a webhook (re-validate it after downtime).
    #[command(after_help = "Example:\n  xdm webhook validate 1234567890")]
    Validate(WebhookIdArg),
    /// Delete a webhook.
    #[command(after_help = "Example:\n  xdm webhook delete 1234567890")]
    Delete(WebhookIdArg),
    /// Redeliver what a webhook got (or missed) in a window of the last 24 hours.
    #[command(
        after_help = "Example:\n  xdm webhook replay 1234567890 --from 202608221200 --to 202608221330\n\n\
        Times are UTC minutes, as yyyymmddhhmm or RFC 3339 (2026-08-22T12:00:00Z). A receiver\n\
        drops what it already had, so replaying a window twice is safe."
    )]
    Replay(WebhookReplayArgs),
}

/// `xdm webhook serve`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct WebhookServeArgs {
    /// Where to listen (the webhook is at --path).
    #[arg(long, default_value = "127.0.0.1:8977", value_name = "HOST:PORT")]
    pub addr: std::net::SocketAddr,
    /// The webhook's path.
    #[arg(long, default_value = "/webhook")]
    pub path: String,
    /// A file holding the app's consumer secret (instead of XDM_CONSUMER_SECRET).
    #[arg(long, value_name = "FILE")]
    pub consumer_secret_file: Option<PathBuf>,
    /// Print every event as delivered (typing, read, other types, replay completions)
    /// instead of the DM records.
    #[arg(long, conflicts_with = "db")]
    pub raw: bool,
    /// Write each received DM into this store exactly once (`sqlite:PATH` or a path ending
    /// in .sqlite/.db, or `postgres://...`) instead of printing it; a later sync replaces
    /// the converted JSON with the API's.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// The account within the store (with --db).
    #[arg(long, value_name = "NAME", default_value = "default", requires = "db")]
    pub account: String,
    /// Stop after this many events.
    #[arg(long)]
    pub limit: Option<usize>,
}

/// A command taking one webhook URL.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct WebhookUrlArg {
    /// The URL (https://, no port, at most 200 characters, for X).
    pub url: String,
}

/// A command taking one webhook id.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct WebhookIdArg {
    /// The webhook id.
    pub id: WebhookConfigId,
}

/// `xdm webhook replay`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct WebhookReplayArgs {
    /// The webhook id.
    pub id: WebhookConfigId,
    /// The first minute (UTC, inclusive): yyyymmddhhmm or RFC 3339.
    #[arg(long, value_parser = replay_time)]
    pub from: ReplayTime,
    /// The last minute (UTC, inclusive): yyyymmddhhmm or RFC 3339.
    #[arg(long, value_parser = replay_time)]
    pub to: ReplayTime,
}

/// `yyyymmddhhmm`, or an RFC 3339 time (rounded down to its minute).
fn replay_time(s: &str) -> Result<ReplayTime, String> {
    if let Ok(t) = s.parse::<ReplayTime>() {
        return Ok(t);
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(ReplayTime::from_datetime)
        .map_err(|_| format!("`{s}` is not a time: use yyyymmddhhmm (UTC) or RFC 3339"))
}

/// `xdm demo`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct DemoArgs {
    /// Events in the sandbox dataset.
    #[arg(long, default_value_t = 1500)]
    pub events: usize,
    /// Dataset seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Latest events shown per conversation (0: all).
    #[arg(long, default_value_t = 8)]
    pub per_conversation: usize,
}

/// Which events to look up.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ScopeArgs {
    /// One conversation (one-to-one `LOW-HIGH` or a group id).
    #[arg(long, value_name = "ID", conflicts_with = "with")]
    pub conversation: Option<DmConversationId>,
    /// The one-to-one conversation with this user.
    #[arg(long, value_name = "USER_ID")]
    pub with: Option<UserId>,
}

/// Query options of a lookup. Without any of `--fields`, `--expand`, `--user-fields`,
/// `--tweet-fields`, `--media-fields` or `--all-fields`, the fields every user token may read
/// are requested (`FieldsQuery::public_fields`).
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct QueryArgs {
    /// Only these event types (MessageCreate, ParticipantsJoin, ParticipantsLeave).
    #[arg(long, value_delimiter = ',', value_name = "TYPE,..")]
    pub types: Vec<EventType>,
    /// `dm_event.fields` (e.g. id,text,created_at,sender_id).
    #[arg(long, value_delimiter = ',', value_name = "FIELD,..")]
    pub fields: Vec<DmEventField>,
    /// `expansions` (e.g. sender_id,participant_ids,attachments.media_keys,referenced_tweets.id).
    #[arg(long, value_delimiter = ',', value_name = "EXPANSION,..")]
    pub expand: Vec<Expansion>,
    /// `user.fields` of expanded users.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,..")]
    pub user_fields: Vec<UserField>,
    /// `tweet.fields` of expanded Posts.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,..")]
    pub tweet_fields: Vec<TweetField>,
    /// `media.fields` of expanded media.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,..")]
    pub media_fields: Vec<MediaField>,
    /// Ask for every field, including those most tokens may not read (private metrics,
    /// `confirmed_email`: the API answers them with partial not-authorized errors). Without it
    /// and without field options, the fields every user token may read.
    #[arg(long, conflicts_with_all = ["fields", "expand", "user_fields", "tweet_fields", "media_fields"])]
    pub all_fields: bool,
    /// Events per request (1..=100).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100), default_value_t = 100)]
    pub max_results: u32,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
pub enum Format {
    /// A readable chat layout.
    Pretty,
    /// One JSON object per line: the event as sent, with what it references under `includes`.
    Jsonl,
    /// One JSON array of those objects.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

/// `xdm events`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct EventsArgs {
    /// Which events.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Query options.
    #[command(flatten)]
    pub query: QueryArgs,
    /// Stop after this many events.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Output format (default: pretty on a terminal, jsonl otherwise).
    #[arg(long)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `xdm sync`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct SyncArgs {
    /// The JSONL archive to append to (created if missing); its state is kept in `FILE.state`.
    #[arg(long, value_name = "FILE", conflicts_with = "db")]
    pub archive: Option<PathBuf>,
    /// The store to sync into: `sqlite:PATH` (or a path ending in .sqlite/.db) or
    /// `postgres://...` (default: `XDM_DB`, unless `--archive` is given).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// The account within the store.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub account: String,
    /// Which events.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Query options.
    #[command(flatten)]
    pub query: QueryArgs,
    /// Also download the media of the stored events that are not kept yet (and retry those
    /// that failed) into the media folder: content-addressed, verified, resumable.
    #[arg(long, requires = "db")]
    pub media: bool,
    /// The media folder (default: `<db file>-media` beside an SQLite store; required for
    /// PostgreSQL).
    #[arg(long, value_name = "DIR", requires = "media")]
    pub media_dir: Option<PathBuf>,
}

/// `xdm import`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ImportArgs {
    /// X's account archive (the downloaded .zip, or its unpacked folder), or a JSONL file
    /// written by `xdm events`, `xdm sync --archive` or `xdm export`.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Where the archive's media files are copied (default: `<db file>-media` beside an
    /// SQLite store; with PostgreSQL, media are not copied unless this is given).
    #[arg(long, value_name = "DIR")]
    pub media_dir: Option<PathBuf>,
}

/// The store a command reads.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct StoreArgs {
    /// The store: `sqlite:PATH` (or a path ending in .sqlite/.db) or `postgres://...`
    /// (default: `XDM_DB`).
    #[arg(long, value_name = "URL", env = "XDM_DB", hide_env_values = true)]
    pub db: String,
    /// The account within the store.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub account: String,
}

/// Output formats of the commands that read a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
pub enum ListFormat {
    /// A readable layout.
    Pretty,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// Output formats of `xdm export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
pub enum ExportFormat {
    /// One JSON object per line, exactly as `xdm events` writes them.
    Jsonl,
    /// The CSV of `xdm events`.
    Csv,
    /// A static web site in the `--out` folder: an index of conversations with a search box,
    /// a page per conversation, the media copied beside them. Opens offline.
    Html,
}

/// `xdm conversations`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ConversationsArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Output format (default: pretty on a terminal, jsonl otherwise).
    #[arg(long)]
    pub format: Option<ListFormat>,
}

/// `xdm show`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ShowArgs {
    /// The conversation (one-to-one `LOW-HIGH` or a group id).
    pub conversation: DmConversationId,
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Output format (default: pretty on a terminal, jsonl otherwise).
    #[arg(long)]
    pub format: Option<ListFormat>,
}

/// `xdm search`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct SearchArgs {
    /// Words to find (any case, accents ignored); `"a phrase"` in quotes.
    pub query: String,
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only messages from this user (`USER_ID` or `@username`).
    #[arg(long, value_name = "USER")]
    pub from: Option<String>,
    /// Only this conversation.
    #[arg(long, value_name = "ID")]
    pub conversation: Option<DmConversationId>,
    /// Only events at or after this date (`YYYY-MM-DD`, or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only events before this date (`YYYY-MM-DD`, or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// At most this many matches.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Rank every match. By default a word found in more than 5,000 messages is ranked among
    /// its newest 5,000 matches (more when the filters leave too few), which keeps a search of
    /// a large SQLite store fast.
    #[arg(long)]
    pub rank_all: bool,
    /// Output format (default: pretty on a terminal, jsonl otherwise).
    #[arg(long)]
    pub format: Option<ListFormat>,
}

/// `xdm export`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct ExportArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Output format.
    #[arg(long, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Write to this file instead of stdout (`--format html`: the folder to write, required).
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
    /// `--format html`: where the media files are (default: `<db file>-media` beside an
    /// SQLite store).
    #[arg(long, value_name = "DIR")]
    pub media_dir: Option<PathBuf>,
}

/// `xdm follow`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct FollowArgs {
    /// Which events.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Query options.
    #[command(flatten)]
    pub query: QueryArgs,
    /// Output format (default: pretty on a terminal, jsonl otherwise; json is not streamable).
    #[arg(long)]
    pub format: Option<Format>,
    /// Shortest pause between polls, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub min_interval: f64,
    /// Longest pause between polls, in seconds.
    #[arg(long, default_value_t = 120.0)]
    pub max_interval: f64,
    /// Stop after this many events.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Receive incoming DMs in real time from the X Activity API stream (needs
    /// XDM_APP_BEARER_TOKEN and --user) instead of polling; falls back to polling, with a
    /// note, when the app or account cannot use it. With X Chat keys, incoming encrypted
    /// messages are shown too (decrypted and verified; one that does not verify is reported
    /// and the exit code is 6).
    #[arg(long)]
    pub realtime: bool,
    /// Your user id: whose incoming DMs `--realtime` follows.
    #[arg(long, env = "XDM_USER_ID", value_name = "USER_ID")]
    pub user: Option<UserId>,
    /// With `--realtime`: X Chat keys to show incoming encrypted messages (`chat.received`)
    /// decrypted and verified beside DMs (default: `chat-keys.json` in the config directory,
    /// when it exists).
    #[command(flatten)]
    pub chat_keys: ChatKeysArg,
}

/// `xdm send`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct SendArgs {
    /// The recipient of a one-to-one message.
    #[arg(
        long,
        value_name = "USER_ID",
        required_unless_present = "conversation",
        conflicts_with = "conversation"
    )]
    pub to: Option<UserId>,
    /// The conversation to send to.
    #[arg(long, value_name = "ID")]
    pub conversation: Option<DmConversationId>,
    /// Attach a photo, GIF or video (JPEG, PNG, WebP, GIF, MP4 or MOV, recognised from its
    /// content): uploaded for DMs, then sent with the text, if any.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// The message text (1 to 10,000 characters; optional with --file).
    #[arg(required_unless_present = "file")]
    pub text: Option<String>,
}

/// `xdm group ...`.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum GroupCommand {
    /// Create a group conversation with a first message.
    #[command(
        after_help = "Examples:\n  xdm group create --with 944480690,906948460078698496 \"Welcome, both of you\"\n  xdm group create --with 944480690,906948460078698496 --file team.png \"Welcome\""
    )]
    Create(GroupCreateArgs),
}

/// `xdm group create`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct GroupCreateArgs {
    /// The other participants (2 to 49 user ids).
    #[arg(
        long,
        value_delimiter = ',',
        required = true,
        value_name = "USER_ID,.."
    )]
    pub with: Vec<UserId>,
    /// Attach a photo, GIF or video to the first message.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// The first message.
    pub text: String,
}

/// `xdm event`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct EventArgs {
    /// The event id.
    pub id: DmEventId,
    /// Output format (default: pretty on a terminal, jsonl otherwise).
    #[arg(long)]
    pub format: Option<Format>,
    /// Ask for every field, including those most tokens may not read (default: the fields
    /// every user token may read).
    #[arg(long)]
    pub all_fields: bool,
}

/// A command taking one event id.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct EventIdArg {
    /// The event id.
    pub id: DmEventId,
}

/// A command taking one user id.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct UserIdArg {
    /// The user id.
    pub id: UserId,
}

/// `xdm auth ...`.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum AuthCommand {
    /// Authorize xdm with OAuth 2.0 (PKCE) in the browser and store the tokens.
    #[command(
        after_help = "Example:\n  XDM_CLIENT_ID=your-client-id xdm auth login\n\n\
        Register http://127.0.0.1:8976/callback (or your --port) as a callback URL of your app."
    )]
    Login(LoginArgs),
    /// Show the stored login (never the tokens).
    #[command(after_help = "Example:\n  xdm auth status")]
    Status,
    /// Revoke the stored tokens and delete them.
    #[command(after_help = "Example:\n  xdm auth logout")]
    Logout,
}

/// `xdm auth login`.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct LoginArgs {
    /// The loopback port of the callback (`http://127.0.0.1:PORT/callback`; 0 picks a free one).
    #[arg(long, default_value_t = 8976)]
    pub port: u16,
    /// Do not try to open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the callback.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
}
