//! `xdm import PATH --db URL`: X's account archive (the `.zip` or its folder) or xdm JSONL
//! into a store, with the archive's media copied into the media folder.

use std::io::IsTerminal;
use std::time::Duration;

use dm_store::import::{ImportError, ImportKind, ImportOptions, ImportProgress, ImportSummary};
use dm_store::{Account, MediaDir, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{GlobalOpts, ImportArgs};
use crate::error::CliError;

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(s) => s.into(),
            other => CliError::Local(other.to_string()),
        }
    }
}

/// A bar on stderr (a terminal only): bytes while reading, events while writing.
fn bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Runs `xdm import`.
pub(crate) async fn run(global: &GlobalOpts, args: &ImportArgs) -> Result<(), CliError> {
    let account = Account::new(&args.store.account)?;
    if !args.path.exists() {
        return Err(CliError::Usage(format!(
            "{} does not exist: give X's account archive (.zip or folder) or an xdm JSONL file",
            args.path.display()
        )));
    }
    let store = Store::open(&args.store.db).await?;
    let media = match (args.media_dir.clone(), store.default_media_dir()) {
        (Some(d), _) | (None, Some(d)) => Some(
            MediaDir::open(&d)
                .map_err(|e| CliError::io(format!("media folder {}", d.display()), e))?,
        ),
        (None, None) => None,
    };
    let bar = bar(global.quiet);
    let b = bar.clone();
    let mut options = ImportOptions::default().progress(move |p| match p {
        ImportProgress::Reading { done, total } => {
            if b.length() != Some(total) || b.position() > done {
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner:.cyan} reading {bar:24.cyan/blue} {bytes}/{total_bytes}",
                ) {
                    b.set_style(style);
                }
                b.set_length(total);
            }
            b.set_position(done);
        }
        ImportProgress::Writing { done, total } => {
            if b.length() != Some(total) || b.position() > done {
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner:.cyan} writing {bar:24.cyan/blue} {pos}/{len} events",
                ) {
                    b.set_style(style);
                }
                b.set_length(total);
                b.set_position(0);
            }
            b.set_position(done);
        }
        _ => {}
    });
    if let Some(m) = media.clone() {
        options = options.media_dir(m);
    }
    let result = dm_store::import::import(&store, &account, &args.path, &options).await;
    bar.finish_and_clear();
    let summary = result?;
    if !global.quiet {
        eprintln!("{}", describe(&summary, &store, &account, media.as_ref()));
    }
    Ok(())
}

/// The summary line(s).
fn describe(
    s: &ImportSummary,
    store: &Store,
    account: &Account,
    media: Option<&MediaDir>,
) -> String {
    let what = match s.kind {
        Some(ImportKind::Jsonl) => "JSONL",
        _ => "account archive",
    };
    let mut out = format!(
        "xdm: imported the {what} into {} (account {account}): {} in {}, {} new, {} already present",
        store.url(),
        plural(s.events, "event", "events"),
        plural(s.conversations as u64, "conversation", "conversations"),
        s.new_events,
        s.already_present,
    );
    if s.archive_added > 0 {
        out.push_str(&format!(
            " ({} given the archive's record)",
            s.archive_added
        ));
    }
    if s.repeated > 0 {
        out.push_str(&format!(
            "; {} repeated in the input, kept once",
            s.repeated
        ));
    }
    if s.media_copied + s.media_missing + s.media_skipped > 0 {
        out.push_str(&format!("\nxdm: media: {} kept", s.media_copied));
        if let Some(m) = media {
            out.push_str(&format!(" in {}", m.root().display()));
        }
        if s.media_missing > 0 {
            out.push_str(&format!(
                ", {} not in the archive (recorded; `xdm sync --media` tries the API)",
                s.media_missing
            ));
        }
        if s.media_skipped > 0 {
            out.push_str(&format!(
                ", {} not copied (give --media-dir)",
                s.media_skipped
            ));
        }
    }
    out
}
