//! `cargo xtask`: project automation.
//!
//! - `cargo xtask codegen [--check]`: regenerate the checked-in files derived from
//!   `spec/openapi-dm-2.166.json`; with `--check`, fail when any of them is stale.

mod codegen;

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
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\ncommands:\n  codegen [--check]   regenerate code from spec/ (or check it is fresh)"
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
