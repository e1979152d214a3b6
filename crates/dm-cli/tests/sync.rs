//! `xdm sync`: killed at any moment and run again, the archive holds every event once.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use dm_fake::{FakeServer, FaultConfig, Scope};
use serde_json::Value;

/// The archive's event ids, in file order.
fn archive_ids(path: &std::path::Path) -> Vec<String> {
    jsonl(&std::fs::read_to_string(path).unwrap_or_default())
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The dataset's ids oldest first (the archive's order).
fn truth_ids(server: &FakeServer) -> Vec<String> {
    let mut ids = server.dataset().event_ids(&Scope::All);
    ids.reverse();
    ids
}

fn sync_cmd(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
) -> assert_cmd::Command {
    let mut cmd = xdm_at(server, dir);
    cmd.args(["sync", "--max-results", "10", "--archive"])
        .arg(archive);
    cmd
}

/// A sandbox of `events` events from `seed` answering each request after `ms` milliseconds
/// (so a kill lands while pages are being fetched).
async fn paced(seed: u64, events: usize, ms: u64) -> FakeServer {
    FakeServer::builder()
        .seed(seed)
        .events(events)
        .faults(FaultConfig::none().with_base_latency(Duration::from_millis(ms)))
        .start()
        .await
        .unwrap()
}

