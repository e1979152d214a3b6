//! `cargo xtask bench [--quick]`: the end-to-end benchmarks.
//!
//! Builds `dm-bench` with `--release`, then for each scenario starts the sandbox
//! (`dm-bench-server`) in its own process and runs every measurement (`dm-bench-client`) in
//! another, several times; prints one table of medians, ratios and targets, and writes it
//! with the machine it ran on between the markers of `docs/benchmarks.md`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::Value;

mod cli;
mod realtime;
mod store;

const TOKEN: &str = "dm-fake-user-token";
const START: &str = "<!-- xtask-bench:start -->";
const END: &str = "<!-- xtask-bench:end -->";

/// Sizes and repetitions of one run of the suite.
struct Plan {
    name: &'static str,
    runs: usize,
    throughput_events: usize,
    rss_small: u64,
    rss_large: u64,
    rss_runs: usize,
    prefetch_pages: usize,
    latency_ms: u64,
    budget_limit: u32,
    budget_window_ms: u64,
    budget_events: usize,
    budget_runs: usize,
    sync_ks: &'static [u64],
}

const FULL: Plan = Plan {
    name: "full",
    runs: 5,
    throughput_events: 50_000,
    rss_small: 100_000,
    rss_large: 1_000_000,
    rss_runs: 3,
    prefetch_pages: 60,
    latency_ms: 5,
    budget_limit: 15,
    budget_window_ms: 3_000,
    budget_events: 6_500,
    budget_runs: 3,
    sync_ks: &[0, 1, 99, 100, 101, 250, 1_000],
};

const QUICK: Plan = Plan {
    name: "quick",
    runs: 3,
    throughput_events: 20_000,
    rss_small: 100_000,
    rss_large: 300_000,
    rss_runs: 1,
    prefetch_pages: 30,
    latency_ms: 5,
    budget_limit: 15,
    budget_window_ms: 2_000,
    budget_events: 5_000,
    budget_runs: 1,
    sync_ks: &[0, 1, 100, 101, 250],
};

/// One row of the table.
struct Row {
    name: String,
    result: String,
    target: String,
    /// `None`: informational.
    met: Option<bool>,
}

impl Row {
    fn info(name: impl Into<String>, result: impl Into<String>) -> Row {
        Row {
            name: name.into(),
            result: result.into(),
            target: String::new(),
            met: None,
        }
    }

    fn check(
        name: impl Into<String>,
        result: impl Into<String>,
        target: impl Into<String>,
        met: bool,
    ) -> Row {
        Row {
            name: name.into(),
            result: result.into(),
            target: target.into(),
            met: Some(met),
        }
    }
}

/// The groups of scenarios, each written to its own section of `docs/benchmarks.md`.
const GROUPS: &[&str] = &["client", "cli", "upload", "store", "realtime"];

/// The two video sizes of the upload group, in MiB: the peak RSS must not grow with them.
const UPLOAD_MIB: [u64; 2] = [20, 200];

/// Runs the suite: `--quick` for the small plan, `--only GROUP[,GROUP]` for some groups
/// (`client`, `cli`, `upload`, `store`, `realtime`), `--xdm PATH` to measure another `xdm` binary in the `cli`
/// group.
pub fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let plan = if quick { &QUICK } else { &FULL };
    let only: Vec<&str> = match args.iter().position(|a| a == "--only") {
        Some(i) => args
            .get(i + 1)
            .ok_or("--only needs a group name")?
            .split(',')
            .collect(),
        None => GROUPS.to_vec(),
    };
    if let Some(bad) = only.iter().find(|g| !GROUPS.contains(g)) {
        return Err(format!(
            "unknown group `{bad}` (groups: {})",
            GROUPS.join(", ")
        ));
    }
    let root = crate::codegen::workspace_root();
    let started = std::time::Instant::now();
    let bins = build(&root)?;
    let build_secs = started.elapsed().as_secs_f64();
    let machine = machine(&root);
    let doc = root.join("docs/benchmarks.md");
    let mut missed: Vec<String> = Vec::new();
    for group in only {
        let started = std::time::Instant::now();
        let mut rows = Vec::new();
        match group {
            "client" => client_group(&bins, plan, &mut rows)?,
            "upload" => upload_group(&bins, plan, &mut rows)?,
            "store" => store::group(&bins, plan, &mut rows)?,
            "realtime" => realtime::group(&bins, plan, &mut rows)?,
            _ => {
                eprintln!("bench: the command line against Client::events()");
                let xdm = cli::xdm_path(&bins, args);
                cli::run(&bins, plan, &xdm, &mut rows)?;
            }
        }
        let run_secs = started.elapsed().as_secs_f64();
        let table = table(&rows);
        println!("{table}");
        let (start, end) = markers(group);
        let section = format!(
            "{start}\n\
             ### Latest run: {group} ({} plan)\n\n\
             {machine}\n\
             Suite time: {run_secs:.0} s (plus {build_secs:.0} s building). Every figure is the median \
             of the runs listed in its row; ratios are medians of the ratios within a round.\n\n\
             {table}\n\
             {end}",
            plan.name
        );
        write_section(&doc, &section, &start, &end)?;
        eprintln!("bench: wrote the {group} section of {}", doc.display());
        missed.extend(
            rows.iter()
                .filter(|r| r.met == Some(false))
                .map(|r| r.name.clone()),
        );
    }
    if !missed.is_empty() {
        eprintln!("bench: targets missed: {}", missed.join("; "));
    }
    Ok(())
}

