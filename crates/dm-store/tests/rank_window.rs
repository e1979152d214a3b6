//! SQLite ranks the newest matches of a frequent word (`SearchQuery::rank_newest`), by event
//! time whatever the order events were stored in, widening the window when the filters leave
//! too few hits; each event keeps its own full-text row when the same event is stored for two
//! accounts; a store written at version 3 has its full-text table rebuilt in time order.

mod common;

use common::data::{batch, includes, msg};
use dm_model::DmEvent;
use dm_store::{Account, SearchQuery, Store};

const AB: &str = "1000-2000";
const AC: &str = "1000-3000";

/// The snowflake id of the `n`th event: one a second from 2022-10-19.
fn snowflake(n: u64) -> u64 {
    1_582_838_499_983_564_806 + n * 1000 * (1 << 22)
}

/// Events 1..=40 saying "apple": the older twenty in a few words (the better bm25), the newer
/// twenty in a long message; events 1..=5 in conversation AC, the others in AB.
fn apples() -> Vec<DmEvent> {
    (1..=40u64)
        .map(|n| {
            let text = if n <= 20 {
                format!("apple {n}")
            } else {
                format!("an apple in a much longer message with many more words, number {n}")
            };
            let conv = if n <= 5 { AC } else { AB };
            msg(snowflake(n), conv, "1000", &text, n as i64)
        })
        .collect()
}

/// The hits' event numbers (ids below a snowflake's are their own number).
async fn ids(store: &Store, account: &Account, q: SearchQuery) -> Vec<u64> {
    store
        .search(account, &q)
        .await
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .iter()
        .map(|h| {
            let id = h.stored.event.id.as_u64();
            (1..=40).find(|n| snowflake(*n) == id).unwrap_or(id)
        })
        .collect()
}

#[tokio::test]
async fn the_newest_matches_are_ranked_and_filters_widen_the_window() {
    let f = common::sqlite().await;
    let account = Account::default();
    // Stored newest first, in pages, as a sync walks back in time: storage order is the
    // reverse of event time.
    let mut events = apples();
    events.reverse();
    for page in events.chunks(7) {
        f.store
            .apply(&account, batch(page, &includes(&[])))
            .await
            .unwrap();
    }
    let q = || SearchQuery::new("apple").limit(5);
    // Every match ranked: the short older messages first (equal ranks: newest first).
    assert_eq!(
        ids(&f.store, &account, q().rank_all()).await,
        [20, 19, 18, 17, 16]
    );
    // Larger window than the matches: the same.
    assert_eq!(ids(&f.store, &account, q()).await, [20, 19, 18, 17, 16]);
    // The newest ten matches ranked: only the long messages 31..=40.
    assert_eq!(
        ids(&f.store, &account, q().rank_newest(10)).await,
        [40, 39, 38, 37, 36]
    );
    // The newest 25: the short messages 16..=20 are among them and rank first.
    assert_eq!(
        ids(&f.store, &account, q().rank_newest(25)).await,
        [20, 19, 18, 17, 16]
    );
    // A filter that leaves too few hits in the window widens it until the page fills (or
    // every match is ranked): conversation AC's five messages are the oldest.
    assert_eq!(
        ids(
            &f.store,
            &account,
            q().rank_newest(3).conversation(AC.parse().unwrap())
        )
        .await,
        [5, 4, 3, 2, 1]
    );
    // A window of 0 means 1.
    assert_eq!(
        ids(&f.store, &account, q().rank_newest(0).limit(1)).await,
        [40]
    );
}

#[tokio::test]
async fn one_event_stored_for_two_accounts_is_found_in_each() {
    let f = common::sqlite().await;
    let (a, b) = (Account::new("a").unwrap(), Account::new("b").unwrap());
    // The same events stored for two accounts, interleaved: each copy has its own full-text
    // row, found from either account.
    let events: Vec<DmEvent> = (1..=10u64)
        .map(|n| msg(n, AB, "1000", &format!("pear number{n}"), n as i64))
        .collect();
    f.store
        .apply(&a, batch(&events[..6], &includes(&[])))
        .await
        .unwrap();
    f.store
        .apply(&b, batch(&events, &includes(&[])))
        .await
        .unwrap();
    f.store
        .apply(&a, batch(&events[6..], &includes(&[])))
        .await
        .unwrap();
    for account in [&a, &b] {
        let mut all = ids(&f.store, account, SearchQuery::new("pear").limit(50)).await;
        all.sort();
        assert_eq!(all, (1..=10).collect::<Vec<_>>(), "{account}");
        for n in 1..=10u64 {
            assert_eq!(
                ids(&f.store, account, SearchQuery::new(format!("number{n}"))).await,
                [n],
                "{account}"
            );
        }
    }
}

#[tokio::test]
async fn a_version_3_store_has_its_full_text_rebuilt_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.sqlite");
    {
        let conn = dm_store::testing::create_sqlite_at_version(&path, 3).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, name, created_ms) VALUES (1, 'a', 0), (2, 'b', 0);",
        )
        .unwrap();
        // Stored newest first; the same event in both accounts. Version 3 keyed the
        // full-text rows by `pk`.
        let seq = |n: u64| (snowflake(n) as i64) ^ i64::MIN;
        let rows = [
            (1, 1, 3, "plum three"),
            (2, 1, 2, "plum two"),
            (3, 2, 2, "plum two"),
            (4, 1, 1, "plum one"),
        ];
        for (pk, account, n, text) in rows {
            let id = snowflake(n).to_string();
            let json = serde_json::json!({"id": id, "event_type": "MessageCreate", "text": text});
            conn.execute(
                "INSERT INTO events (pk, account, id, seq, event_type, text, json, first_seen_ms)
                 VALUES (?1, ?2, ?3, ?4, 'MessageCreate', ?5, ?6, 0)",
                rusqlite::params![pk, account, id, seq(n), text, json.to_string()],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO events_fts (rowid, doc) VALUES (?1, ?2)",
                rusqlite::params![pk, text],
            )
            .unwrap();
        }
    }
    let store = Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let (a, b) = (Account::new("a").unwrap(), Account::new("b").unwrap());
    assert_eq!(ids(&store, &a, SearchQuery::new("three")).await, [3]);
    assert_eq!(ids(&store, &b, SearchQuery::new("two")).await, [2]);
    assert_eq!(
        ids(&store, &b, SearchQuery::new("three")).await,
        Vec::<u64>::new()
    );
    // The newest match of "plum" in account a is event 3, stored first.
    let newest = SearchQuery::new("plum").rank_newest(1).limit(1);
    assert_eq!(ids(&store, &a, newest).await, [3]);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let fts_rows: Vec<i64> = conn
        .prepare("SELECT rowid FROM events_fts ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pks: Vec<i64> = fts_rows.iter().map(|k| k & ((1 << 31) - 1)).collect();
    // Oldest first: event 1 (pk 4), event 2 (pks 2 and 3), event 3 (pk 1).
    assert_eq!(pks, [4, 2, 3, 1], "{fts_rows:?}");
}
