//! `xdm sync --db URL`: the incremental sync into a store, one transaction per page.

use dm_store::{Account, Batch, Store};
use dm_stream::SyncProgress;

use crate::cli::{GlobalOpts, SyncArgs};
use crate::commands::{earlier_default, lookup};
use crate::context::Context;
use crate::error::CliError;
use crate::progress::Progress;

/// How long a sync waits for another sync of the same account before giving up.
const LEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The store cursor that holds a lookup's sync progress.
fn cursor_name(lookup: &str) -> String {
    format!("sync {lookup}")
}

/// Runs `xdm sync --db URL`.
pub(crate) async fn run(global: &GlobalOpts, args: &SyncArgs, db: &str) -> Result<(), CliError> {
    let account = Account::new(&args.account)?;
    // Credentials and options first: a store is created or migrated only for a sync that
    // can run.
    let ctx = Context::new(global, args.query.max_results).await?;
    let mut request = lookup(&ctx.client, &args.scope, &args.query);
    let mut name = cursor_name(&request.lookup()?);
    let store = Store::open(db).await?;
    let media_dir = if args.media {
        let dir = match (args.media_dir.clone(), store.default_media_dir()) {
            (Some(d), _) | (None, Some(d)) => d,
            (None, None) => {
                return Err(CliError::Usage(
                    "--media with a PostgreSQL store needs --media-dir DIR".into(),
                ));
            }
        };
        Some(
            dm_store::MediaDir::open(&dir)
                .map_err(|e| CliError::io(format!("media folder {}", dir.display()), e))?,
        )
    } else {
        None
    };
    let mut writer = store.writer(&account, LEASE_WAIT).await?;
    let mut saved = writer.cursor(&name).await?;
    // A store synced with an earlier xdm's default lookup goes on with it instead of walking
    // the whole window again under the new one.
    if let Some(all) = earlier_default(&args.query).filter(|_| saved.is_none()) {
        let every_field = lookup(&ctx.client, &args.scope, &all);
        let every_name = cursor_name(&every_field.lookup()?);
        if let Some(value) = writer.cursor(&every_name).await? {
            if !global.quiet {
                eprintln!(
                    "xdm: this store was synced with every field (--all-fields), as xdm did by \
                     default then: going on with that"
                );
            }
            (request, name, saved) = (every_field, every_name, Some(value));
        }
    }
    let progress: Option<SyncProgress> = match saved {
        Some(value) => Some(serde_json::from_value(value).map_err(|e| {
            CliError::Local(format!(
                "the store's sync state for this lookup is unreadable ({e}); it was not written \
                 by this version of xdm"
            ))
        })?),
        None => None,
    };
    let resumed = progress.as_ref().is_some_and(SyncProgress::in_progress);
    let mut walk = request.sync_walk(progress.as_ref())?;
    let bar = Progress::new(&ctx.client, &ctx.policy, None, global.quiet);
    if resumed && !global.quiet {
        eprintln!("xdm: going on with the sync interrupted earlier");
    }
    let (mut added, mut present) = (0u64, 0u64);
    loop {
        let page = tokio::select! {
            page = walk.next() => page,
            () = crate::interrupt::interrupted() => {
                bar.finish();
                if !global.quiet {
                    eprintln!("xdm: interrupted; {added} new events stored (run again to go on)");
                }
                return Err(CliError::Interrupted);
            }
        };
        let Some(page) = page? else {
            break;
        };
        let mut batch = Batch::new();
        for event in &page.events {
            batch.push(event.event(), event.includes())?;
        }
        let progress = serde_json::to_value(&page.progress)
            .map_err(|e| CliError::Local(format!("cannot encode the sync state: {e}")))?;
        batch.cursor(&name, &progress)?;
        let applied = writer.apply(batch).await?;
        added += applied.new_events;
        present += applied.existing_events;
        bar.inc(page.events.len() as u64);
        if page.complete {
            break;
        }
    }
    bar.finish();
    let media = match &media_dir {
        Some(dir) => {
            Some(crate::commands::media::download_all(&ctx.client, &store, &mut writer, dir).await?)
        }
        None => None,
    };
    drop(writer);
    if !global.quiet {
        if let (Some(m), Some(dir)) = (&media, &media_dir) {
            eprintln!(
                "xdm: media: {} downloaded into {}, {} not available (missing or expired), {} failed \
                 (tried again next time)",
                m.kept,
                dir.root().display(),
                m.unavailable,
                m.failed
            );
        }
        let requests = walk.requests();
        let already = if present > 0 {
            format!(", {present} already stored")
        } else {
            String::new()
        };
        eprintln!(
            "xdm: {added} new event{} stored in {} (account {}{already}; {requests} request{})",
            if added == 1 { "" } else { "s" },
            store.url(),
            account,
            if requests == 1 { "" } else { "s" },
        );
    }
    Ok(())
}
