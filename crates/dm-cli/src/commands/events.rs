//! `xdm events`: stream a lookup to stdout or a file.

use std::io::IsTerminal;

use futures::{FutureExt, StreamExt};

use super::{choose_format, lookup, open_sink};
use crate::cli::{EventsArgs, GlobalOpts};
use crate::context::Context;
use crate::error::CliError;
use crate::progress::Progress;

/// Runs `xdm events`.
pub(crate) async fn run(global: &GlobalOpts, args: &EventsArgs) -> Result<(), CliError> {
    let ctx = Context::new(global, args.query.max_results).await?;
    let format = choose_format(args.format, args.out.is_some());
    let mut sink = open_sink(format, args.out.as_deref())?;
    // The bar shares the terminal with the output only when the output goes elsewhere.
    let quiet = global.quiet || (args.out.is_none() && std::io::stdout().is_terminal());
    let progress = Progress::new(&ctx.client, &ctx.policy, None, quiet);
    let mut request = lookup(&ctx.client, &args.scope, &args.query);
    if args.limit.is_some() {
        // No page fetched ahead that the limit would throw away.
        request = request.prefetch(0);
    }
    let mut pages = request.pages();
    let limit = args.limit.unwrap_or(usize::MAX);
    while sink.count() < limit {
        // Whatever is written shows before the next wait (a page, a rate-limit reset).
        let next = match pages.next().now_or_never() {
            Some(next) => next,
            None => {
                if !sink.flush()? {
                    break;
                }
                tokio::select! {
                    next = pages.next() => next,
                    () = crate::interrupt::interrupted() => {
                        progress.finish();
                        sink.finish()?;
                        return Err(CliError::Interrupted);
                    }
                }
            }
        };
        let Some(page) = next else {
            break;
        };
        let (written, open) = sink.write_page(&page?, limit - sink.count())?;
        progress.inc(written as u64);
        if !open {
            break;
        }
    }
    progress.finish();
    sink.finish()
}