/// The section markers of a group (the `client` group keeps the original ones).
fn markers(group: &str) -> (String, String) {
    if group == "client" {
        (START.to_owned(), END.to_owned())
    } else {
        (
            format!("<!-- xtask-bench:{group}:start -->"),
            format!("<!-- xtask-bench:{group}:end -->"),
        )
    }
}

/// The library's scenarios: decode, throughput, prefetch, RSS, rate budget, sync.
fn client_group(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    eprintln!("bench: decode");
    decode(bins, rows)?;
    eprintln!("bench: throughput (raw baseline vs Client::events)");
    throughput(bins, plan, rows)?;
    eprintln!("bench: prefetch with {} ms server latency", plan.latency_ms);
    prefetch(bins, plan, rows)?;
    eprintln!("bench: peak RSS");
    rss(bins, plan, rows)?;
    eprintln!("bench: rate budget");
    budget(bins, plan, rows)?;
    eprintln!("bench: incremental sync");
    sync(bins, plan, rows)
}

/// Peak RSS of the client uploading a generated video of each of [`UPLOAD_MIB`] sizes from a
/// file (`Client::upload_media`): flat when chunks are read one at a time.
fn upload_group(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    eprintln!("bench: peak RSS uploading videos of {UPLOAD_MIB:?} MiB");
    let server = Server::start(bins, &s(&["--events", "100", "--uploads"]))?;
    let runs = plan.rss_runs;
    let (mut peaks, mut speeds) = (Vec::new(), Vec::new());
    for mib in UPLOAD_MIB {
        let (mut kib, mut rate) = (vec![], vec![]);
        for _ in 0..runs {
            let v = server.client(bins, &["upload", "--mib", &mib.to_string()])?;
            if f(&v, "bytes") != (mib * 1024 * 1024) as f64 {
                return Err(format!("the upload of {mib} MiB sent {v}"));
            }
            kib.push(f(&v, "peak_rss_kib"));
            rate.push(f(&v, "mib_per_sec"));
        }
        peaks.push(median(kib) / 1024.0);
        speeds.push(median(rate));
    }
    let (small, large) = (peaks[0], peaks[1]);
    rows.push(Row::check(
        format!(
            "7. Peak RSS uploading a generated video of {} vs {} MiB (`Client::upload_media` from a file, 4 MiB segments; {runs} run(s))",
            UPLOAD_MIB[1], UPLOAD_MIB[0]
        ),
        format!(
            "**{large:.1} MiB** vs {small:.1} MiB ({:.0} and {:.0} MiB/s over loopback)",
            speeds[1], speeds[0]
        ),
        "flat: the large within 10 % + 1 MiB of the small",
        large <= small * 1.1 + 1.0,
    ));
    Ok(())
}

/// The release binaries.
struct Bins {
    server: PathBuf,
    client: PathBuf,
    xdm: PathBuf,
    store: PathBuf,
    realtime: PathBuf,
}

