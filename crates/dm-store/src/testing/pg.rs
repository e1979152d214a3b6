//! A throw-away PostgreSQL cluster for one test (or benchmark) binary: `initdb` into a temp dir, `pg_ctl start`
//! on a free loopback port, a fresh database per test, stopped when the test binary exits.
//!
//! - The binaries are looked up in `$XDM_PG_BIN`, then `/usr/lib/postgresql/<newest>/bin`,
//!   then `pg_config --bindir`.
//! - `initdb` refuses to run as root: as root, every PostgreSQL command runs as the `postgres`
//!   user (`runuser -u postgres --`) in a temp dir that user owns.
//! - Statics are never dropped, so the cluster is stopped by a small watcher process started
//!   beside it: when the test binary's process is gone (passed, failed, panicked or killed) it
//!   runs `pg_ctl stop -m immediate` and removes the temp dir.
//! - Without PostgreSQL the tests print that they were skipped, unless `CI=true`: then a
//!   missing PostgreSQL fails them.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running cluster.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
    /// Stops the cluster once this process is gone (never waited for: it outlives us).
    watcher: Option<std::process::Child>,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Says (uncaptured, so it shows in a normal `cargo test` run) that a test was skipped.
pub fn skipped(test: &str, why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (PostgreSQL): {test}: {why}; set CI=true to make this a failure"
    );
}

/// The shared cluster, started on first use; `None` (skip) when PostgreSQL is not installed
/// and not in CI.
pub fn cluster() -> Option<&'static Cluster> {
    CLUSTER
        .get_or_init(|| match find_bin() {
            Some(bin) => Some(Cluster::start(bin)),
            None if in_ci() => panic!(
                "PostgreSQL is required in CI but was not found (no initdb in $XDM_PG_BIN, \
                 /usr/lib/postgresql/*/bin or pg_config --bindir); `.ci/run` installs it"
            ),
            None => None,
        })
        .as_ref()
}

fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDM_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    dir.join("initdb").exists().then_some(dir)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    fn start(bin: PathBuf) -> Cluster {
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("xdm-store-pg-")
            .tempdir()
            .expect("a temp dir for the cluster")
            .keep();
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown {} to postgres", dir.display());
        }
        let mut cluster = Cluster {
            bin,
            dir,
            port: 0,
            as_postgres,
            watcher: None,
        };
        cluster.watcher = Some(cluster.watch());
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        for attempt in 0..5 {
            cluster.port = free_port();
            let options = format!(
                "-k {} -p {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                cluster.dir.display(),
                cluster.port
            );
            let log = cluster.dir.join("log");
            let ok = cluster.try_run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "-o".as_ref(),
                    options.as_ref(),
                    "start".as_ref(),
                ],
            );
            if ok {
                return cluster;
            }
            let log = std::fs::read_to_string(cluster.dir.join("log")).unwrap_or_default();
            eprintln!("PostgreSQL did not start (attempt {attempt}):\n{log}");
        }
        panic!("PostgreSQL did not start; see the log above");
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn try_run(&self, program: &str, args: &[&std::ffi::OsStr]) -> bool {
        let out = self
            .command(program)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        if !out.status.success() {
            eprintln!(
                "{program} failed: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success()
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) {
        assert!(self.try_run(program, args), "{program} failed");
    }

    /// Starts the watcher that stops the cluster once this process is gone.
    fn watch(&self) -> std::process::Child {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.join("data");
        let stop = format!(
            "{} '{}' -D '{}' stop -m immediate",
            if self.as_postgres {
                "runuser -u postgres --"
            } else {
                ""
            },
            pg_ctl.display(),
            data.display()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.3; done; \
             if [ -f '{data}/postmaster.pid' ]; then {stop} >/dev/null 2>&1; fi; \
             rm -rf '{dir}'",
            pid = std::process::id(),
            data = data.display(),
            dir = self.dir.display(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the cluster watcher")
    }

    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// A new empty database; returns its URL.
    pub async fn fresh_db(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let (client, conn) = tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
            .await
            .expect("connect to the test cluster");
        tokio::spawn(conn);
        client
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY"
            ))
            .await
            .expect("create a test database");
        self.url(&name)
    }

    /// The cluster's temp dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        self.try_run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "stop".as_ref(),
                "-m".as_ref(),
                "immediate".as_ref(),
            ],
        );
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
