//! Opening stores: migrations (an older store is upgraded, a newer one refused untouched) and
//! everything that is not a store (wrong scheme, foreign or unreadable file, unreachable
//! server) refused with one clear line, nothing written.
//!
//! `tests/data/store-v1.sqlite` is a store as version 1 wrote it; regenerate it with
//! `cargo test -p dm-store --test open -- --ignored regenerate_v1_fixture`.

mod common;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use dm_store::{Account, Error, SearchQuery, Store};
use futures::TryStreamExt;
use serde_json::{Value, json};

const V1_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/store-v1.sqlite");

/// The events the version 1 fixture holds, as received.
fn v1_events() -> Vec<Value> {
    vec![
        json!({"id": "1582838499983564806", "event_type": "MessageCreate",
               "text": "Un café demain ?", "sender_id": "944480690",
               "dm_conversation_id": "944480690-906948460078698496",
               "created_at": "2022-10-19T20:58:00.000Z"}),
        json!({"id": "1582838535115067392", "event_type": "MessageCreate", "text": "Oui ☕",
               "sender_id": "906948460078698496",
               "dm_conversation_id": "944480690-906948460078698496",
               "created_at": "2022-10-19T20:59:00.000Z", "a_future_member": [1, {"x": null}]}),
        json!({"id": "1582835469712138240", "event_type": "ParticipantsJoin",
               "participant_ids": ["944480690"], "sender_id": "17200003",
               "dm_conversation_id": "1578925411102031872",
               "created_at": "2022-10-19T20:46:00.000Z"}),
    ]
}

/// The order key of an id (as version 1 wrote it).
fn seq(id: &str) -> i64 {
    (id.parse::<u64>().unwrap() ^ (1u64 << 63)) as i64
}

#[test]
#[ignore = "regenerates tests/data/store-v1.sqlite"]
fn regenerate_v1_fixture() {
    let path = Path::new(V1_FIXTURE);
    let _ = std::fs::remove_file(path);
    let conn = dm_store::testing::create_sqlite_at_version(path, 1).unwrap();
    conn.execute_batch(
        "INSERT INTO accounts (id, name, created_ms) VALUES (1, 'default', 1666213000000);
         INSERT INTO users (account, id, name, username, json, updated_ms) VALUES
           (1, '944480690', 'API Demos', 'FloodSocial',
            '{\"id\":\"944480690\",\"name\":\"API Demos\",\"username\":\"FloodSocial\"}', 1);
         INSERT INTO cursors (account, name, value, updated_ms) VALUES
           (1, 'sync', '{\"sync_state\":{\"v\":1,\"newest\":\"1582838535115067392\"}}', 1);",
    )
    .unwrap();
    for e in v1_events() {
        let id = e["id"].as_str().unwrap();
        let time_ms = time::OffsetDateTime::parse(
            e["created_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
        .unix_timestamp()
            * 1000;
        conn.execute(
            "INSERT INTO events (account, id, seq, conversation, sender, event_type, time_ms,
                 text, json, posts_spelling, first_seen_ms, source)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 1, 'api')",
            rusqlite::params![
                id,
                seq(id),
                e["dm_conversation_id"].as_str(),
                e["sender_id"].as_str(),
                e["event_type"].as_str(),
                time_ms,
                e["text"].as_str(),
                serde_json::to_string(&e).unwrap(),
            ],
        )
        .unwrap();
    }
    let (a, b, g) = (
        seq("1582838499983564806"),
        seq("1582838535115067392"),
        seq("1582835469712138240"),
    );
    conn.execute_batch(&format!(
        "INSERT INTO conversations VALUES
           (1, '944480690-906948460078698496', 0, {a}, {b}, 1666213080000, 1666213140000, 2, 2,
            {b}, '1582838535115067392'),
           (1, '1578925411102031872', 1, {g}, {g}, 1666212360000, 1666212360000, 1, 0, NULL, NULL);
         INSERT INTO conversation_participants VALUES
           (1, '944480690-906948460078698496', '944480690'),
           (1, '944480690-906948460078698496', '906948460078698496'),
           (1, '1578925411102031872', '17200003'),
           (1, '1578925411102031872', '944480690');
         VACUUM;"
    ))
    .unwrap();
}

