//! `cargo xtask conformance`: the Prism conformance suite. Installs and starts Stoplight
//! Prism mocks of every vendored spec (`.ci/prism-run.sh`, needs Node and npm), proves
//! validation is on with canaries, runs `tests/tests/prism_conformance.rs` against them, and
//! stops Prism.

use std::process::Command;

/// Runs the suite; fails when Prism cannot be installed or started, or a request is refused.
pub fn run() -> Result<(), String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let status = Command::new("bash")
        .current_dir(&root)
        .arg(".ci/prism-run.sh")
        .args([
            env!("CARGO"),
            "test",
            "-p",
            "xdm-tests",
            "--test",
            "prism_conformance",
            "--",
            "--nocapture",
            "--test-threads=1",
        ])
        // The tests must not skip here: no Prism is a failure.
        .env("XDM_REQUIRE_PRISM", "1")
        .status()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the conformance suite failed ({status})"))
    }
}
