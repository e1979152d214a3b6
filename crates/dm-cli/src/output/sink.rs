//! [`Sink`]: writes events in the chosen [`Format`] to stdout or a file.
//!
//! Output is buffered: the commands flush whenever they are about to wait (for the next
//! page, a poll, a rate-limit reset) and at the end, so output shows promptly without one
//! system call per line. JSONL and JSON records are rendered by [`dm_model::record`], each
//! included object once while it does not change.

use std::io::{self, Write};

use dm_model::record::RecordWriter;
use dm_model::{DmEvent, Includes};
use dm_stream::Page;

use super::csv_rows;
use super::pretty::{self, Style};
use crate::cli::Format;
use crate::error::CliError;

/// Where events go, in which format.
pub(crate) struct Sink {
    format: Format,
    out: Box<dyn Write + Send>,
    csv: Option<csv::Writer<Box<dyn Write + Send>>>,
    style: Style,
    count: usize,
    what: String,
    /// The text of the events being written, handed to `out` in one piece.
    buf: Vec<u8>,
    /// Renders JSONL/JSON records (and keeps the included objects it rendered).
    records: RecordWriter,
    /// Whether the chat layout shows each event's conversation.
    conversation_column: bool,
}

fn write_err(what: &str, e: io::Error) -> CliError {
    CliError::io(format!("cannot write to {what}"), e)
}

impl Sink {
    /// A sink writing `format` to `out` (`what` names it in errors).
    pub(crate) fn new(
        format: Format,
        out: Box<dyn Write + Send>,
        style: Style,
        what: String,
    ) -> Result<Self, CliError> {
        let mut sink = Sink {
            format,
            out,
            csv: None,
            style,
            count: 0,
            what,
            buf: Vec::new(),
            records: RecordWriter::new(),
            conversation_column: true,
        };
        if format == Format::Csv {
            let out = std::mem::replace(&mut sink.out, Box::new(io::sink()));
            let mut w = csv::Writer::from_writer(out);
            w.write_record(csv_rows::HEADER)
                .map_err(|e| CliError::Local(format!("cannot write CSV: {e}")))?;
            sink.csv = Some(w);
        } else if format == Format::Json {
            sink.out
                .write_all(b"[")
                .map_err(|e| write_err(&sink.what, e))?;
        }
        Ok(sink)
    }

    /// Leaves the conversation out of the chat layout (all events are of one conversation).
    pub(crate) fn without_conversation_column(mut self) -> Self {
        self.conversation_column = false;
        self
    }

    /// The colours of the chat layout.
    pub(crate) fn style(&self) -> Style {
        self.style
    }

    /// Writes lines of text as they are (a layout of the caller's). `false` on a closed pipe.
    pub(crate) fn write_text(&mut self, text: &str) -> Result<bool, CliError> {
        self.buf.extend_from_slice(text.as_bytes());
        self.flush_buf()
    }

    /// Writes one event in a layout of the caller's (a line, with its newline), counted as
    /// an event. `false` on a closed pipe.
    pub(crate) fn write_event_text(&mut self, text: &str) -> Result<bool, CliError> {
        let open = self.write_text(text)?;
        if open {
            self.count += 1;
        }
        Ok(open)
    }

    /// The output format.
    pub(crate) fn format(&self) -> Format {
        self.format
    }

    /// Events written so far.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Writes up to `max` events of `page`. Returns how many were written, and `false` when
    /// the reader went away (a closed pipe): stop.
    pub(crate) fn write_page(
        &mut self,
        page: &Page,
        max: usize,
    ) -> Result<(usize, bool), CliError> {
        let events = page.events().take(max);
        match self.format {
            Format::Jsonl | Format::Json => {
                let mut records = self.records.page(page.includes());
                let mut n = 0;
                for event in events {
                    let first = self.count == 0 && self.buf.is_empty();
                    separator(self.format, first, &mut self.buf);
                    records.write(event.event(), &mut self.buf);
                    terminator(self.format, &mut self.buf);
                    n += 1;
                }
                let open = self.flush_buf()?;
                if open {
                    self.count += n;
                }
                Ok((n, open))
            }
            Format::Pretty | Format::Csv => {
                let mut n = 0;
                for event in events {
                    if !self.write(event.event(), page.includes())? {
                        return Ok((n, false));
                    }
                    n += 1;
                }
                Ok((n, true))
            }
        }
    }

