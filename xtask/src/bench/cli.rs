//! The `cli` group: the built `xdm` as a process against the pre-rendered sandbox, against
//! the same lookup through `Client::events()` in a process that only counts.
//!
//! CPU is the process's own accounting: user and system time of the waited-for child
//! (`getrusage(RUSAGE_CHILDREN)` before and after), per event delivered. Both sides use the
//! transport's defaults (gzip asked for) and a two-thread runtime, as `xdm` does, and the
//! same lookup: every field and expansion (`xdm --all-fields`; the CLI's default is the
//! smaller `public_fields()` set, which would not be the same work).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::sys::resource::{UsageWho, getrusage};

use super::{Bins, Plan, Row, Server, TOKEN, f, median, s};

/// User and system CPU seconds.
#[derive(Clone, Copy, Debug, Default)]
struct Cpu {
    user: f64,
    sys: f64,
}

impl Cpu {
    fn total(self) -> f64 {
        self.user + self.sys
    }
}

/// CPU used so far by waited-for children.
fn children() -> Result<Cpu, String> {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| format!("getrusage: {e}"))?;
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok(Cpu {
        user: secs(usage.user_time()),
        sys: secs(usage.system_time()),
    })
}

/// Runs `cmd` to completion, its stdout drained by a reader thread; its CPU and the lines
/// and bytes it wrote.
fn measured(mut cmd: Command) -> Result<(Cpu, u64, u64, String), String> {
    let before = children()?;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let drain = std::thread::spawn(move || {
        let (mut lines, mut bytes, mut last) = (0u64, 0u64, Vec::new());
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            bytes += n as u64;
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            // Keep the tail: the last line is a JSON summary for the counting client.
            last.extend_from_slice(&buf[..n]);
            if last.len() > 64 * 1024 {
                last.drain(..last.len() - 4096);
            }
        }
        (lines, bytes, last)
    });
    let mut err = String::new();
    let _ = stderr.read_to_string(&mut err);
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {cmd:?}: {e}"))?;
    let after = children()?;
    let (lines, bytes, last) = drain.join().map_err(|_| "the drain thread failed")?;
    if !status.success() {
        return Err(format!("{cmd:?} failed ({status}): {err}"));
    }
    let cpu = Cpu {
        user: after.user - before.user,
        sys: after.sys - before.sys,
    };
    let tail = String::from_utf8_lossy(&last).into_owned();
    Ok((cpu, lines, bytes, tail))
}

/// The `xdm` binary measured: the one `cargo xtask bench` built, or `--xdm PATH`.
pub(super) fn xdm_path(bins: &Bins, args: &[String]) -> PathBuf {
    args.iter()
        .position(|a| a == "--xdm")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| bins.xdm.clone())
}

fn xdm(path: &Path, base: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(path);
    cmd.env_clear()
        .env("XDM_ACCESS_TOKEN", TOKEN)
        .env(
            "XDM_CONFIG_DIR",
            std::env::temp_dir().join("xdm-bench-config"),
        )
        .env("NO_COLOR", "1")
        .args(["--base-url", base, "-q"])
        .args(args);
    cmd
}

