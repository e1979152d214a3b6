//! The `store` group: `dm-bench-store` in a fresh process per measurement.
//!
//! - Ingest: events/s applied into SQLite with full-text search, batches of 100 with every
//!   field and expansion, against a floor of plain batched inserts of the same JSON text into
//!   one table with the same driver (target ≥ 0.5×); the store's size per event against the
//!   JSONL archive's (target ≤ 2×).
//! - Search: 20 varied queries over a store of about a million messages (median, p99; target
//!   p99 < 100 ms).
//! - PostgreSQL: 4 writers for 4 accounts at once against 1 writer doing the same work.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Bins, Plan, Row, f};

fn run(bins: &Bins, args: &[&str]) -> Result<Value, String> {
    let output = Command::new(&bins.store)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bins.store.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("dm-bench-store {args:?} failed: {stdout}"));
    }
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("dm-bench-store output `{line}`: {e}"))
}

/// The rows of the `store` group.
pub(super) fn group(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    let quick = plan.name == "quick";
    eprintln!("bench: store ingest against plain inserts");
    let events = if quick { "20000" } else { "50000" };
    let rounds = plan.runs.to_string();
    let v = run(bins, &["ingest", "--events", events, "--rounds", &rounds])?;
    let ratio = f(&v, "ratio");
    rows.push(Row::check(
        format!(
            "S1. Ingest into SQLite with full-text search, batches of 100, every field and \
             expansion ({:.0} events, {} rounds)",
            f(&v, "events"),
            plan.runs
        ),
        format!(
            "{:.0} events/s vs {:.0} events/s plain inserts of the same JSON: **{ratio:.2}×**",
            f(&v, "store_eps"),
            f(&v, "floor_eps")
        ),
        "≥ 0.5× the floor",
        ratio >= 0.5,
    ));
    let (store, jsonl) = (
        f(&v, "store_bytes_per_event"),
        f(&v, "jsonl_bytes_per_event"),
    );
    let size = store / jsonl;
    rows.push(Row::check(
        "S2. Store size per event vs the JSONL archive of the same events",
        format!("{store:.0} B vs {jsonl:.0} B: **{size:.2}×**"),
        "≤ 2×",
        size <= 2.0,
    ));

    eprintln!("bench: search over a large store (this ingests it first)");
    let events = if quick { "220000" } else { "1100000" };
    let v = run(bins, &["search", "--events", events, "--rounds", "5"])?;
    let p99 = f(&v, "p99_ms");
    rows.push(Row::check(
        format!(
            "S3. Search over {:.0} stored messages ({:.0} events; 20 varied queries × 5)",
            f(&v, "messages"),
            f(&v, "stored")
        ),
        format!(
            "median **{:.1} ms**, p99 **{p99:.1} ms**, max {:.1} ms (store {:.0} B per event, \
             filled at {:.0} events/s)",
            f(&v, "median_ms"),
            f(&v, "max_ms"),
            f(&v, "store_bytes_per_event"),
            f(&v, "stored") / f(&v, "ingest_secs")
        ),
        "p99 < 100 ms",
        p99 < 100.0,
    ));

    eprintln!("bench: PostgreSQL, 4 writers vs 1");
    let events = if quick { "5000" } else { "20000" };
    match run(bins, &["postgres", "--events", events, "--writers", "4"]) {
        Ok(v) => rows.push(Row::info(
            format!(
                "S4. PostgreSQL ingest, 4 writers for 4 accounts at once vs 1 writer ({:.0} events \
                 in all; a throw-away cluster on the same two cores, fsync off)",
                f(&v, "events")
            ),
            format!(
                "{:.0} events/s vs {:.0} events/s: **{:.2}×**",
                f(&v, "parallel_eps"),
                f(&v, "one_writer_eps"),
                f(&v, "speedup")
            ),
        )),
        Err(e) => rows.push(Row::info("S4. PostgreSQL ingest", format!("not run: {e}"))),
    }
    Ok(())
}
