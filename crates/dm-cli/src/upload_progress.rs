//! [`UploadBar`]: the progress of a media upload on stderr (bytes, then processing), only when
//! stderr is a terminal and not `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use dm_stream::{UploadOptions, UploadProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A byte-counting bar for one upload.
pub(crate) struct UploadBar {
    bar: ProgressBar,
}

impl UploadBar {
    /// A bar for a file of `total` bytes (hidden off a terminal or with `quiet`).
    pub(crate) fn new(total: u64, quiet: bool) -> Self {
        let bar = if !quiet && std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let template = "{spinner:.cyan} uploading {bar:24.cyan/blue} {bytes}/{total_bytes} {binary_bytes_per_sec}  {msg}";
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        UploadBar { bar }
    }

    /// Upload options reporting to this bar.
    pub(crate) fn options(&self) -> UploadOptions {
        let bar = self.bar.clone();
        UploadOptions::new().on_progress(move |p| match p {
            UploadProgress::Uploading { sent, .. } => bar.set_position(sent),
            UploadProgress::Processing { state, percent } => {
                let pct = percent.map(|p| format!(" {p}%")).unwrap_or_default();
                bar.set_message(format!("processing: {state}{pct}"));
            }
            _ => {}
        })
    }

    /// Removes the bar.
    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
    }
}
