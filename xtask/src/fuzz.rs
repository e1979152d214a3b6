//! `cargo xtask fuzz [--cases N]`: the bad-input properties of `tests/tests/bad_input.rs`,
//! in a release build, with `PROPTEST_CASES` raised so that at least one million cases run
//! in total; prints the count.

use std::process::Command;
use std::time::Instant;

/// Cases in total the default run must reach.
const TARGET_TOTAL: u64 = 1_000_000;

/// Runs the properties with `cases` cases each (default: enough for [`TARGET_TOTAL`]).
pub fn run(cases: Option<u64>) -> Result<(), String> {
    // Eleven properties (nine on the DM API, two on X Chat): 91,000 each is just over a million.
    let per_property = cases.unwrap_or(91_000);
    let started = Instant::now();
    println!("fuzz: {per_property} cases per property (release build)");
    let output = Command::new(env!("CARGO"))
        .args([
            "test",
            "-p",
            "xdm-tests",
            "--release",
            "--test",
            "bad_input",
            "--",
            "--nocapture",
            "--test-threads=2",
        ])
        .env("PROPTEST_CASES", per_property.to_string())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut total = 0u64;
    let mut properties = 0usize;
    for line in stdout.lines() {
        let mut parts = line.split_whitespace();
        if parts.next() != Some("xdm-fuzz-cases") {
            continue;
        }
        let name = parts.next().unwrap_or("?");
        let n: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        println!("  {name:<24} {n:>10} cases");
        total += n;
        properties += 1;
    }
    println!(
        "fuzz: {total} cases over {properties} properties in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if !output.status.success() {
        eprintln!("{stdout}\n{stderr}");
        return Err("a property failed (see the minimal failing input above)".into());
    }
    if cases.is_none() && total < TARGET_TOTAL {
        return Err(format!(
            "only {total} cases ran; at least {TARGET_TOTAL} expected"
        ));
    }
    Ok(())
}