fn schema_versions(path: &Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut s = conn
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_version_1_sqlite_store_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    std::fs::copy(V1_FIXTURE, &path).unwrap();
    assert_eq!(schema_versions(&path), [1], "the fixture is at version 1");
    let store = Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(schema_versions(&path), [1, 2, 3, 4]);
    let account = Account::default();
    let stored: Vec<_> = store.export(&account).try_collect().await.unwrap();
    let mut expected = v1_events();
    expected.sort_by_key(|e| e["id"].as_str().unwrap().parse::<u64>().unwrap());
    let got: Vec<Value> = stored
        .iter()
        .map(|s| serde_json::to_value(&s.event).unwrap())
        .collect();
    assert_eq!(got, expected);
    // Step 2 indexed the text stored before it.
    let hits = store
        .search(&account, &SearchQuery::new("cafe"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].stored.includes.users[0].username.as_deref(),
        Some("FloodSocial")
    );
    assert_eq!(
        store
            .search(&account, &SearchQuery::new("☕"))
            .await
            .unwrap()
            .len(),
        1
    );
    let convs = store.conversations(&account).await.unwrap();
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].messages, 2);
    assert_eq!(
        store.cursor(&account, "sync").await.unwrap(),
        Some(json!({"sync_state": {"v": 1, "newest": "1582838535115067392"}}))
    );
    // And it takes new batches.
    let e: dm_model::DmEvent = serde_json::from_value(json!({"id": "1582838600000000000",
        "event_type": "MessageCreate", "text": "à demain", "sender_id": "944480690",
        "dm_conversation_id": "944480690-906948460078698496"}))
    .unwrap();
    let mut b = dm_store::Batch::new();
    b.event(&e).unwrap();
    assert_eq!(store.apply(&account, b).await.unwrap().new_events, 1);
    assert_eq!(
        store
            .search(&account, &SearchQuery::new("a demain"))
            .await
            .unwrap()
            .len(),
        1
    );
    // Opening again changes nothing.
    drop(store);
    Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(schema_versions(&path), [1, 2, 3, 4]);
}

/// The file's bytes and modification time.
fn snapshot(path: &Path) -> (Vec<u8>, SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

#[tokio::test]
async fn a_newer_sqlite_store_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    let url = format!("sqlite:{}", path.display());
    drop(Store::open(&url).await.unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO schema_migrations VALUES (99, 'from the future', 0);
             PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;",
        )
        .unwrap();
    }
    let before = snapshot(&path);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let e = Store::open(&url).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::NewerSchema {
                found: 99,
                supported: dm_store::schema::VERSION,
                ..
            }
        ),
        "{e}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("newer xdm") && msg.contains("version 99") && !msg.contains('\n'),
        "{msg}"
    );
    assert!(snapshot(&path) == before, "the file was changed");
    assert_eq!(schema_versions(&path), [1, 2, 3, 4, 99]);
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// Opens `url`, expecting an error; checks it is one line.
async fn refused(url: &str) -> Error {
    let e = Store::open(url).await.expect_err(url);
    assert!(!e.to_string().contains('\n'), "{e}");
    e
}

#[tokio::test]
async fn what_is_not_a_store_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    // Not SQLite at all.
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "these are my notes, not a database\n").unwrap();
    let before = snapshot(&text);
    let e = refused(&sqlite_url(&text)).await;
    assert!(matches!(e, Error::NotADatabase { .. }), "{e}");
    assert_eq!(snapshot(&text), before);
    // SQLite, but another application's.
    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x');")
            .unwrap();
    }
    let before = snapshot(&other);
    let e = refused(&other.display().to_string()).await;
    assert!(matches!(e, Error::ForeignDatabase { .. }), "{e}");
    assert!(e.to_string().contains("notes"), "{e}");
    assert_eq!(snapshot(&other), before);
    // A directory, a missing directory.
    let e = refused(&sqlite_url(dir.path())).await;
    assert!(matches!(e, Error::Open { .. }), "{e}");
    let missing = dir.path().join("no/such/dir/dms.sqlite");
    let e = refused(&sqlite_url(&missing)).await;
    assert!(matches!(e, Error::Open { .. }), "{e}");
    assert!(!dir.path().join("no").exists());
    // Wrong schemes and forms.
    for url in ["mysql://h/db", "dms.json", "sqlite:", "sqlite::memory:", ""] {
        let e = refused(url).await;
        assert!(matches!(e, Error::InvalidUrl { .. }), "{url}: {e}");
    }
    // An empty file and a new path become stores.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    Store::open(&sqlite_url(&empty)).await.unwrap();
    let plain: PathBuf = dir.path().join("plain.db");
    let store = Store::open(&plain.display().to_string()).await.unwrap();
    assert_eq!(store.backend(), dm_store::BackendKind::Sqlite);
    assert_eq!(
        store.lock_file(&Account::default()),
        Some(dir.path().join("plain.db-default.lock"))
    );
}

