//! `dm-bench-realtime`: the real-time scenarios of `cargo xtask bench --realtime`, in one
//! process; prints one JSON line.

use clap::Parser;
use dm_bench::realtime::{stream_latency, verify_throughput, webhook_latency};
use serde_json::json;

/// The real-time measurements.
#[derive(Debug, Parser)]
#[command(name = "dm-bench-realtime")]
struct Args {
    /// Messages per latency scenario (one at a time).
    #[arg(long, default_value_t = 1000)]
    messages: usize,
    /// Deliveries of the throughput scenario.
    #[arg(long, default_value_t = 20_000)]
    deliveries: usize,
    /// Concurrent connections posting deliveries.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Runtime worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let out = runtime.block_on(async {
        let stream = stream_latency(args.messages).await?;
        let webhook = webhook_latency(args.messages).await?;
        let throughput = verify_throughput(args.deliveries, args.connections).await?;
        Ok::<_, dm_bench::BenchError>(json!({
            "messages": args.messages,
            "stream_median_ms": stream.median(),
            "stream_p99_ms": stream.p99(),
            "stream_max_ms": stream.quantile(1.0),
            "webhook_median_ms": webhook.median(),
            "webhook_p99_ms": webhook.p99(),
            "webhook_max_ms": webhook.quantile(1.0),
            "deliveries": args.deliveries,
            "connections": args.connections,
            "body_bytes": throughput.body_bytes,
            "verify_http_events_per_sec": throughput.http_events_per_sec,
            "verify_handler_events_per_sec": throughput.handler_events_per_sec,
            "stored_http_events_per_sec": throughput.stored_events_per_sec,
        }))
    })?;
    println!("{out}");
    Ok(())
}
