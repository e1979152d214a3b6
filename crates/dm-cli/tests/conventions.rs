//! CLI conventions: shell completions and the man page from the clap definitions, `--color`
//! with `NO_COLOR` and non-terminal output, `--version` with the commit.

mod common;

use common::*;
use dm_fake::FakeServer;

const ESC: char = '\u{1b}';

#[test]
fn completions_for_each_shell_name_the_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _xdm"),
        ("zsh", "#compdef xdm"),
        ("fish", "complete -c xdm"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[xdm]"),
    ] {
        let out = xdm(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        ok(&out);
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {marker} missing");
        // fish names long options `-l color`, the others `--color`.
        for word in ["sync", "follow", "completions", "color", "all-fields"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let out = xdm(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_generated_from_the_same_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdm(dir.path()).arg("man").output().unwrap();
    ok(&out);
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH xdm 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains(".TH xdm 1"));
    assert!(page.contains(".SH NAME"));
    assert!(
        page.contains(".SH SUBCOMMANDS") || page.contains("xdm\\-sync"),
        "subcommands listed"
    );
    assert!(page.contains("sync") && page.contains("\\-\\-color"));
    // Through a closed pipe it stops quietly.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"))
        .arg("man")
        .env("XDM_CONFIG_DIR", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert!(
        child.wait().unwrap().success(),
        "a closed pipe is not an error"
    );
}

#[test]
fn version_names_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdm(dir.path()).arg("--version").output().unwrap();
    ok(&out);
    let line = stdout(&out);
    assert!(
        line.starts_with(&format!("xdm {}", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match head {
        // Built from this checkout: the commit it was built at (HEAD moves only by committing,
        // which also rebuilds the binary).
        Some(commit) => assert!(
            line.contains(&format!("(commit {commit})")),
            "{line} vs {commit}"
        ),
        None => assert!(line.contains("(commit unknown)"), "{line}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn color_follows_the_flag_the_terminal_and_no_color() {
    let server = FakeServer::builder()
        .seed(3)
        .events(60)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The chat layout on stdout is coloured on a terminal; `-v` logs requests on stderr.
    let events = |color: Option<&str>, no_color: bool| {
        let mut cmd = xdm_at(&server, dir.path());
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        cmd.args(["events", "--limit", "5", "--format", "pretty", "-v"]);
        if let Some(c) = color {
            cmd.args(["--color", c]);
        }
        cmd
    };
    // Into a pipe (not a terminal): no escapes by default, on stdout or in stderr's logs.
    let out = run(events(None, false)).await;
    ok(&out);
    assert!(!stdout(&out).is_empty());
    assert!(!stderr(&out).is_empty(), "-v logs something to check");
    assert!(!stdout(&out).contains(ESC), "auto: no colour into a pipe");
    assert!(
        !stderr(&out).contains(ESC),
        "auto: log lines without escapes into a pipe"
    );
    // `--color always` forces them, even with NO_COLOR set.
    let out = run(events(Some("always"), true)).await;
    ok(&out);
    assert!(
        stdout(&out).contains(ESC),
        "always: the chat layout in colour"
    );
    assert!(stderr(&out).contains(ESC), "always: coloured log levels");
    // `--color never`.
    let out = run(events(Some("never"), false)).await;
    ok(&out);
    assert!(!stdout(&out).contains(ESC) && !stderr(&out).contains(ESC));
    // A bad value is a usage error naming the choices.
    let out = run(events(Some("sometimes"), false)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("auto") && stderr(&out).contains("never"));
}
