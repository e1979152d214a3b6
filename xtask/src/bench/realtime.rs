//! The `realtime` group: `dm-bench-realtime` (the sandbox, the client and the webhook
//! receiver in one process, one clock), a few runs; the medians of the runs' figures.
//!
//! - Latency from an injected message to the consumer of the activity stream, and through a
//!   webhook (registered with a real CRC check, signed, verified): median and p99 of
//!   messages sent one at a time (target p99 < 50 ms).
//! - Events per second one webhook receiver verifies, parses, de-duplicates and writes as
//!   JSONL, over loopback HTTP and through the handler alone.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Bins, Plan, Row, f, median};

/// Runs the group: 3 runs of 1,000 messages and 20,000 deliveries (1 run, 300 and 5,000 in
/// the quick plan).
pub(super) fn group(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    let quick = plan.name == "quick";
    let (runs, messages, deliveries, connections) = if quick {
        (1, 300, 5_000, 8)
    } else {
        (3, 1_000, 20_000, 8)
    };
    eprintln!("bench: real-time latency and webhook throughput ({runs} runs)");
    let mut results = Vec::new();
    for _ in 0..runs {
        let output = Command::new(&bins.realtime)
            .args([
                "--messages",
                &messages.to_string(),
                "--deliveries",
                &deliveries.to_string(),
                "--connections",
                &connections.to_string(),
            ])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bins.realtime.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(format!("dm-bench-realtime failed: {stdout}"));
        }
        let line = stdout.lines().last().unwrap_or_default();
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("realtime output `{line}`: {e}"))?;
        results.push(v);
    }
    let m = |key: &str| median(results.iter().map(|v| f(v, key)).collect());
    for (n, what, prefix) in [
        (
            1,
            "the activity stream (`Client::activity_stream`)",
            "stream",
        ),
        (
            2,
            "a webhook (signed, verified, de-duplicated by `dm-webhook`)",
            "webhook",
        ),
    ] {
        let (median_ms, p99) = (
            m(&format!("{prefix}_median_ms")),
            m(&format!("{prefix}_p99_ms")),
        );
        rows.push(Row::check(
            format!(
                "{n}. Latency, injected message → consumer, through {what} ({messages} messages one at a time, {runs} runs)"
            ),
            format!(
                "median **{median_ms:.2} ms**, p99 **{p99:.2} ms** (max {:.1} ms)",
                m(&format!("{prefix}_max_ms"))
            ),
            "p99 < 50 ms",
            p99 < 50.0,
        ));
    }
    let bytes = m("body_bytes");
    rows.push(Row::info(
        format!(
            "3. One webhook receiver: `dm.received` deliveries ({bytes:.0} B each) verified, parsed, de-duplicated and written as JSONL ({deliveries} deliveries, {connections} connections, {runs} runs)"
        ),
        format!(
            "**{:.0} events/s** over loopback HTTP; {:.0} events/s through the handler alone",
            m("verify_http_events_per_sec"),
            m("verify_handler_events_per_sec")
        ),
    ));
    rows.push(Row::info(
        format!(
            "4. The same deliveries verified, parsed, de-duplicated and written into an SQLite store (`StoreSink`, what `xdm webhook serve --db` runs: each batch committed in one transaction, full-text indexed) ({deliveries} deliveries, {connections} connections, {runs} runs)"
        ),
        format!(
            "**{:.0} events/s** over loopback HTTP, every event committed",
            m("stored_http_events_per_sec")
        ),
    ));
    Ok(())
}