#[tokio::test]
async fn an_unreachable_postgres_is_one_clear_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://me:s3cret@127.0.0.1:{port}/dms?connect_timeout=5");
    let e = refused(&url).await;
    assert!(matches!(e, Error::Connect { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.starts_with("cannot connect to PostgreSQL at postgres://me:***@127.0.0.1:"),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "{msg}");
}

async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// Every table of the database with its row count, and the migrations recorded.
async fn pg_snapshot(client: &tokio_postgres::Client) -> Vec<String> {
    let mut out = Vec::new();
    for row in client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'
             ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
    {
        let table: String = row.get(0);
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        out.push(format!("{table}: {n}"));
    }
    for row in client
        .query(
            "SELECT version, name FROM xdm_schema_migrations ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
    {
        out.push(format!(
            "migration {} {}",
            row.get::<_, i64>(0),
            row.get::<_, String>(1)
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_upgrade_old_and_refuse_newer() {
    let Some(cluster) = common::pg::cluster() else {
        common::pg::skipped(
            "postgres_migrations_upgrade_old_and_refuse_newer",
            "PostgreSQL is not installed",
        );
        return;
    };
    // A version 1 store with events is upgraded; its text becomes searchable.
    let url = cluster.fresh_db().await;
    dm_store::testing::create_postgres_at_version(&url, 1)
        .await
        .unwrap();
    let client = pg_client(&url).await;
    client
        .batch_execute(
            "INSERT INTO xdm_accounts (name) VALUES ('default');
             CREATE TABLE other_app (x int); INSERT INTO other_app VALUES (1);",
        )
        .await
        .unwrap();
    for e in v1_events() {
        let id = e["id"].as_str().unwrap();
        client
            .execute(
                "INSERT INTO xdm_events (account, id, seq, conversation, sender, event_type, text,
                     json, first_seen_ms) VALUES (1, $1, $2, $3, $4, $5, $6, $7, 1)",
                &[
                    &id,
                    &seq(id),
                    &e["dm_conversation_id"].as_str(),
                    &e["sender_id"].as_str(),
                    &e["event_type"].as_str(),
                    &e["text"].as_str(),
                    &serde_json::to_string(&e).unwrap(),
                ],
            )
            .await
            .unwrap();
    }
    let store = Store::open(&url).await.unwrap();
    let account = Account::default();
    assert_eq!(
        store
            .search(&account, &SearchQuery::new("CAFÉ"))
            .await
            .unwrap()
            .len(),
        1
    );
    let stored: Vec<_> = store.export(&account).try_collect().await.unwrap();
    assert_eq!(stored.len(), 3);
    let snap = pg_snapshot(&client).await;
    assert!(
        snap.contains(&"migration 2 full-text search and read indexes".to_owned()),
        "{snap:?}"
    );
    assert!(
        snap.contains(&"other_app: 1".to_owned()),
        "another application's table is left alone"
    );
    // A newer store is refused and nothing changes.
    client
        .execute(
            "INSERT INTO xdm_schema_migrations (version, name) VALUES (99, 'from the future')",
            &[],
        )
        .await
        .unwrap();
    let before = pg_snapshot(&client).await;
    let e = refused(&url).await;
    assert!(matches!(e, Error::NewerSchema { found: 99, .. }), "{e}");
    assert_eq!(pg_snapshot(&client).await, before);
}
