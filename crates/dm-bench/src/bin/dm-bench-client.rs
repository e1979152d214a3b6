//! `dm-bench-client`: one end-to-end measurement against a running sandbox, in its own
//! process; prints one JSON line. `cargo xtask bench` runs it several times per scenario.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use dm_bench::raw::{PageDecode, RawClient};
use dm_bench::rss::peak_rss_kib;
use dm_stream::{Client, SyncState};
use dm_transport::HyperTransport;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

/// One end-to-end measurement.
#[derive(Debug, Parser)]
#[command(name = "dm-bench-client")]
struct Args {
    /// The sandbox, `http://127.0.0.1:port`.
    #[arg(long)]
    base: String,
    /// The bearer token the sandbox accepts.
    #[arg(long, default_value = "dm-fake-user-token")]
    token: String,
    /// Ask for gzip (`Accept-Encoding: gzip`, the transport's default). Off by default here:
    /// over loopback compression only costs CPU, and the raw baseline does not ask for it.
    #[arg(long)]
    gzip: bool,
    /// Runtime worker threads (1: a current-thread runtime).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// The raw baseline: bare hyper + serde_json into minimal structs, paging with `next_token`.
    Raw {
        /// Stop after this many events.
        #[arg(long)]
        limit: Option<u64>,
        /// Decode into `dm_model::DmEventsPage` (as the client does) instead of the minimal
        /// structs: the same loop, to isolate what the client's layers cost.
        #[arg(long)]
        typed: bool,
    },
    /// `Client::events()` through the full layer stack (auth, limiter, retry, prefetch).
    Client {
        /// Pages fetched ahead (the client's default is 1).
        #[arg(long, default_value_t = 1)]
        prefetch: usize,
        /// Stop after this many events.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Pages with a consumer that takes `consumer-ms` per page.
    Slow {
        /// Pages fetched ahead (0: off).
        #[arg(long)]
        prefetch: usize,
        /// Time the consumer takes per page, in milliseconds.
        #[arg(long)]
        consumer_ms: u64,
        /// Stop after this many pages.
        #[arg(long)]
        pages: usize,
    },
    /// Every page of a rate-limited sandbox: requests per window and 429s.
    Budget,
    /// Decodes the sandbox's first page (100 events, every field and expansion) as typed
    /// `DmEventsPage`, as `serde_json::Value` and as the minimal structs: ns per page, and the
    /// ratios.
    Decode {
        /// Decodes per timed batch.
        #[arg(long, default_value_t = 50)]
        iterations: u32,
        /// Rounds; each times one batch of every variant, back to back. Times are the median
        /// batch; ratios are the median of the ratios within a round (a machine whose speed
        /// drifts between rounds slows both sides of a ratio alike).
        #[arg(long, default_value_t = 31)]
        batches: usize,
    },
    /// Uploads a generated MP4-looking file of `mib` MiB (written to a temporary file first,
    /// 1 MiB at a time) with `Client::upload_media`: peak RSS and time.
    Upload {
        /// The file's size in MiB.
        #[arg(long)]
        mib: u64,
    },
    /// The sync state as of now (one request), as JSON.
    SyncState,
    /// A sync from a saved state: requests spent and events delivered.
    Sync {
        /// The state `sync-state` printed.
        #[arg(long)]
        state: String,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()?
    };
    let out = runtime.block_on(run(args))?;
    println!("{out}");
    Ok(())
}

fn client(args: &Args, prefetch: usize) -> Result<Client, Box<dyn std::error::Error>> {
    let transport = HyperTransport::builder().gzip(args.gzip).build()?;
    Ok(Client::builder()
        .transport(Arc::new(transport))
        .base_url(&args.base)
        .bearer_token(args.token.clone())
        .page_size(dm_bench::lookup::PAGE_SIZE)
        .prefetch(prefetch)
        .build()?)
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

async fn run(args: Args) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(match &args.scenario {
        Scenario::Raw { limit, typed } => {
            let raw = RawClient::new(args.base.clone(), &args.token);
            let decode = if *typed {
                PageDecode::Typed
            } else {
                PageDecode::Minimal
            };
            let start = Instant::now();
            let run = raw.run(*limit, decode).await?;
            let took = start.elapsed();
            json!({
                "events": run.events, "requests": run.requests, "bytes": run.bytes,
                "secs": took.as_secs_f64(), "events_per_sec": per_sec(run.events, took),
                "peak_rss_kib": peak_rss_kib(),
            })
        }
        Scenario::Client { prefetch, limit } => {
            let client = client(&args, *prefetch)?;
            let start = Instant::now();
            let mut events = client.all_events().all_fields().events();
            let mut n = 0u64;
            while let Some(event) = events.try_next().await? {
                std::hint::black_box(event.event().id.as_u64());
                n += 1;
                if limit.is_some_and(|l| n >= l) {
                    break;
                }
            }
            let took = start.elapsed();
            let stats = client.stack().stats();
            json!({
                "events": n, "requests": stats.requests_sent, "rate_limited": stats.rate_limited,
                "secs": took.as_secs_f64(), "events_per_sec": per_sec(n, took),
                "peak_rss_kib": peak_rss_kib(),
            })
        }
        Scenario::Slow {
            prefetch,
            consumer_ms,
            pages,
        } => {
            let client = client(&args, *prefetch)?;
            let start = Instant::now();
            let mut stream = client.all_events().all_fields().pages().take(*pages);
            let mut n = 0u64;
            while let Some(page) = stream.next().await {
                std::hint::black_box(page?.len());
                tokio::time::sleep(Duration::from_millis(*consumer_ms)).await;
                n += 1;
            }
            let took = start.elapsed();
            json!({ "pages": n, "secs": took.as_secs_f64(), "prefetch": prefetch })
        }
        Scenario::Budget => {
            let client = client(&args, 1)?;
            let start = Instant::now();
            let mut pages = client.all_events().all_fields().pages();
            // Requests per window, keyed by the window's reset (Unix seconds).
            let mut windows: BTreeMap<u64, u64> = BTreeMap::new();
            let mut limit = 0;
            let mut events = 0u64;
            while let Some(page) = pages.try_next().await? {
                events += page.len() as u64;
                if let Some(rl) = page.rate_limit() {
                    *windows.entry(rl.reset).or_default() += 1;
                    limit = rl.limit;
                }
            }
            let stats = client.stack().stats();
            json!({
                "events": events, "requests": stats.requests_sent,
                "rate_limited": stats.rate_limited, "limit": limit,
                "windows": windows.into_iter().collect::<Vec<_>>(),
                "secs": start.elapsed().as_secs_f64(),
            })
        }
        Scenario::Decode {
            iterations,
            batches,
        } => {
            let raw = RawClient::new(args.base.clone(), &args.token);
            let body = raw
                .get(&dm_bench::lookup::first_page_path_and_query()?)
                .await?;
            let variants = dm_bench::decoders::ALL.map(|(_, decode)| decode);
            let mut samples = [Vec::new(), Vec::new(), Vec::new()];
            let (mut vs_value, mut vs_minimal) = (Vec::new(), Vec::new());
            for round in 0..*batches {
                let mut ns = [0.0; 3];
                // Rotate which variant goes first, so none always runs on a cold cache.
                for k in 0..3 {
                    let i = (round + k) % 3;
                    let start = Instant::now();
                    for _ in 0..*iterations {
                        variants[i](std::hint::black_box(&body))?;
                    }
                    ns[i] = start.elapsed().as_nanos() as f64 / f64::from(*iterations);
                    samples[i].push(ns[i]);
                }
                vs_value.push(ns[1] / ns[0]);
                vs_minimal.push(ns[2] / ns[0]);
            }
            let [t, v, m] = samples.map(median);
            json!({
                "bytes": body.len(), "typed_ns": t, "value_ns": v, "minimal_ns": m,
                "typed_vs_value": median(vs_value), "typed_vs_minimal": median(vs_minimal),
            })
        }
        Scenario::Upload { mib } => {
            let path =
                std::env::temp_dir().join(format!("dm-bench-upload-{}.mp4", std::process::id()));
            dm_bench::upload::write_video(&path, mib * 1024 * 1024)?;
            let before = peak_rss_kib();
            let client = client(&args, 1)?;
            let start = Instant::now();
            let result = client
                .upload_media(
                    dm_stream::UploadSource::path(&path),
                    dm_stream::MediaKind::Auto,
                )
                .await;
            let took = start.elapsed();
            let _ = std::fs::remove_file(&path);
            let media = result?;
            json!({
                "bytes": media.size, "media_id": media.media_id.to_string(),
                "secs": took.as_secs_f64(), "mib_per_sec": per_sec(media.size, took) / 1048576.0,
                "requests": client.stack().stats().requests_sent,
                "peak_rss_kib": peak_rss_kib(), "peak_rss_before_upload_kib": before,
            })
        }
        Scenario::SyncState => {
            let client = client(&args, 1)?;
            let state = client.all_events().all_fields().sync_state_now().await?;
            json!({ "state": serde_json::to_string(&state)? })
        }
        Scenario::Sync { state } => {
            let client = client(&args, 1)?;
            let state: SyncState = serde_json::from_str(state)?;
            let batch = client.all_events().all_fields().sync(Some(&state)).await?;
            json!({
                "events": batch.events.len(), "requests": batch.requests,
                "requests_sent": client.stack().stats().requests_sent,
            })
        }
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => 0.0,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}