    /// Writes one event (its references resolved from `includes`). Returns `false` when the
    /// reader went away (a closed pipe): stop.
    pub(crate) fn write(&mut self, event: &DmEvent, includes: &Includes) -> Result<bool, CliError> {
        let open = match self.format {
            Format::Jsonl | Format::Json => {
                self.record(event, includes);
                self.flush_buf()?
            }
            Format::Pretty => {
                for line in pretty::lines(event, includes, self.style, self.conversation_column) {
                    self.buf.extend_from_slice(line.as_bytes());
                    self.buf.push(b'\n');
                }
                self.flush_buf()?
            }
            Format::Csv => match self.csv.as_mut() {
                Some(w) => match w.write_record(csv_rows::row(event, includes)) {
                    Ok(()) => true,
                    Err(e) => match e.into_kind() {
                        csv::ErrorKind::Io(e) => self.io_result(Err(e))?,
                        other => {
                            return Err(CliError::Local(format!("cannot write CSV: {other:?}")));
                        }
                    },
                },
                None => true,
            },
        };
        if open {
            self.count += 1;
        }
        Ok(open)
    }

    /// Writes a stored event: as [`Sink::write`], and in JSONL/JSON with the members xdm adds
    /// for an event an account archive had (`xdm_archive`, `xdm_source`; see
    /// `dm_store::import`). `false` on a closed pipe.
    pub(crate) fn write_stored(
        &mut self,
        stored: &dm_store::StoredEvent,
    ) -> Result<bool, CliError> {
        let members = dm_store::import::record_members(stored);
        if members.is_empty() || !matches!(self.format, Format::Jsonl | Format::Json) {
            return self.write(&stored.event, &stored.includes);
        }
        let mut line = Vec::new();
        self.records
            .write(&stored.event, &stored.includes, &mut line);
        let mut record: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&line)
            .map_err(|e| {
                CliError::Local(format!("cannot render event {}: {e}", stored.event.id))
            })?;
        for (k, v) in members {
            record.insert(k.to_owned(), v);
        }
        let first = self.count == 0 && self.buf.is_empty();
        separator(self.format, first, &mut self.buf);
        // serde_json's map is ordered by key: the record stays in key order.
        serde_json::to_writer(&mut self.buf, &record).map_err(|e| {
            CliError::Local(format!("cannot render event {}: {e}", stored.event.id))
        })?;
        terminator(self.format, &mut self.buf);
        let open = self.flush_buf()?;
        if open {
            self.count += 1;
        }
        Ok(open)
    }

    /// Appends the record of `event` to the buffer, with the separator of the format.
    fn record(&mut self, event: &DmEvent, includes: &Includes) {
        let first = self.count == 0 && self.buf.is_empty();
        separator(self.format, first, &mut self.buf);
        self.records.write(event, includes, &mut self.buf);
        terminator(self.format, &mut self.buf);
    }

    /// Hands the buffered text to the output; `false` on a closed pipe.
    fn flush_buf(&mut self) -> Result<bool, CliError> {
        let result = self.out.write_all(&self.buf);
        self.buf.clear();
        self.io_result(result)
    }

    fn io_result(&self, result: io::Result<()>) -> Result<bool, CliError> {
        match result {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(write_err(&self.what, e)),
        }
    }

    /// Pushes everything written so far to the reader (before a wait). `false` on a closed
    /// pipe.
    pub(crate) fn flush(&mut self) -> Result<bool, CliError> {
        let result = (|| {
            if let Some(w) = self.csv.as_mut() {
                w.flush()?;
            }
            self.out.flush()
        })();
        self.io_result(result)
    }

    /// Flushes (a JSON array is closed here).
    pub(crate) fn finish(mut self) -> Result<(), CliError> {
        let result = (|| {
            if self.format == Format::Json {
                self.out
                    .write_all(if self.count == 0 { b"]\n" } else { b"\n]\n" })?;
            }
            if let Some(w) = self.csv.as_mut() {
                w.flush()?;
            }
            self.out.flush()
        })();
        self.io_result(result).map(|_| ())
    }
}

/// What goes before a record: `[` was written at the start; items are separated by commas.
fn separator(format: Format, first: bool, buf: &mut Vec<u8>) {
    if format == Format::Json {
        buf.extend_from_slice(if first { b"\n" } else { b",\n" });
    }
}

/// What goes after a record: a newline in JSONL.
fn terminator(format: Format, buf: &mut Vec<u8>) {
    if format == Format::Jsonl {
        buf.push(b'\n');
    }
}