/// The rows of the `cli` group.
pub(super) fn run(
    bins: &Bins,
    plan: &Plan,
    xdm_bin: &Path,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    // Another binary (`--xdm`, e.g. an older build for a before/after figure) may have no
    // store: rows 5 and 6 are for the binary this run built.
    let with_store = xdm_bin == bins.xdm;
    let events = plan.throughput_events.to_string();
    let server = Server::start(bins, &s(&["--events", &events, "--prerender"]))?;
    let base = server.base.clone();
    let dir = std::env::temp_dir().join(format!("xdm-bench-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    // Per round: each variant once, back to back (ratios pair the runs of one round).
    let (mut client, mut jsonl, mut csv, mut archive) = (vec![], vec![], vec![], vec![]);
    let (mut client_cpu, mut jsonl_cpu, mut csv_cpu, mut archive_cpu) =
        (vec![], vec![], vec![], vec![]);
    let (mut db, mut export, mut db_cpu, mut export_cpu) = (vec![], vec![], vec![], vec![]);
    let mut delivered = 0.0;
    for round in 0..plan.runs {
        let mut counting = Command::new(&bins.client);
        counting.args([
            "--base",
            &base,
            "--token",
            TOKEN,
            "--gzip",
            "--threads",
            "2",
            "client",
        ]);
        let (cpu, _, _, tail) = measured(counting)?;
        let line = tail.lines().last().unwrap_or_default();
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("client output `{line}`: {e}"))?;
        let n = f(&v, "events");
        delivered = n;
        client.push(cpu.total() / n);
        client_cpu.push(cpu);

        let (cpu, lines, _, _) = measured(xdm(
            xdm_bin,
            &base,
            &["events", "--all-fields", "--format", "jsonl"],
        ))?;
        if lines as f64 != n {
            return Err(format!(
                "xdm events wrote {lines} lines, the client counted {n}"
            ));
        }
        jsonl.push(cpu.total() / n);
        jsonl_cpu.push(cpu);

        let (cpu, _, _, _) = measured(xdm(
            xdm_bin,
            &base,
            &["events", "--all-fields", "--format", "csv"],
        ))?;
        csv.push(cpu.total() / n);
        csv_cpu.push(cpu);

        let path = dir.join(format!("archive-{round}.jsonl"));
        let path_text = path.display().to_string();
        let (cpu, _, _, _) = measured(xdm(
            xdm_bin,
            &base,
            &["sync", "--all-fields", "--archive", &path_text],
        ))?;
        archive.push(cpu.total() / n);
        archive_cpu.push(cpu);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(format!("{path_text}.state"));

        if !with_store {
            continue;
        }
        let store = dir.join(format!("store-{round}.sqlite"));
        let url = format!("sqlite:{}", store.display());
        let (cpu, _, _, _) =
            measured(xdm(xdm_bin, &base, &["sync", "--all-fields", "--db", &url]))?;
        db.push(cpu.total() / n);
        db_cpu.push(cpu);
        let (cpu, lines, _, _) = measured(xdm(xdm_bin, &base, &["export", "--db", &url]))?;
        if lines as f64 != n {
            return Err(format!(
                "xdm export wrote {lines} lines, the client counted {n}"
            ));
        }
        export.push(cpu.total() / n);
        export_cpu.push(cpu);
    }
    let _ = std::fs::remove_dir_all(&dir);

    let paired = |a: &[f64], b: &[f64]| median(a.iter().zip(b).map(|(a, b)| a / b).collect());
    let us = |xs: &[f64]| median(xs.to_vec()) * 1e6;
    let sys_share = |cpus: &[Cpu]| median(cpus.iter().map(|c| c.sys / c.total()).collect());
    let user_sys = |cpus: &[Cpu]| {
        let n = delivered.max(1.0);
        format!(
            "user {:.2} + sys {:.2} µs",
            median(cpus.iter().map(|c| c.user / n).collect()) * 1e6,
            median(cpus.iter().map(|c| c.sys / n).collect()) * 1e6
        )
    };
    let runs = plan.runs;
    rows.push(Row::info(
        format!(
            "CLI 1. `Client::events()` in a process that only counts ({delivered:.0} events, \
             every field and expansion, gzip, 2 threads; {runs} runs)"
        ),
        format!(
            "{:.2} µs CPU per event ({})",
            us(&client),
            user_sys(&client_cpu)
        ),
    ));
    let ratio = paired(&jsonl, &client);
    let share = sys_share(&jsonl_cpu);
    rows.push(Row::check(
        format!("CLI 2. `xdm events --format jsonl` into a drained pipe ({runs} runs)"),
        format!(
            "{:.2} µs CPU per event ({}): **{ratio:.2}×** `Client::events()`; system time \
             **{:.1} %** of its CPU",
            us(&jsonl),
            user_sys(&jsonl_cpu),
            share * 100.0
        ),
        "≤ 1.5×, system ≤ 10 %",
        ratio <= 1.5 && share <= 0.10,
    ));
    let ratio = paired(&csv, &client);
    rows.push(Row::check(
        format!("CLI 3. `xdm events --format csv` into a drained pipe ({runs} runs)"),
        format!(
            "{:.2} µs CPU per event ({}): **{ratio:.2}×**; system {:.1} %",
            us(&csv),
            user_sys(&csv_cpu),
            sys_share(&csv_cpu) * 100.0
        ),
        "≤ 1.5×",
        ratio <= 1.5,
    ));
    let ratio = paired(&archive, &client);
    rows.push(Row::check(
        format!("CLI 4. `xdm sync --archive` into a new archive file ({runs} runs)"),
        format!(
            "{:.2} µs CPU per event ({}): **{ratio:.2}×**; system {:.1} %",
            us(&archive),
            user_sys(&archive_cpu),
            sys_share(&archive_cpu) * 100.0
        ),
        "≤ 1.5×",
        ratio <= 1.5,
    ));
    if !with_store {
        return Ok(());
    }
    let ratio = paired(&db, &client);
    rows.push(Row::info(
        format!("CLI 5. `xdm sync --db` into a new SQLite store ({runs} runs)"),
        format!(
            "{:.2} µs CPU per event ({}): {ratio:.2}× `Client::events()` (the store's \
             indexing and full-text search included); system {:.1} %",
            us(&db),
            user_sys(&db_cpu),
            sys_share(&db_cpu) * 100.0
        ),
    ));
    let ratio = paired(&export, &client);
    rows.push(Row::info(
        format!("CLI 6. `xdm export --db` of that store into a drained pipe ({runs} runs)"),
        format!(
            "{:.2} µs CPU per event ({}): {ratio:.2}× `Client::events()`; system {:.1} %",
            us(&export),
            user_sys(&export_cpu),
            sys_share(&export_cpu) * 100.0
        ),
    ));
    Ok(())
}
