//! `dm-bench-server`: the sandbox for `cargo xtask bench`, in its own process.
//!
//! Prints the base URL as the first line, then answers commands on stdin, one per line,
//! each with one JSON line on stdout:
//!
//! - `stats`: the sandbox's counters (`requests`, `rate_limited`, `prerendered_served`);
//! - `inject N`: N new messages at the head of the conversations (for the sync scenario);
//! - end of input: stop.

use std::time::Duration;

use clap::Parser;
use dm_fake::{FakeServer, FaultConfig, RateLimitConfig, UploadConfig};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The sandbox of the end-to-end benchmarks.
#[derive(Debug, Parser)]
#[command(name = "dm-bench-server")]
struct Args {
    /// Dataset seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of generated events.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// The user-context bearer token to accept.
    #[arg(long, default_value = "dm-fake-user-token")]
    token: String,
    /// Pre-render every page of the benchmarked lookup (all fields, 100 per page).
    #[arg(long)]
    prerender: bool,
    /// Latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Requests per rate-limit window (unlimited without it).
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Rate-limit window in milliseconds.
    #[arg(long, default_value_t = 900_000)]
    rate_window_ms: u64,
    /// Uploads: processing is over at the first status check, and only uploads up to 1 MiB
    /// keep their bytes (the sandbox holds a hash per segment, so the benchmark measures the
    /// client).
    #[arg(long)]
    uploads: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let rate = match args.rate_limit {
        Some(limit) => {
            RateLimitConfig::new(limit, Duration::from_millis(args.rate_window_ms.max(1)))
        }
        None => RateLimitConfig::unlimited(),
    };
    let mut builder = FakeServer::builder()
        .seed(args.seed)
        .events(args.events)
        .token(args.token)
        .rate_limit(rate)
        .faults(FaultConfig::default().with_base_latency(Duration::from_millis(args.latency_ms)));
    if args.uploads {
        builder = builder.uploads(UploadConfig::instant().keep_bytes_up_to(1024 * 1024));
    }
    if args.prerender {
        builder = builder.prerender(dm_bench::lookup::first_page_path_and_query()?);
    }
    let server = builder.start().await?;
    println!("{}", server.base_url());
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut next_conversation = 0usize;
    while let Some(line) = lines.next_line().await? {
        let mut words = line.split_whitespace();
        let reply = match (words.next(), words.next()) {
            (Some("stats"), None) => {
                let s = server.stats();
                serde_json::json!({
                    "requests": s.requests,
                    "rate_limited": s.rate_limited,
                    "prerendered_served": s.prerendered_served,
                    "per_status": s.per_status,
                })
            }
            (Some("inject"), Some(n)) => {
                let n: usize = n.parse()?;
                let conversations = server.dataset().conversations();
                let me = server.me().to_string();
                let mut injected = 0;
                for i in 0..n {
                    if conversations.is_empty() {
                        break;
                    }
                    let conversation =
                        &conversations[(next_conversation + i) % conversations.len()];
                    server.inject_message(&conversation.id, &me, format!("new message {i}"))?;
                    injected += 1;
                }
                next_conversation += n;
                serde_json::json!({ "injected": injected })
            }
            _ => serde_json::json!({ "error": format!("unknown command `{line}`") }),
        };
        println!("{reply}");
    }
    server.shutdown().await;
    Ok(())
}
