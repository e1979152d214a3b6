//! Stamps `xdm --version` with the git commit it was built from, when there is one: a build
//! from a crates.io package or a tarball, or without `git` installed, says so instead of
//! failing.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=XDM_BUILD_COMMIT");
    // A packager can set the commit explicitly (no `.git` in a source tarball).
    let commit = std::env::var("XDM_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    // Rebuild when HEAD moves (a commit, a checkout), only if those files exist: a missing
    // path would make cargo rerun this script on every build.
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path])
            && std::path::Path::new(&p).exists()
        {
            let p = std::fs::canonicalize(&p).map_or(p, |c| c.display().to_string());
            println!("cargo:rerun-if-changed={p}");
        }
    }
    let version = env!("CARGO_PKG_VERSION");
    let long = match commit {
        Some(c) => format!("{version} (commit {c})"),
        None => format!("{version} (commit unknown)"),
    };
    println!("cargo:rustc-env=XDM_LONG_VERSION={long}");
}
