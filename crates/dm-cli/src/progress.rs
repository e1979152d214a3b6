//! [`Progress`]: a progress bar on stderr (only when it is a terminal) that also shows
//! rate-limit waits ("waiting until HH:MM:SS"), read from the shared rate-limit policy.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dm_stream::Client;
use dm_transport::{EndpointFamily, RateLimitPolicy};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinHandle;

/// `HH:MM:SS UTC` of a Unix time.
pub(crate) fn clock(unix: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(unix).unwrap_or(0))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[hour]:[minute]:[second] UTC");
    t.format(&f).unwrap_or_default()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A progress display for one command.
pub(crate) struct Progress {
    bar: ProgressBar,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// A bar counting events (of `total` when known), shown only when stderr is a terminal
    /// and not `quiet`. Rate-limit waits show on the bar, or as one note per wait on a
    /// non-terminal stderr (unless `quiet`).
    pub(crate) fn new(
        client: &Client,
        policy: &RateLimitPolicy,
        total: Option<u64>,
        quiet: bool,
    ) -> Self {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let template = if total.is_some() {
                "{spinner:.cyan} [{elapsed_precise}] {bar:24.cyan/blue} {pos}/{len} events  {msg}"
            } else {
                "{spinner:.cyan} [{elapsed_precise}] {pos} events  {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        let ticker = {
            let bar = bar.clone();
            let client = client.clone();
            let policy = policy.clone();
            tokio::spawn(async move {
                let mut noted = 0u64;
                loop {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    let requests = client.stack().stats().requests_sent;
                    let waiting = policy
                        .known(&EndpointFamily::DmLookup)
                        .filter(|rl| rl.remaining == 0 && rl.reset >= now());
                    match waiting {
                        Some(rl) => {
                            let msg = format!("rate limited: waiting until {}", clock(rl.reset));
                            if visible {
                                bar.set_message(msg);
                            } else if !quiet && noted != rl.reset {
                                eprintln!("xdm: {msg}");
                            }
                            noted = rl.reset;
                        }
                        None => bar.set_message(format!("{requests} requests")),
                    }
                }
            })
        };
        Progress {
            bar,
            ticker: Some(ticker),
        }
    }

    /// Counts `n` more events.
    pub(crate) fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Removes the bar.
    pub(crate) fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}