fn build(root: &Path) -> Result<Bins, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "-p",
            "dm-bench",
            "-p",
            "dm-cli",
            "--bins",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building dm-bench and dm-cli failed".to_owned());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let release = if target.is_absolute() {
        target.join("release")
    } else {
        root.join(target).join("release")
    };
    Ok(Bins {
        server: release.join("dm-bench-server"),
        client: release.join("dm-bench-client"),
        xdm: release.join("xdm"),
        store: release.join("dm-bench-store"),
        realtime: release.join("dm-bench-realtime"),
    })
}

/// A sandbox process; stops when its stdin closes.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    base: String,
}

impl Server {
    fn start(bins: &Bins, args: &[String]) -> Result<Server, String> {
        let mut child = Command::new(&bins.server)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bins.server.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("the server has no stdout")?;
        let mut server = Server {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            base: String::new(),
        };
        server.base = server.line()?;
        if !server.base.starts_with("http://") {
            return Err(format!("the server said `{}`", server.base));
        }
        Ok(server)
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("reading from the server: {e}"))?;
        if line.is_empty() {
            return Err("the server exited".to_owned());
        }
        Ok(line.trim().to_owned())
    }

    fn command(&mut self, command: &str) -> Result<Value, String> {
        let stdin = self.stdin.as_mut().ok_or("the server's stdin is closed")?;
        writeln!(stdin, "{command}").map_err(|e| format!("writing to the server: {e}"))?;
        stdin
            .flush()
            .map_err(|e| format!("writing to the server: {e}"))?;
        let line = self.line()?;
        serde_json::from_str(&line).map_err(|e| format!("server reply `{line}`: {e}"))
    }

    fn client(&self, bins: &Bins, args: &[&str]) -> Result<Value, String> {
        let output = Command::new(&bins.client)
            .args(["--base", &self.base, "--token", TOKEN])
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bins.client.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(format!("dm-bench-client {args:?} failed: {stdout}"));
        }
        let line = stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line).map_err(|e| format!("client output `{line}`: {e}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing stdin stops the server; kill it if it does not.
        drop(self.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn f(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

fn s(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

fn decode(bins: &Bins, rows: &mut Vec<Row>) -> Result<(), String> {
    let server = Server::start(bins, &s(&["--events", "2000"]))?;
    let v = server.client(bins, &["decode"])?;
    let kib = f(&v, "bytes") / 1024.0;
    let ratio = f(&v, "typed_vs_value");
    rows.push(Row::check(
        format!("Typed page decode vs `serde_json::Value` (100 events, all fields, {kib:.0} KiB)"),
        format!(
            "{:.0} µs vs {:.0} µs: **{ratio:.2}×**",
            f(&v, "typed_ns") / 1e3,
            f(&v, "value_ns") / 1e3
        ),
        "≥ 1.5×",
        ratio >= 1.5,
    ));
    rows.push(Row::info(
        "Typed decode vs minimal structs (the floor)",
        format!(
            "{:.0} µs vs {:.0} µs: {:.2}×",
            f(&v, "typed_ns") / 1e3,
            f(&v, "minimal_ns") / 1e3,
            f(&v, "typed_vs_minimal")
        ),
    ));
    Ok(())
}

fn throughput(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    let events = plan.throughput_events.to_string();
    let mut server = Server::start(bins, &s(&["--events", &events, "--prerender"]))?;
    let (mut raw, mut client, mut gzip, mut requests, mut mib) = (vec![], vec![], vec![], 0.0, 0.0);
    let mut raw_typed = vec![];
    for _ in 0..plan.runs {
        let r = server.client(bins, &["raw"])?;
        raw.push(f(&r, "events_per_sec"));
        requests = f(&r, "requests");
        mib = f(&r, "bytes") / (1024.0 * 1024.0);
        let t = server.client(bins, &["raw", "--typed"])?;
        raw_typed.push(f(&t, "events_per_sec"));
        let c = server.client(bins, &["client"])?;
        client.push(f(&c, "events_per_sec"));
        let g = server.client(bins, &["--gzip", "client"])?;
        gzip.push(f(&g, "events_per_sec"));
    }
    let stats = server.command("stats")?;
    let served = f(&stats, "prerendered_served");
    let total = f(&stats, "requests");
    // Ratios pair the runs of one round (taken seconds apart): the machine's speed drifts
    // between rounds, and a ratio of medians would inherit that drift.
    let paired = |a: &[f64], b: &[f64]| median(a.iter().zip(b).map(|(a, b)| a / b).collect());
    let (vs_raw, vs_typed) = (paired(&client, &raw), paired(&client, &raw_typed));
    let typed_vs_raw = paired(&raw_typed, &raw);
    let gzip_vs_raw = paired(&gzip, &raw);
    let (raw, client) = (median(raw), median(client));
    let n = plan.runs;
    rows.push(Row::info(
        format!("1. Raw baseline: hyper + serde_json into minimal structs ({n} runs)"),
        format!("{raw:.0} events/s ({requests:.0} pages, {mib:.1} MiB per run)"),
    ));
    let ratio = vs_raw;
    rows.push(Row::check(
        format!("2. `Client::events()`, full stack, prefetch 1 ({n} runs)"),
        format!("{client:.0} events/s: **{ratio:.2}×** the raw baseline"),
        "≥ 0.9× raw",
        ratio >= 0.9,
    ));
    let raw_typed = median(raw_typed);
    rows.push(Row::info(
        format!("   the raw baseline decoding into `dm_model` types instead ({n} runs)"),
        format!(
            "{raw_typed:.0} events/s: {:.2}× raw; `Client::events()` is **{:.2}×** this \
             (what the layers, includes and checkpoints cost)",
            typed_vs_raw, vs_typed
        ),
    ));
    let gzip = median(gzip);
    rows.push(Row::info(
        format!("   the same with gzip asked for (the transport's default; {n} runs)"),
        format!("{gzip:.0} events/s: {gzip_vs_raw:.2}× raw (the sandbox compresses every page)"),
    ));
    if served < total {
        rows.push(Row::info(
            "   (pages not served pre-rendered)",
            format!("{:.0} of {total:.0}", total - served),
        ));
    }
    Ok(())
}

fn prefetch(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    let events = (plan.prefetch_pages * 130).to_string();
    let latency = plan.latency_ms.to_string();
    let server = Server::start(
        bins,
        &s(&["--events", &events, "--prerender", "--latency-ms", &latency]),
    )?;
    let pages = plan.prefetch_pages.to_string();
    let (mut off, mut on) = (vec![], vec![]);
    for _ in 0..plan.runs {
        for (prefetch, out) in [("0", &mut off), ("1", &mut on)] {
            let v = server.client(
                bins,
                &[
                    "slow",
                    "--prefetch",
                    prefetch,
                    "--consumer-ms",
                    &latency,
                    "--pages",
                    &pages,
                ],
            )?;
            out.push(f(&v, "secs"));
        }
    }
    let (off, on) = (median(off), median(on));
    let hidden = 1.0 - on / off;
    rows.push(Row::check(
        format!(
            "3. Prefetch, {latency} ms server latency, consumer {latency} ms per page ({pages} pages, {} runs)",
            plan.runs
        ),
        format!(
            "off {:.0} ms, on {:.0} ms: **{:.0} %** of the time hidden",
            off * 1e3,
            on * 1e3,
            hidden * 100.0
        ),
        "≥ 40 % hidden",
        hidden >= 0.4,
    ));
    Ok(())
}

fn rss(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    // The lookup serves the last 30 of 32 days: generate enough for the large run.
    let events = (plan.rss_large as f64 * 1.1) as u64;
    let server = Server::start(bins, &s(&["--events", &events.to_string()]))?;
    let peak = |n: u64| -> Result<(f64, f64), String> {
        let mut kib = vec![];
        let mut delivered = 0.0;
        for _ in 0..plan.rss_runs {
            let v = server.client(bins, &["client", "--limit", &n.to_string()])?;
            kib.push(f(&v, "peak_rss_kib"));
            delivered = f(&v, "events");
        }
        Ok((median(kib) / 1024.0, delivered))
    };
    let (small, small_n) = peak(plan.rss_small)?;
    let (large, large_n) = peak(plan.rss_large)?;
    let flat = large <= small * 1.1 + 1.0;
    rows.push(Row::check(
        format!(
            "4. Peak RSS streaming {large_n:.0} vs {small_n:.0} events ({} runs)",
            plan.rss_runs
        ),
        format!("**{large:.1} MiB** vs {small:.1} MiB"),
        "< 32 MiB, flat in N",
        large < 32.0 && flat,
    ));
    Ok(())
}

fn budget(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    let window_s = plan.budget_window_ms / 1000;
    let limit = f64::from(plan.budget_limit);
    let (mut shares, mut errors, mut requests, mut windows_n) = (vec![], 0.0, 0.0, 0);
    for _ in 0..plan.budget_runs {
        let mut server = Server::start(
            bins,
            &s(&[
                "--events",
                &plan.budget_events.to_string(),
                "--rate-limit",
                &plan.budget_limit.to_string(),
                "--rate-window-ms",
                &plan.budget_window_ms.to_string(),
            ]),
        )?;
        let v = server.client(bins, &["budget"])?;
        let stats = server.command("stats")?;
        errors += f(&stats, "rate_limited");
        requests = f(&v, "requests");
        // [[reset, requests], ...] in window order; the last window is where the backlog
        // ran out, so only the windows before it count. A window with no request at all
        // (slept through) counts as allowed and unused.
        let windows: Vec<(u64, u64)> = v
            .get("windows")
            .and_then(Value::as_array)
            .map(|ws| {
                ws.iter()
                    .filter_map(|w| Some((w.get(0)?.as_u64()?, w.get(1)?.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let (Some(first), Some(last)) = (windows.first(), windows.last()) else {
            return Err(format!("the budget run saw no rate-limit headers: {v}"));
        };
        let spanned = (last.0 - first.0) / window_s.max(1) + 1;
        windows_n = spanned;
        let used: u64 = windows.iter().filter(|w| w.0 < last.0).map(|w| w.1).sum();
        let allowed = limit * (spanned - 1) as f64;
        shares.push(if allowed > 0.0 {
            used as f64 / allowed
        } else {
            f64::NAN
        });
    }
    let share = median(shares);
    rows.push(Row::check(
        format!(
            "5. Rate budget: {} per {window_s} s window, {requests:.0} requests over {windows_n} windows ({} runs)",
            plan.budget_limit, plan.budget_runs
        ),
        format!(
            "**{:.1} %** of the allowed requests used, **{errors:.0}** × 429",
            share * 100.0
        ),
        "≥ 98 %, 0 × 429",
        share >= 0.98 && errors == 0.0,
    ));
    Ok(())
}

fn sync(bins: &Bins, plan: &Plan, rows: &mut Vec<Row>) -> Result<(), String> {
    let mut server = Server::start(bins, &s(&["--events", "3000"]))?;
    let mut cells = vec![];
    let mut ok = true;
    for &k in plan.sync_ks {
        let state = server.client(bins, &["sync-state"])?;
        let state = state
            .get("state")
            .and_then(Value::as_str)
            .ok_or("sync-state printed no state")?
            .to_owned();
        server.command(&format!("inject {k}"))?;
        let v = server.client(bins, &["sync", "--state", &state])?;
        let spent = f(&v, "requests");
        let got = f(&v, "events");
        let bound = k.div_ceil(100) + 1;
        ok &= spent <= bound as f64 && got == k as f64;
        cells.push(format!("k={k}: {spent:.0} (≤ {bound})"));
    }
    rows.push(Row::check(
        "6. Incremental sync: requests for k new events",
        cells.join(", "),
        "≤ ⌈k/100⌉ + 1, all k delivered",
        ok,
    ));
    Ok(())
}

fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| Scenario | Result (median) | Target | Met |\n|---|---|---|---|\n");
    for r in rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {met} |\n",
            r.name, r.result, r.target
        ));
    }
    out
}

fn machine(root: &Path) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let command = |program: &str, args: &[&str]| {
        Command::new(program)
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let rustc = command("rustc", &["--version"]);
    let date = command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let kernel = command("uname", &["-sr"]);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".to_owned());
    format!(
        "Machine: {cpu}, {cores} cores, {mem} RAM, {kernel}; {rustc}; {date}. Server and client \
         processes share the cores.\n"
    )
}

fn write_section(doc: &Path, section: &str, start: &str, end: &str) -> Result<(), String> {
    let old = std::fs::read_to_string(doc).unwrap_or_default();
    let new = match (old.find(start), old.find(end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{section}{}", &old[..a], &old[b + end.len()..])
        }
        _ if old.is_empty() => format!("# Benchmarks\n\n{section}\n"),
        _ => format!("{}\n\n## Latest figures\n\n{section}\n", old.trim_end()),
    };
    std::fs::write(doc, new).map_err(|e| format!("cannot write {}: {e}", doc.display()))
}
