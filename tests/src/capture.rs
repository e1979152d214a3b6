//! A `tracing` writer that keeps everything logged, to prove secrets never reach logs.

use std::io;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

/// Everything written by a `tracing_subscriber::fmt` layer, shared between clones.
#[derive(Clone, Debug, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// What was logged so far.
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// A subscriber that logs every level (spans included) into this capture.
    ///
    /// Prefer [`LogCapture::install_global`]: a subscriber installed with
    /// `tracing::subscriber::set_default` on one thread can miss spans, because `tracing`
    /// caches each callsite's interest when it is first hit, and while only one
    /// dispatcher exists that interest is computed on whichever thread (another test's)
    /// gets there first.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        tracing_subscriber::fmt()
            .with_writer(self.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_ansi(false)
            .finish()
    }

    /// Installs this capture as the process-wide subscriber, so it sees every span and
    /// event of the test binary, whichever thread emits it. Once per test binary.
    ///
    /// # Panics
    /// If a global subscriber is already installed.
    pub fn install_global(&self) {
        tracing::subscriber::set_global_default(self.subscriber())
            .expect("one global log capture per test binary");
    }
}

impl io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
