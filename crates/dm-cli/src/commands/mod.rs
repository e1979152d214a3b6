//! One module per command, plus what they share: building a lookup from the options,
//! choosing the output format, opening the output.

pub(crate) mod auth;
pub(crate) mod chat;
pub(crate) mod demo;
pub(crate) mod events;
pub(crate) mod follow;
pub(crate) mod html;
pub(crate) mod import;
pub(crate) mod manage;
pub(crate) mod media;
pub(crate) mod realtime;
pub(crate) mod shell;
pub(crate) mod stored;
pub(crate) mod subscriptions;
pub(crate) mod sync;
pub(crate) mod webhook;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;

use dm_stream::{Client, EventsRequest};

use crate::cli::{Format, QueryArgs, ScopeArgs};
use crate::error::CliError;
use crate::output::pretty::Style;
use crate::output::sink::Sink;

/// Whether the options choose fields (`--fields`, `--expand`, `--user-fields`, ...).
fn fields_chosen(q: &QueryArgs) -> bool {
    !(q.fields.is_empty()
        && q.expand.is_empty()
        && q.user_fields.is_empty()
        && q.tweet_fields.is_empty()
        && q.media_fields.is_empty())
}

/// Whether the options leave the fields to the default (no field option, no `--all-fields`).
fn default_fields(q: &QueryArgs) -> bool {
    !fields_chosen(q) && !q.all_fields
}

/// Without field options, the lookup earlier xdm versions made by default (every field,
/// before [`dm_query::FieldsQuery::public_fields`] became the default): a sync whose state was
/// made with it goes on with it. `None` when the options choose the fields.
pub(crate) fn earlier_default(q: &QueryArgs) -> Option<QueryArgs> {
    default_fields(q).then(|| QueryArgs {
        all_fields: true,
        ..q.clone()
    })
}

/// The lookup the options describe: the fields chosen, else every field with `--all-fields`,
/// else the fields every user token may read ([`dm_query::FieldsQuery::public_fields`]).
pub(crate) fn lookup(client: &Client, scope: &ScopeArgs, q: &QueryArgs) -> EventsRequest {
    let request = match (&scope.conversation, &scope.with) {
        (Some(c), _) => client.conversation(c.clone()),
        (None, Some(u)) => client.with_participant(u.clone()),
        (None, None) => client.all_events(),
    };
    let mut request = if fields_chosen(q) {
        let mut r = request;
        if !q.fields.is_empty() {
            r = r.dm_event_fields(q.fields.clone());
        }
        if !q.expand.is_empty() {
            r = r.expansions(q.expand.clone());
        }
        if !q.user_fields.is_empty() {
            r = r.user_fields(q.user_fields.clone());
        }
        if !q.tweet_fields.is_empty() {
            r = r.tweet_fields(q.tweet_fields.clone());
        }
        if !q.media_fields.is_empty() {
            r = r.media_fields(q.media_fields.clone());
        }
        r
    } else if q.all_fields {
        request.all_fields()
    } else {
        request.public_fields()
    };
    if !q.types.is_empty() {
        request = request.event_types(q.types.clone());
    }
    request.max_results(q.max_results)
}

/// Colours as `--color` says (by default: only on a terminal, and not with `NO_COLOR`).
pub(crate) fn style_for_stdout() -> Style {
    Style {
        color: crate::color::stdout(),
    }
}

/// The format asked for, else pretty on a terminal (without `--out`), else JSONL.
pub(crate) fn choose_format(asked: Option<Format>, to_file: bool) -> Format {
    asked.unwrap_or(if !to_file && std::io::stdout().is_terminal() {
        Format::Pretty
    } else {
        Format::Jsonl
    })
}

/// The output buffer of the per-event formats (pretty, CSV). JSONL and JSON are rendered a
/// page at a time into the sink's own buffer, which is larger than this, so a page goes out
/// in one write without being copied into this one.
const OUT_BUFFER: usize = 32 * 1024;

/// A sink to `out` (a file) or stdout.
pub(crate) fn open_sink(format: Format, out: Option<&Path>) -> Result<Sink, CliError> {
    match out {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| CliError::io(path.display(), e))?;
            let w: Box<dyn Write + Send> = Box::new(BufWriter::with_capacity(OUT_BUFFER, file));
            Sink::new(
                format,
                w,
                Style { color: false },
                path.display().to_string(),
            )
        }
        None => {
            // Buffered: the commands flush before every wait, so lines still show promptly.
            crate::output::pipe::widen_stdout();
            let w: Box<dyn Write + Send> =
                Box::new(BufWriter::with_capacity(OUT_BUFFER, std::io::stdout()));
            Sink::new(format, w, style_for_stdout(), "stdout".into())
        }
    }
}