/// Starts a sync, kills it after `after`, and waits for it to be gone.
async fn sync_killed_after(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
    after: Duration,
) {
    let mut cmd = xdm_process(server, dir);
    cmd.args(["sync", "--max-results", "10", "--archive"])
        .arg(archive)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("xdm starts");
    tokio::time::sleep(after).await;
    let _ = child.kill();
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_run_then_rerun_yields_every_event_once() {
    // ~30 pages at 60 ms each: the kill lands while pages are being fetched.
    let server = paced(5, 300, 60).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("dms.jsonl");
    sync_killed_after(&server, dir.path(), &archive, Duration::from_millis(700)).await;
    let partial = archive_ids(&archive);
    assert!(
        partial.len() < truth_ids(&server).len(),
        "the kill landed before the end"
    );

    // New messages arrive while nothing runs.
    let (conv, other) = one_to_one(&server);
    for i in 0..3 {
        server
            .inject_message(&conv, &other, format!("while you were away #{i}"))
            .unwrap();
    }

    // The rerun finishes the interrupted sync: everything up to where it started...
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    let mut at_kill = truth_ids(&server);
    at_kill.truncate(at_kill.len() - 3);
    assert_eq!(
        archive_ids(&archive),
        at_kill,
        "the archive as of the interrupted sync, oldest first, no duplicates"
    );
    // ...and the next sync brings what arrived in the meantime.
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert_eq!(
        archive_ids(&archive),
        truth_ids(&server),
        "full archive, oldest first, no duplicates"
    );

    // Later: only the new events are appended.
    let before = std::fs::read(&archive).unwrap();
    let id = server.inject_message(&conv, &other, "one more").unwrap();
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    let after = std::fs::read(&archive).unwrap();
    assert!(
        after.starts_with(&before),
        "committed bytes are never rewritten"
    );
    let appended = jsonl(std::str::from_utf8(&after[before.len()..]).unwrap());
    assert_eq!(appended.len(), 1);
    assert_eq!(appended[0]["id"], Value::String(id));
    assert_eq!(appended[0]["text"], "one more");
    assert_eq!(archive_ids(&archive), truth_ids(&server));

    // Nothing new: nothing appended.
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert_eq!(std::fs::read(&archive).unwrap(), after);
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_kills_at_different_moments_never_lose_or_double() {
    let server = paced(9, 200, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    let conv = server
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| c.is_group)
        .unwrap();
    let sender = conv.participants[0].clone();
    for (round, ms) in [150u64, 400, 900, 60].into_iter().enumerate() {
        sync_killed_after(&server, dir.path(), &archive, Duration::from_millis(ms)).await;
        server
            .inject_message(&conv.id, &sender, format!("round {round}"))
            .unwrap();
        let ids = archive_ids(&archive);
        let mut dedup = ids.clone();
        dedup.dedup();
        assert_eq!(ids, dedup, "no duplicates after a kill");
        let truth = truth_ids(&server);
        assert_eq!(
            ids[..],
            truth[..ids.len()],
            "whatever is committed is a prefix of the truth"
        );
    }
    // The first run finishes the interrupted sync, the second brings what came meanwhile.
    for _ in 0..2 {
        let out = run(sync_cmd(&server, dir.path(), &archive)).await;
        ok(&out);
    }
    assert_eq!(archive_ids(&archive), truth_ids(&server));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uncommitted_tail_is_dropped_and_foreign_files_are_refused() {
    let server = FakeServer::builder()
        .seed(3)
        .events(80)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    ok(&run(sync_cmd(&server, dir.path(), &archive)).await);
    let committed = std::fs::read(&archive).unwrap();
    // A run killed after appending but before committing leaves a (maybe partial) tail.
    let mut tail = committed.clone();
    tail.extend_from_slice(b"{\"id\":\"999\",\"event_type\":\"MessageCr");
    std::fs::write(&archive, &tail).unwrap();
    ok(&run(sync_cmd(&server, dir.path(), &archive)).await);
    assert_eq!(
        std::fs::read(&archive).unwrap(),
        committed,
        "the tail is gone, nothing doubled"
    );
    assert_eq!(archive_ids(&archive), truth_ids(&server));

    // A file xdm did not make is never truncated.
    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "my notes\n").unwrap();
    let out = run(sync_cmd(&server, dir.path(), &foreign)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no state file"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "my notes\n");

    // Other lookup options than the archive's: a usage error, nothing written.
    let mut cmd = sync_cmd(&server, dir.path(), &archive);
    cmd.args(["--types", "MessageCreate"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("another lookup"));
    assert_eq!(std::fs::read(&archive).unwrap(), committed);
}

/// Kills syncs (each a little later) until one leaves a walk in progress of at least
/// `pages` recorded pages (lines of `FILE.progress`) with staged records.
async fn leave_a_walk(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
    pages: usize,
) {
    let progress = archive.with_extension("jsonl.progress");
    let staged = archive.with_extension("jsonl.staged");
    for ms in (100u64..3_000).step_by(50) {
        sync_killed_after(server, dir, archive, Duration::from_millis(ms)).await;
        if progress.exists()
            && walk_records(&progress).len() >= pages
            && std::fs::metadata(&staged).is_ok_and(|m| m.len() > 0)
        {
            return;
        }
    }
    panic!("no kill left a walk of {pages} pages in progress");
}

/// The records of `FILE.progress`, a JSON line per page walked.
fn walk_records(progress: &std::path::Path) -> Vec<Value> {
    jsonl(&std::fs::read_to_string(progress).unwrap_or_default())
}

/// Requests for DM events the sandbox has answered so far.
fn requests(server: &FakeServer) -> u64 {
    server.stats().endpoint(dm_fake::Endpoint::GetDmEvents)
}

/// The requests of a whole walk of `server`'s events (a sync into a new archive).
async fn whole_walk(server: &FakeServer, dir: &std::path::Path) -> u64 {
    let before = requests(server);
    let whole = dir.join(format!("whole-{before}.jsonl"));
    ok(&run(sync_cmd(server, dir, &whole)).await);
    requests(server) - before
}

/// 150 new messages in a one-to-one conversation.
fn inject_150(server: &FakeServer, what: &str) {
    let (conv, other) = one_to_one(server);
    for i in 0..150 {
        server
            .inject_message(&conv, &other, format!("{what} {i}"))
            .unwrap();
    }
}

/// Cuts the file at `path` to `len` bytes.
fn cut(path: &std::path::Path, len: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(len).unwrap();
}

/// Runs a sync that drops the walk in progress (warning with `why`) and walks again from
/// the last completed sync, to every event once.
async fn starts_over(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
    why: &str,
) {
    let out = run(sync_cmd(server, dir, archive)).await;
    ok(&out);
    assert!(
        stderr(&out).contains(why) && stderr(&out).contains("starts over"),
        "{}",
        stderr(&out)
    );
    assert_eq!(archive_ids(archive), truth_ids(server));
}

/// Appends `line` to the file at `path`.
fn append_to(path: &std::path::Path, line: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(line).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_a_power_loss_cut_short_goes_on_from_the_last_page_it_kept() {
    let server = paced(12, 150, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let whole = whole_walk(&server, dir.path()).await;
    let archive = dir.path().join("a.jsonl");
    let progress = dir.path().join("a.jsonl.progress");
    let staged = dir.path().join("a.jsonl.staged");

    // The walk's pages are not fsynced: after a power loss `FILE.staged` can hold less than
    // the newest records say. The walk goes on from the newest page it holds whole (three
    // pages at least, so going on costs fewer requests than starting over).
    leave_a_walk(&server, dir.path(), &archive, 3).await;
    let records = walk_records(&progress);
    let kept = records.len() - 1;
    let held = records[kept - 1]["staged_len"].as_u64().unwrap();
    cut(&staged, held + 7);
    let before = requests(&server);
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert!(
        stderr(&out).contains("shorter") && stderr(&out).contains("going on from the last page"),
        "{}",
        stderr(&out)
    );
    assert_eq!(archive_ids(&archive), truth_ids(&server));
    let pages = requests(&server) - before;
    assert!(
        pages <= whole - kept as u64 + 1,
        "{pages} requests after {kept} pages kept; a whole walk is {whole}"
    );
    assert!(
        !progress.exists() && !staged.exists(),
        "the walk's files are gone"
    );

    // A record the power loss cut in the middle (or a kill while it was written): the
    // records before it hold, silently.
    inject_150(&server, "later");
    leave_a_walk(&server, dir.path(), &archive, 1).await;
    append_to(&progress, br#"{"version":2,"base_len":"#);
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert!(stderr(&out).contains("going on with the sync interrupted earlier"));
    assert_eq!(archive_ids(&archive), truth_ids(&server));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_its_files_disagree_on_is_walked_again() {
    let server = paced(14, 150, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    let progress = dir.path().join("a.jsonl.progress");
    let staged = dir.path().join("a.jsonl.staged");

    // A progress file the power loss left empty: the walk starts over.
    leave_a_walk(&server, dir.path(), &archive, 1).await;
    std::fs::write(&progress, b"").unwrap();
    starts_over(&server, dir.path(), &archive, "unreadable").await;

    // Staged pages of the right length but zeros (a file system that grew the file before
    // writing its data): no record agrees with them, and the walk starts over.
    inject_150(&server, "later");
    leave_a_walk(&server, dir.path(), &archive, 1).await;
    let len = std::fs::metadata(&staged).unwrap().len() as usize;
    std::fs::write(&staged, vec![0u8; len]).unwrap();
    starts_over(&server, dir.path(), &archive, "does not hold what").await;

    // Staged records cut short before the first recorded page ends: the same.
    inject_150(&server, "even later");
    leave_a_walk(&server, dir.path(), &archive, 1).await;
    let first = walk_records(&progress)[0]["staged_len"].as_u64().unwrap();
    cut(&staged, first - 1);
    starts_over(&server, dir.path(), &archive, "shorter").await;
    assert!(
        !progress.exists() && !staged.exists(),
        "the walk's files are gone"
    );
}

/// Rewrites the walk in progress beside `archive` as earlier xdm versions kept it: the staged
/// records newest first, one by one (now each page is oldest first). Returns the newest
/// record (its checksum over the rewritten records) and the pages it holds.
fn as_an_earlier_xdm_staged_it(archive: &std::path::Path) -> (Value, u64) {
    let progress = archive.with_extension("jsonl.progress");
    let staged = archive.with_extension("jsonl.staged");
    let records = walk_records(&progress);
    let bytes = std::fs::read(&staged).unwrap();
    let mut legacy = Vec::new();
    let mut start = 0;
    for record in &records {
        let end = record["staged_len"].as_u64().unwrap() as usize;
        let page: Vec<&[u8]> = bytes[start..end]
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        for line in page.into_iter().rev() {
            legacy.extend_from_slice(line);
            legacy.push(b'\n');
        }
        start = end;
    }
    std::fs::write(&staged, &legacy).unwrap();
    let mut newest = records.last().unwrap().clone();
    newest["version"] = 1.into();
    newest["staged_crc"] = crc32fast::hash(&legacy).into();
    (newest, records.len() as u64)
}

/// Runs the sync that goes on with a walk an earlier xdm left: it finishes with every event
/// once, having fetched at most one of the walk's pages again.
async fn goes_on_with_an_earlier_walk(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
    whole: u64,
    pages_kept: u64,
) {
    let before = requests(server);
    let out = run(sync_cmd(server, dir, archive)).await;
    ok(&out);
    assert!(
        stderr(&out).contains("going on with the sync interrupted earlier")
            && !stderr(&out).contains("warning"),
        "{}",
        stderr(&out)
    );
    assert_eq!(archive_ids(archive), truth_ids(server));
    let pages = requests(server) - before;
    assert!(
        pages_kept >= 1 && pages <= whole - pages_kept + 1,
        "{pages} requests after {pages_kept} pages kept; a whole walk is {whole}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_an_earlier_xdm_kept_in_the_state_file_goes_on() {
    let server = paced(13, 150, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let whole = whole_walk(&server, dir.path()).await;
    let archive = dir.path().join("a.jsonl");
    let state = dir.path().join("a.jsonl.state");
    let progress = dir.path().join("a.jsonl.progress");
    leave_a_walk(&server, dir.path(), &archive, 2).await;
    // Version 2 state files as earlier xdm versions wrote them held the walk themselves.
    let (walk, pages_kept) = as_an_earlier_xdm_staged_it(&archive);
    let mut old: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    for key in ["progress", "staged_len", "staged_events"] {
        old[key] = walk[key].clone();
    }
    std::fs::write(&state, serde_json::to_vec_pretty(&old).unwrap()).unwrap();
    std::fs::remove_file(&progress).unwrap();
    goes_on_with_an_earlier_walk(&server, dir.path(), &archive, whole, pages_kept).await;
    let now: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert!(now.get("progress").is_none(), "{now}");
    assert_eq!(now["staged_len"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_in_the_progress_file_of_an_earlier_xdm_goes_on() {
    let server = paced(15, 150, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let whole = whole_walk(&server, dir.path()).await;
    let archive = dir.path().join("a.jsonl");
    let progress = dir.path().join("a.jsonl.progress");
    leave_a_walk(&server, dir.path(), &archive, 2).await;
    // The previous xdm kept one record (version 1, no newline) over newest-first records.
    let (walk, pages_kept) = as_an_earlier_xdm_staged_it(&archive);
    std::fs::write(&progress, serde_json::to_vec(&walk).unwrap()).unwrap();
    goes_on_with_an_earlier_walk(&server, dir.path(), &archive, whole, pages_kept).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_archive_of_every_field_goes_on_without_the_option() {
    // Archives made before the public fields became the default asked for every field.
    let server = FakeServer::builder()
        .seed(14)
        .events(60)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    let mut cmd = sync_cmd(&server, dir.path(), &archive);
    cmd.arg("--all-fields");
    ok(&run(cmd).await);
    let conv = server.dataset().conversations().into_iter().next().unwrap();
    let new = server
        .inject_message(&conv.id, &conv.participants[0], "after the upgrade")
        .unwrap();
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert!(
        stderr(&out).contains("asks for every field"),
        "{}",
        stderr(&out)
    );
    assert_eq!(archive_ids(&archive), truth_ids(&server));
    let last = jsonl(&std::fs::read_to_string(&archive).unwrap())
        .pop()
        .unwrap();
    assert_eq!(last["id"], new.to_string());
    // Other field options than the archive's are still refused.
    let mut cmd = sync_cmd(&server, dir.path(), &archive);
    cmd.args(["--fields", "id,text"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("another lookup"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_sync_into_the_same_archive_is_refused_while_the_first_runs() {
    let server = paced(16, 150, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    let progress = dir.path().join("a.jsonl.progress");
    let mut first = xdm_process(&server, dir.path());
    first
        .args(["sync", "--max-results", "10", "--archive"])
        .arg(&archive)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let first = first.spawn().expect("xdm starts");
    // Under way: a page recorded, more to come (15 pages at 40 ms each).
    for _ in 0..200 {
        if progress.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(progress.exists(), "the first sync recorded a page");
    let second = run(sync_cmd(&server, dir.path(), &archive)).await;
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("another `xdm sync` is running"),
        "{}",
        stderr(&second)
    );
    let first = tokio::task::spawn_blocking(move || first.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        archive_ids(&archive),
        truth_ids(&server),
        "every event once"
    );
    // Once it has finished, the next sync runs (and finds nothing new).
    let before = std::fs::read(&archive).unwrap();
    ok(&run(sync_cmd(&server, dir.path(), &archive)).await);
    assert_eq!(std::fs::read(&archive).unwrap(), before);
}
