//! [`Sink`]: writes events in the chosen [`Format`] to stdout or a file.

use std::io::{self, Write};

use dm_stream::ResolvedEvent;

use super::pretty::{self, Style};
use super::{csv_rows, record};
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

    /// Events written so far.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Writes one event. Returns `false` when the reader went away (a closed pipe): stop.
    pub(crate) fn write(&mut self, event: &ResolvedEvent) -> Result<bool, CliError> {
        let result = match self.format {
            Format::Jsonl => {
                let mut line = record::event_record(event).to_string();
                line.push('\n');
                self.out.write_all(line.as_bytes())
            }
            Format::Json => {
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                let item = record::event_record(event).to_string();
                self.out.write_all(format!("{sep}{item}").as_bytes())
            }
            Format::Pretty => {
                let mut text = pretty::lines(event, self.style, true).join("\n");
                text.push('\n');
                self.out.write_all(text.as_bytes())
            }
            Format::Csv => match self.csv.as_mut() {
                Some(w) => w
                    .write_record(csv_rows::row(event))
                    .map_err(io::Error::other),
                None => Ok(()),
            },
        };
        match result {
            Ok(()) => {
                self.count += 1;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(write_err(&self.what, e)),
        }
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
        match result {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(write_err(&self.what, e)),
            _ => Ok(()),
        }
    }
}
