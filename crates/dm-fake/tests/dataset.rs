//! Dataset generation, determinism, JSON load/export, size.

mod common;

use dm_fake::{Dataset, DatasetConfig, FakeServer, LoadError, Scope};
use serde_json::Value;

#[test]
fn same_seed_same_dataset_other_seed_other_dataset() {
    let a = Dataset::generate(&DatasetConfig::new(1, 500)).to_json();
    let b = Dataset::generate(&DatasetConfig::new(1, 500)).to_json();
    let c = Dataset::generate(&DatasetConfig::new(2, 500)).to_json();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn generated_data_has_the_variety_the_reference_describes() {
    let ds = Dataset::generate(&DatasetConfig::new(4, 3_000));
    let j = ds.to_json();
    let events = j["events"].as_array().unwrap();
    assert_eq!(events.len(), 3_000);
    let count = |f: &dyn Fn(&Value) -> bool| events.iter().filter(|e| f(e)).count();
    assert!(count(&|e| e["event_type"] == "ParticipantsJoin") > 0);
    assert!(count(&|e| e["event_type"] == "ParticipantsLeave") > 0);
    assert!(count(&|e| e.get("attachments").is_some()) > 100);
    assert!(count(&|e| e.get("referenced_tweets").is_some()) > 100);
    let text = |f: &dyn Fn(&str) -> bool| count(&|e| e["text"].as_str().is_some_and(f));
    assert!(
        text(&|t| t.contains('\n')) > 0
            && text(&|t| t.contains('"')) > 0
            && text(&|t| t.contains("https://")) > 0
    );
    assert!(
        text(&|t| t.chars().any(|c| c as u32 > 0x1F000)) > 0,
        "emoji"
    );
    assert!(
        text(&|t| t.chars().any(|c| ('\u{3040}'..'\u{30ff}').contains(&c))) > 0,
        "CJK"
    );
    assert!(!j["unavailable_tweets"].as_array().unwrap().is_empty());
    // Joins carry an inviter; 1-1 ids are {low}-{high}.
    for e in events {
        if e["event_type"] == "ParticipantsJoin" {
            assert!(e["sender_id"].is_string());
        }
        let c = e["dm_conversation_id"].as_str().unwrap();
        if let Some((a, b)) = c.split_once('-') {
            assert!(a.parse::<u64>().unwrap() < b.parse::<u64>().unwrap());
        }
        dm_model::decode::<dm_model::DmEvent>(e.to_string().as_bytes()).unwrap();
    }
    // created_at spread over the history window, newest first.
    let first = events.first().unwrap()["created_at"].as_str().unwrap();
    let last = events.last().unwrap()["created_at"].as_str().unwrap();
    assert!(
        first.starts_with("2026-10-3") && last.starts_with("2026-09-30"),
        "{first} {last}"
    );
}

#[tokio::test]
async fn export_load_round_trip_serves_the_same_pages() {
    let ds = Dataset::generate(&DatasetConfig::new(8, 400));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ds.json");
    std::fs::write(&path, serde_json::to_vec(&ds.to_json()).unwrap()).unwrap();
    let loaded = Dataset::load(&path).unwrap();
    first_difference(&loaded.to_json(), &ds.to_json(), "$");
    let a = FakeServer::builder().dataset(ds).start().await.unwrap();
    let b = FakeServer::builder()
        .dataset_file(&path)
        .unwrap()
        .start()
        .await
        .unwrap();
    let q = "max_results=30&expansions=sender_id,attachments.media_keys,referenced_tweets.id&dm_event.fields=created_at,entities";
    let pa = common::all_pages(a.base_url(), "/2/dm_events", q, a.token()).await;
    let pb = common::all_pages(b.base_url(), "/2/dm_events", q, b.token()).await;
    assert_eq!(pa, pb);
    assert_eq!(
        a.dataset().event_ids(&Scope::All),
        b.dataset().event_ids(&Scope::All)
    );
}

fn first_difference(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<&String> = x.keys().collect();
            let ky: Vec<&String> = y.keys().collect();
            assert_eq!(kx, ky, "keys at {path}");
            for (k, v) in x {
                first_difference(v, &y[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "length at {path}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                first_difference(v, w, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "at {path}"),
    }
}

#[test]
fn bad_dataset_files_are_typed_errors_naming_the_location() {
    match Dataset::from_json(b"{\"me\": ") {
        Err(LoadError::Json { path, .. }) => assert!(path.contains("line 1")),
        other => panic!("{other:?}"),
    }
    match Dataset::from_json(br#"{"me":"1","users":[],"events":[{"id":"x1","event_type":"MessageCreate","dm_conversation_id":"1-2"}]}"#) {
        Err(LoadError::Invalid { path, .. }) => assert_eq!(path, "events[0].id"),
        other => panic!("{other:?}"),
    }
    match Dataset::from_json(
        br#"{"me":"1","events":[{"id":"5","event_type":"Nope","dm_conversation_id":"1-2"}]}"#,
    ) {
        Err(LoadError::Invalid { path, .. }) => assert_eq!(path, "events[0].event_type"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Dataset::load("/nonexistent/ds.json"),
        Err(LoadError::Io(_))
    ));
    let ok = Dataset::from_json(br#"{"me":"10","events":[{"id":"1585800613253812228","event_type":"MessageCreate","text":"Testing 1","sender_id":"10","dm_conversation_id":"10-20"}]}"#).unwrap();
    assert_eq!(ok.len(), 1);
}

/// 1 M events build in about a second (even unoptimised) and take ~53 bytes each
/// (`--nocapture` prints the numbers).
#[test]
fn one_million_events_are_compact() {
    let start = std::time::Instant::now();
    let ds = Dataset::generate(&DatasetConfig::new(1, 1_000_000));
    let took = start.elapsed();
    let bytes = ds.approx_bytes();
    println!(
        "1M events: built in {took:?}, ~{} bytes ({} bytes/event)",
        bytes,
        bytes / ds.len()
    );
    assert_eq!(ds.len(), 1_000_000);
    assert!(
        bytes / ds.len() < 100,
        "{} bytes per event",
        bytes / ds.len()
    );
    assert!(bytes < 1 << 30);
}
