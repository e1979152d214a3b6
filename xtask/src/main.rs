//! `cargo xtask`: project automation.
//!
//! - `cargo xtask codegen [--check]`: regenerate the checked-in files derived from the
//!   vendored specs (`spec/openapi-dm-2.166.json`, `spec/openapi-media-realtime-2.167.json`);
//!   with `--check`, fail when any of them is stale.
//! - `cargo xtask bench [--quick] [--only GROUP,..] [--xdm PATH]`: the end-to-end benchmarks
//!   (see `docs/benchmarks.md`).
//! - `cargo xtask fuzz [--cases N]`: the bad-input properties, a million cases or more.
//! - `cargo xtask conformance`: every request xdm builds, validated by Prism against the
//!   official spec its operation comes from (needs Node and npm; see `docs/reliability.md`).
//! - `cargo xtask msrv`: every dependency a crate builds with needs no newer Rust than the
//!   crate's `rust-version` (from `Cargo.lock`, through `cargo metadata`).
//! - `cargo xtask man [--out DIR]`: the man page and shell completions of `xdm`, generated
//!   from its clap definitions, into `target/man/`.

mod bench;
mod codegen;
mod conformance;
mod fuzz;
mod man;
mod msrv;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().any(|a| a == "--check");
            codegen::run(if check {
                codegen::Mode::Check
            } else {
                codegen::Mode::Write
            })
        }
        Some("bench") => bench::run(&args[1..]).map_err(codegen::Error::new),
        Some("fuzz") => {
            let cases = args
                .iter()
                .position(|a| a == "--cases")
                .and_then(|i| args.get(i + 1))
                .and_then(|n| n.parse().ok());
            fuzz::run(cases).map_err(codegen::Error::new)
        }
        Some("conformance") => conformance::run().map_err(codegen::Error::new),
        Some("man") => man::run(&args[1..]).map_err(codegen::Error::new),
        Some("msrv") => msrv::run().map_err(codegen::Error::new),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\ncommands:\n  codegen [--check]   regenerate code from spec/ (or check it is fresh)\n  bench [--quick] [--only GROUP,..] [--xdm PATH]\n                      end-to-end benchmarks (groups: client, cli, upload); writes docs/benchmarks.md\n  fuzz [--cases N]    bad-input properties, >= 1M cases (release)\n  conformance         requests validated by Prism against the official spec\n  man [--out DIR]     the man page and shell completions of xdm, into target/man/\n  msrv                no dependency needs a newer Rust than its crate's rust-version"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
