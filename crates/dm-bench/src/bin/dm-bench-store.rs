//! `dm-bench-store`: the store scenarios, each in its own process; prints one JSON line.
//! `cargo xtask bench` (group `store`) runs it; see `dm_bench::store`.

use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use dm_bench::store::{self, PageData};
use dm_store::{Account, Store};
use serde_json::{Value, json};

/// One store measurement.
#[derive(Debug, Parser)]
#[command(name = "dm-bench-store")]
struct Args {
    /// Where the stores go (a temp dir when not given).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Ingest into SQLite (FTS) vs plain inserts of the same JSON: events/s, ratio, sizes.
    Ingest {
        /// Events in the sandbox.
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        /// Rounds (each: the store, then the floor, into new files).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Search latency over a large store (streamed in from the sandbox first).
    Search {
        /// Events in the sandbox.
        #[arg(long, default_value_t = 1_100_000)]
        events: usize,
        /// Times each of the 20 queries runs.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// PostgreSQL: 4 writers for 4 accounts at once vs 1 writer doing the same work.
    Postgres {
        /// Events in the sandbox (each account gets them all).
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// Concurrent writers.
        #[arg(long, default_value_t = 4)]
        writers: usize,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    let out = runtime.block_on(run(&args.scenario, &dir))?;
    println!("{out}");
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    if xs.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * xs.len() as f64).ceil() as usize;
    xs[rank.clamp(1, xs.len()) - 1]
}

fn count(pages: &[PageData]) -> u64 {
    pages.iter().map(|p| p.events.len() as u64).sum()
}

async fn run(
    scenario: &Scenario,
    dir: &std::path::Path,
) -> Result<Value, Box<dyn std::error::Error>> {
    let account = Account::default();
    Ok(match scenario {
        Scenario::Ingest { events, rounds } => {
            let (_server, client) = store::sandbox(41, *events).await?;
            let pages = store::pages(&client).await?;
            let n = count(&pages) as f64;
            let (mut ours, mut floors, mut ratios) = (vec![], vec![], vec![]);
            let mut store_bytes = 0;
            for round in 0..*rounds {
                let path = dir.join(format!("ingest-{round}.sqlite"));
                let store = Store::open(&format!("sqlite:{}", path.display())).await?;
                let took = store::ingest(&store, &account, &pages).await?;
                drop(store);
                store_bytes = store::sqlite_bytes(&path)?;
                let floor_path = dir.join(format!("floor-{round}.sqlite"));
                let floor = store::floor(&floor_path, &pages)?;
                let (a, b) = (n / took.as_secs_f64(), n / floor.as_secs_f64());
                ours.push(a);
                floors.push(b);
                ratios.push(a / b);
                for p in [&path, &floor_path] {
                    let _ = std::fs::remove_file(p);
                }
            }
            let jsonl = store::jsonl_bytes(&pages);
            json!({
                "events": n, "store_eps": median(ours), "floor_eps": median(floors),
                "ratio": median(ratios), "store_bytes_per_event": store_bytes as f64 / n,
                "jsonl_bytes_per_event": jsonl as f64 / n,
            })
        }
        Scenario::Search { events, rounds } => {
            let (_server, client) = store::sandbox(43, *events).await?;
            let path = dir.join("search.sqlite");
            let store = Store::open(&format!("sqlite:{}", path.display())).await?;
            let (stored, took) = store::stream_into(&client, &store, &account).await?;
            let messages = store
                .conversations(&account)
                .await?
                .iter()
                .map(|c| c.messages)
                .sum::<u64>();
            let queries = store::queries(&store, &account).await?;
            // One warm-up pass, then the measured rounds.
            store::search_latencies(&store, &account, &queries, 1).await?;
            let (latencies, hits) =
                store::search_latencies(&store, &account, &queries, *rounds).await?;
            let by_query: Vec<Value> = queries
                .iter()
                .zip(&hits)
                .map(|((name, _), h)| json!({"query": name, "hits": h}))
                .collect();
            drop(store);
            let bytes = store::sqlite_bytes(&path)?;
            json!({
                "stored": stored, "messages": messages, "ingest_secs": took.as_secs_f64(),
                "median_ms": median(latencies.clone()) * 1e3,
                "p99_ms": percentile(latencies.clone(), 99.0) * 1e3,
                "max_ms": percentile(latencies, 100.0) * 1e3,
                "queries": by_query, "store_bytes_per_event": bytes as f64 / stored.max(1) as f64,
            })
        }
        Scenario::Postgres { events, writers } => {
            let Some(cluster) = dm_store::testing::pg::cluster() else {
                return Err("PostgreSQL is not installed (see .ci/run)".into());
            };
            let (_server, client) = store::sandbox(47, *events).await?;
            let pages = store::pages(&client).await?;
            let n = count(&pages) as f64 * *writers as f64;
            // One writer: the accounts one after the other.
            let url = cluster.fresh_db().await;
            let one = Store::open(&url).await?;
            let start = Instant::now();
            for w in 0..*writers {
                store::ingest(&one, &Account::new(&format!("a{w}"))?, &pages).await?;
            }
            let serial = start.elapsed();
            // Several writers, one account each, at once.
            let url = cluster.fresh_db().await;
            let many = Store::open(&url).await?;
            let pages = std::sync::Arc::new(pages);
            let start = Instant::now();
            let tasks: Vec<_> = (0..*writers)
                .map(|w| {
                    let (store, pages) = (many.clone(), pages.clone());
                    tokio::spawn(async move {
                        let account = Account::new(&format!("a{w}")).map_err(|e| e.to_string())?;
                        store::ingest(&store, &account, &pages)
                            .await
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            for t in tasks {
                t.await??;
            }
            let parallel = start.elapsed();
            let eps = |d: Duration| n / d.as_secs_f64();
            json!({
                "events": n, "writers": writers, "one_writer_eps": eps(serial),
                "parallel_eps": eps(parallel), "speedup": serial.as_secs_f64() / parallel.as_secs_f64(),
            })
        }
    })
}
