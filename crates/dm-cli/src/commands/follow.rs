//! `xdm follow`: print new events as they arrive, until stopped.

use std::time::Duration;

use dm_stream::FollowOptions;
use futures::{FutureExt, StreamExt};

use super::{choose_format, lookup, open_sink};
use crate::cli::{FollowArgs, Format, GlobalOpts};
use crate::context::Context;
use crate::error::CliError;

fn seconds(name: &str, s: f64) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{name} must be a positive number of seconds, not {s}"
            ))
        })
}

/// The summary printed when Ctrl-C stops a follow.
fn stopped(global: &GlobalOpts, printed: usize) {
    if !global.quiet {
        eprintln!("xdm: stopped; {printed} new events printed");
    }
}

/// Runs `xdm follow`.
pub(crate) async fn run(global: &GlobalOpts, args: &FollowArgs) -> Result<(), CliError> {
    let format = choose_format(args.format, false);
    if format == Format::Json {
        return Err(CliError::Usage(
            "`--format json` cannot be streamed: use jsonl, csv or pretty".into(),
        ));
    }
    let min = seconds("--min-interval", args.min_interval)?;
    let max = seconds("--max-interval", args.max_interval)?;
    let ctx = Context::new(global, args.query.max_results).await?;
    let mut sink = open_sink(format, None)?;
    if args.realtime {
        match super::realtime::follow(global, args, &ctx, &mut sink).await? {
            super::realtime::Outcome::Done => return sink.finish(),
            super::realtime::Outcome::Interrupted => {
                let printed = sink.count();
                sink.finish()?;
                stopped(global, printed);
                return Err(CliError::Interrupted);
            }
            super::realtime::Outcome::FallBack(why) => {
                if !global.quiet {
                    eprintln!("xdm: real-time delivery is not available ({why}); polling instead");
                }
            }
        }
    }
    if !global.quiet {
        eprintln!("xdm: following new events (Ctrl-C to stop)");
    }
    let mut stream =
        lookup(&ctx.client, &args.scope, &args.query).follow(FollowOptions::new(min, max));
    let limit = args.limit.unwrap_or(usize::MAX);
    while sink.count() < limit {
        // Everything received shows before the next poll.
        let next = match stream.next().now_or_never() {
            Some(next) => next,
            None => {
                if !sink.flush()? {
                    break;
                }
                tokio::select! {
                    next = stream.next() => next,
                    () = crate::interrupt::interrupted() => {
                        let printed = sink.count();
                        sink.finish()?;
                        stopped(global, printed);
                        return Err(CliError::Interrupted);
                    }
                }
            }
        };
        let Some(item) = next else {
            break;
        };
        let event = item?;
        if !sink.write(event.event(), event.includes())? {
            break;
        }
    }
    sink.finish()
}
