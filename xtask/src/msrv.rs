//! `cargo xtask msrv`: the part of each crate's `rust-version` promise that the one toolchain
//! here can check (no older toolchain can be installed on this machine).
//!
//! Every dependency a workspace crate builds with (its normal and build dependencies,
//! transitively, as `Cargo.lock` resolves them) must declare a `rust-version` no newer than
//! the crate's own: otherwise a user on the promised toolchain cannot build it with the
//! versions we ship. The standard library side (an API stabilized after the crate's
//! `rust-version`) is clippy's `incompatible_msrv` lint, on by default and denied in CI.
//! Language features and compiler fixes newer than the promise are not caught by either.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use serde_json::Value;

/// Runs `cargo metadata --locked` and fails naming every dependency that needs a newer Rust
/// than a crate that builds with it.
pub fn run() -> Result<(), String> {
    let root = crate::codegen::workspace_root();
    let output = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["metadata", "--locked", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed something else than JSON: {e}"))?;
    let report = check(&metadata)?;
    for line in &report.problems {
        eprintln!("msrv: {line}");
    }
    if !report.problems.is_empty() {
        let n = report.problems.len();
        let (what, them) = if n == 1 {
            ("dependency needs", "it")
        } else {
            ("dependencies need", "them")
        };
        return Err(format!(
            "{n} {what} a newer Rust than the crate that builds with {them}"
        ));
    }
    println!(
        "msrv: {} workspace crates, {} dependencies: none needs a newer Rust than its crate's rust-version",
        report.crates, report.dependencies
    );
    Ok(())
}

/// What [`check`] found.
#[derive(Debug)]
pub struct Report {
    /// Workspace crates that declare a `rust-version`.
    pub crates: usize,
    /// Distinct dependencies they build with.
    pub dependencies: usize,
    /// One line per dependency that needs a newer Rust than a crate building with it.
    pub problems: Vec<String>,
}

/// A `rust-version` as `(major, minor, patch)`; a missing part is 0 (`1.88` is `1.88.0`).
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    parts.next().is_none().then_some((major, minor, patch))
}

/// The string member `name` of `v`.
fn field(v: &Value, name: &str) -> Result<String, String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("cargo metadata: a package without `{name}`"))
}

/// The array member `name` of `v`.
fn list<'v>(v: &'v Value, name: &str) -> Result<&'v [Value], String> {
    v.get(name)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("cargo metadata: no `{name}` list"))
}

/// Checks the output of `cargo metadata --format-version 1`.
pub fn check(metadata: &Value) -> Result<Report, String> {
    // id -> (name version, rust-version)
    let mut packages: HashMap<String, (String, Option<String>)> = HashMap::new();
    for p in list(metadata, "packages")? {
        let rust = p
            .get("rust_version")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let name = format!("{} {}", field(p, "name")?, field(p, "version")?);
        packages.insert(field(p, "id")?, (name, rust));
    }
    // id -> the ids it builds with (normal and build dependencies, on any target)
    let resolve = metadata
        .get("resolve")
        .ok_or("cargo metadata: no `resolve` (was it run with --no-deps?)")?;
    let mut builds_with: HashMap<String, Vec<String>> = HashMap::new();
    for node in list(resolve, "nodes")? {
        let mut deps = Vec::new();
        for dep in list(node, "deps")? {
            let kinds = list(dep, "dep_kinds")?;
            if kinds
                .iter()
                .any(|k| matches!(k.get("kind").and_then(Value::as_str), None | Some("build")))
            {
                deps.push(field(dep, "pkg")?);
            }
        }
        builds_with.insert(field(node, "id")?, deps);
    }

    let mut report = Report {
        crates: 0,
        dependencies: 0,
        problems: Vec::new(),
    };
    let mut all = HashSet::new();
    for member in list(metadata, "workspace_members")?
        .iter()
        .filter_map(Value::as_str)
    {
        let Some((name, Some(promise))) = packages.get(member) else {
            continue;
        };
        let promised = version(promise)
            .ok_or_else(|| format!("{name}: rust-version `{promise}` is not a version"))?;
        report.crates += 1;
        let mut seen = HashSet::new();
        let mut next: Vec<&str> = vec![member];
        while let Some(id) = next.pop() {
            for dep in builds_with.get(id).into_iter().flatten() {
                if seen.insert(dep.as_str()) {
                    next.push(dep);
                }
            }
        }
        for dep in seen {
            all.insert(dep);
            let Some((dep_name, Some(needs))) = packages.get(dep) else {
                continue;
            };
            match version(needs) {
                Some(v) if v <= promised => {}
                _ => report.problems.push(format!(
                    "{name} (rust-version {promise}) builds with {dep_name}, which needs Rust {needs}"
                )),
            }
        }
    }
    report.problems.sort();
    report.dependencies = all.len();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(id: &str, rust: Option<&str>) -> Value {
        json!({"id": id, "name": id, "version": "1.0.0", "rust_version": rust})
    }

    fn dep(id: &str, kind: Option<&str>) -> Value {
        json!({"pkg": id, "dep_kinds": [{"kind": kind, "target": null}]})
    }

    #[test]
    fn versions_compare_by_number_with_missing_parts_zero() {
        assert_eq!(version("1.88"), Some((1, 88, 0)));
        assert_eq!(version("1.88.0"), version("1.88"));
        assert!(version("1.89").unwrap() > version("1.88.1").unwrap());
        assert!(version("1.100").unwrap() > version("1.99").unwrap());
        assert_eq!(version("1.x"), None);
        assert_eq!(version("1.2.3.4"), None);
    }

    #[test]
    fn a_dependency_deep_in_the_tree_that_needs_a_newer_rust_is_named() {
        let metadata = json!({
            "workspace_members": ["app", "lib"],
            "packages": [
                package("app", Some("1.89")), package("lib", Some("1.88")),
                package("deep", Some("1.89.0")), package("mid", None),
                package("tool", Some("1.95")), package("gen", Some("1.80")),
            ],
            "resolve": {"nodes": [
                {"id": "app", "deps": [dep("lib", None)]},
                {"id": "lib", "deps": [dep("mid", None), dep("tool", Some("dev")),
                                        dep("gen", Some("build"))]},
                {"id": "mid", "deps": [dep("deep", None)]},
                {"id": "deep", "deps": []}, {"id": "tool", "deps": []}, {"id": "gen", "deps": []},
            ]},
        });
        let report = check(&metadata).unwrap();
        // `deep` is fine for `app` (1.89) and too new for `lib` (1.88); `tool` is only a
        // dev-dependency, which users of `lib` never build.
        assert_eq!(
            report.problems,
            ["lib 1.0.0 (rust-version 1.88) builds with deep 1.0.0, which needs Rust 1.89.0"]
        );
        assert_eq!((report.crates, report.dependencies), (2, 4));
    }

    #[test]
    fn metadata_without_a_resolve_is_an_error_not_a_pass() {
        let metadata = json!({"workspace_members": [], "packages": []});
        assert!(check(&metadata).unwrap_err().contains("resolve"));
    }
}
