//! The commands that read a store offline: `conversations`, `show`, `search`, `export`.

use std::io::{BufWriter, IsTerminal, Write};

use dm_model::UserId;
use dm_store::{Account, Conversation, Page, SearchQuery, Store};
use futures::StreamExt;
use time::OffsetDateTime;

use super::open_sink;
use crate::cli::{
    ConversationsArgs, ExportArgs, ExportFormat, Format, GlobalOpts, ListFormat, SearchArgs,
    ShowArgs, StoreArgs,
};
use crate::error::CliError;
use crate::output::conversations;
use crate::output::sink::Sink;

/// Events read per query of `show`.
const SHOW_PAGE: u32 = 500;

/// Opens the store the options name (it must exist: reading never creates one).
pub(crate) async fn open(args: &StoreArgs) -> Result<(Store, Account), CliError> {
    let account = Account::new(&args.account)?;
    if let Ok(dm_store::StoreUrl::Sqlite(path)) = dm_store::StoreUrl::parse(&args.db)
        && !path.exists()
    {
        return Err(CliError::Usage(format!(
            "no store at {}: create it with `xdm sync --db {}`",
            path.display(),
            args.db
        )));
    }
    Ok((Store::open(&args.db).await?, account))
}

/// The format asked for, else pretty on a terminal, else JSONL.
fn list_format(asked: Option<ListFormat>) -> Format {
    match asked {
        Some(ListFormat::Pretty) => Format::Pretty,
        Some(ListFormat::Jsonl) => Format::Jsonl,
        Some(ListFormat::Csv) => Format::Csv,
        None if std::io::stdout().is_terminal() => Format::Pretty,
        None => Format::Jsonl,
    }
}

/// Runs `xdm conversations`.
pub(crate) async fn conversations(
    _global: &GlobalOpts,
    args: &ConversationsArgs,
) -> Result<(), CliError> {
    let (store, account) = open(&args.store).await?;
    let mut list = store.conversations(&account).await?;
    // Most recent first.
    list.sort_by(|a, b| {
        let key = |c: &Conversation| c.last_at.as_ref().map(|t| t.datetime());
        key(b).cmp(&key(a)).then_with(|| a.id.cmp(&b.id))
    });
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    let format = list_format(args.format);
    let result = match format {
        Format::Pretty => {
            let style = super::style_for_stdout();
            out.write_all(conversations::table(&list, style).as_bytes())
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut result = w.write_record(conversations::CSV_HEADER);
            for c in &list {
                result = result.and_then(|()| w.write_record(conversations::csv_row(c)));
            }
            result
                .and_then(|()| w.flush().map_err(csv::Error::from))
                .map_err(std::io::Error::other)
        }
        _ => list.iter().try_for_each(|c| {
            let mut line = conversations::json(c).to_string();
            line.push('\n');
            out.write_all(line.as_bytes())
        }),
    };
    match result.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::io("cannot write to stdout", e))
        }
        _ => Ok(()),
    }
}

/// Runs `xdm show CONVERSATION_ID`.
pub(crate) async fn show(_global: &GlobalOpts, args: &ShowArgs) -> Result<(), CliError> {
    let (store, account) = open(&args.store).await?;
    let mut sink = open_sink(list_format(args.format), None)?.without_conversation_column();
    let mut page = Page::first(SHOW_PAGE);
    let mut shown = 0usize;
    loop {
        let events = store
            .conversation_events(&account, &args.conversation, &page)
            .await?;
        for stored in &events.events {
            if !sink.write(&stored.event, &stored.includes)? {
                return sink.finish();
            }
            shown += 1;
        }
        match events.next {
            Some(next) => page = next,
            None => break,
        }
    }
    if shown == 0 {
        sink.finish()?;
        return Err(CliError::Usage(format!(
            "no events of conversation {} in this store (account {account}); \
             `xdm conversations --db ...` lists them",
            args.conversation
        )));
    }
    sink.finish()
}

/// A `--since`/`--until` value: a date (`YYYY-MM-DD`, midnight UTC) or an RFC 3339 time.
fn parse_time(name: &str, value: &str) -> Result<OffsetDateTime, CliError> {
    let rfc3339 = time::format_description::well_known::Rfc3339;
    if let Ok(t) = OffsetDateTime::parse(value, &rfc3339) {
        return Ok(t);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &date_format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            CliError::Usage(format!(
                "{name} `{value}` is not a date: use YYYY-MM-DD or an RFC 3339 time \
                 (2024-05-01T12:00:00Z)"
            ))
        })
}

/// Runs `xdm search QUERY`.
pub(crate) async fn search(_global: &GlobalOpts, args: &SearchArgs) -> Result<(), CliError> {
    let since = args
        .since
        .as_deref()
        .map(|v| parse_time("--since", v))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|v| parse_time("--until", v))
        .transpose()?;
    let (store, account) = open(&args.store).await?;
    let mut query = SearchQuery::new(args.query.clone()).limit(args.limit);
    if args.rank_all {
        query = query.rank_all();
    }
    if let Some(from) = &args.from {
        query = query.sender(sender(&store, &account, from).await?);
    }
    if let Some(c) = &args.conversation {
        query = query.conversation(c.clone());
    }
    if let Some(t) = since {
        query = query.since(t);
    }
    if let Some(t) = until {
        query = query.until(t);
    }
    let hits = store.search(&account, &query).await?;
    let format = list_format(args.format);
    let mut sink = open_sink(format, None)?;
    if format == Format::Pretty {
        let style = sink.style();
        for hit in &hits {
            let text = conversations::search_hit(hit, style);
            if !sink.write_text(&text)? {
                break;
            }
        }
    } else {
        for hit in &hits {
            if !sink.write(&hit.stored.event, &hit.stored.includes)? {
                break;
            }
        }
    }
    sink.finish()
}

/// `--from`: a user id, or `@username` of a user the store holds.
async fn sender(store: &Store, account: &Account, from: &str) -> Result<UserId, CliError> {
    if let Some(name) = from.strip_prefix('@') {
        let user = store.find_user(account, name).await?;
        return user.and_then(|u| u.id).ok_or_else(|| {
            CliError::Usage(format!(
                "no user @{name} in this store (account {account}): use the user id"
            ))
        });
    }
    from.parse::<UserId>().map_err(|e| {
        CliError::Usage(format!(
            "--from `{from}` is neither a user id nor an @username: {e}"
        ))
    })
}

/// Runs `xdm export`.
pub(crate) async fn export(_global: &GlobalOpts, args: &ExportArgs) -> Result<(), CliError> {
    let (store, account) = open(&args.store).await?;
    let format = match args.format {
        ExportFormat::Jsonl => Format::Jsonl,
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Html => return super::html::export(&store, &account, args).await,
    };
    let mut sink: Sink = open_sink(format, args.out.as_deref())?;
    let mut events = store.export(&account);
    while let Some(stored) = events.next().await {
        let stored = stored?;
        if !sink.write_stored(&stored)? {
            break;
        }
    }
    sink.finish()
}
