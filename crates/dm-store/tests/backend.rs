//! The backend suite: every test body runs against SQLite and PostgreSQL (see
//! `both_backends!`): lossless round trip, exactly-once, cursors, conversations, paging,
//! objects, accounts.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::Fixture;
use common::data::{self, at, batch, includes, join, msg, user};
use dm_model::{DmConversationId, DmEvent, Includes};
use dm_store::{Account, Applied, Batch, Error, Page, StoredEvent};
use futures::TryStreamExt;
use serde_json::{Value, json};

both_backends!(
    every_recorded_and_reference_event_reads_back_losslessly,
    batches_are_applied_exactly_once,
    interleaved_overlapping_batches_store_each_event_once,
    the_cursor_is_committed_with_its_events,
    conversations_are_derived_from_the_events,
    conversation_events_page_oldest_first,
    objects_are_upserted_and_the_latest_wins,
    accounts_are_separate,
    unknown_accounts_are_reported,
    posts_keep_the_spelling_received,
    text_with_nul_and_odd_characters_is_stored,
    a_second_writer_waits_for_the_lease,
    realtime_events_give_way_to_the_api,
);

const ALICE: &str = "1000";
const BOB: &str = "2000";
const CAROL: &str = "3000";
const AB: &str = "1000-2000";
const GROUP: &str = "1500000000000000000";

fn acc(name: &str) -> Account {
    Account::new(name).unwrap()
}

async fn export(f: &Fixture, account: &Account) -> Vec<StoredEvent> {
    f.store.export(account).try_collect().await.expect("export")
}

async fn apply(f: &Fixture, account: &Account, b: Batch) -> Applied {
    let mut w = f
        .store
        .writer(account, Duration::from_secs(10))
        .await
        .expect("writer");
    w.apply(b).await.expect("apply")
}

/// The includes the CLI's JSONL record carries for `event` from its page's `includes`: the
/// sender then the participants (each once), its Posts (under the page's spelling), its media.
fn expected_includes(event: &DmEvent, page: &Includes) -> Value {
    let mut users: Vec<Value> = Vec::new();
    let mut seen = BTreeSet::new();
    for u in page
        .sender_of(event)
        .into_iter()
        .chain(page.participants_of(event))
    {
        if seen.insert(u.id.clone()) {
            users.push(serde_json::to_value(u).unwrap());
        }
    }
    let tweets: Vec<Value> = page
        .tweets_of(event)
        .map(|t| serde_json::to_value(t).unwrap())
        .collect();
    let media: Vec<Value> = page
        .media_of(event)
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    let mut o = serde_json::Map::new();
    if !users.is_empty() {
        o.insert("users".into(), Value::Array(users));
    }
    if !tweets.is_empty() {
        let key = if page.tweets_as_posts() {
            "posts"
        } else {
            "tweets"
        };
        o.insert(key.into(), Value::Array(tweets));
    }
    if !media.is_empty() {
        o.insert("media".into(), Value::Array(media));
    }
    Value::Object(o)
}

async fn every_recorded_and_reference_event_reads_back_losslessly(f: Fixture) {
    let corpus = data::lossless_corpus();
    assert!(corpus.len() >= 12, "{} pages", corpus.len());
    let mut total = 0;
    for (i, (name, json)) in corpus.iter().enumerate() {
        let account = acc(&format!("corpus{i}"));
        let page = data::page(json);
        let applied = apply(&f, &account, batch(&page.data, &page.includes)).await;
        // Pages may repeat an event; each is stored once.
        let unique: BTreeSet<_> = page.data.iter().map(|e| e.id.clone()).collect();
        assert_eq!(applied.new_events as usize, unique.len(), "{name}");
        let stored = export(&f, &account).await;
        assert_eq!(stored.len(), unique.len(), "{name}");
        for s in &stored {
            let original = json["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["id"] == s.event.id.as_str())
                .unwrap();
            assert_eq!(
                &serde_json::to_value(&s.event).unwrap(),
                original,
                "{name}: event {}",
                s.event.id
            );
            let source = page.data.iter().find(|e| e.id == s.event.id).unwrap();
            assert_eq!(
                serde_json::to_value(&s.includes).unwrap(),
                expected_includes(source, &page.includes),
                "{name}: includes of {}",
                s.event.id
            );
            // The CLI's JSONL record of the stored event is the record of the event as
            // fetched (what `xdm export` must write, byte for byte, as `xdm events` does).
            assert_eq!(
                dm_model::record::record_value(&s.event, &s.includes),
                dm_model::record::record_value(source, &page.includes),
                "{name}: record of {}",
                s.event.id
            );
            total += 1;
        }
    }
    assert!(total >= 20, "{total} events checked");
}

fn two_conversations() -> (Vec<DmEvent>, Includes) {
    let events = vec![
        msg(11, AB, ALICE, "hello bob", 1),
        msg(12, AB, BOB, "hi alice", 2),
        join(13, GROUP, ALICE, &[BOB, CAROL], 3),
        msg(14, GROUP, CAROL, "hi all", 4),
        msg(15, AB, ALICE, "lunch?", 5),
    ];
    let inc = includes(&[
        user(ALICE, "Alice", "alice"),
        user(BOB, "Bob", "bob"),
        user(CAROL, "Carol", "carol"),
    ]);
    (events, inc)
}

async fn batches_are_applied_exactly_once(f: Fixture) {
    let account = Account::default();
    let (events, inc) = two_conversations();
    let b = batch(&events, &inc);
    let first = apply(&f, &account, b.clone()).await;
    assert_eq!((first.new_events, first.existing_events), (5, 0));
    assert_eq!(first.objects_written, 3);
    let again = apply(&f, &account, b).await;
    assert_eq!(
        (
            again.new_events,
            again.existing_events,
            again.objects_written
        ),
        (0, 5, 0)
    );
    // An event repeated within one batch counts once.
    let dup = batch(
        &[
            events[0].clone(),
            events[0].clone(),
            msg(16, AB, BOB, "new", 6),
        ],
        &inc,
    );
    let d = apply(&f, &account, dup).await;
    assert_eq!((d.new_events, d.existing_events), (1, 2));
    let stored = export(&f, &account).await;
    let ids: Vec<&str> = stored.iter().map(|s| s.event.id.as_str()).collect();
    assert_eq!(ids, ["11", "12", "13", "14", "15", "16"]);
    let convs = f.store.conversations(&account).await.unwrap();
    let ab = convs.iter().find(|c| c.id.as_str() == AB).unwrap();
    assert_eq!((ab.events, ab.messages), (4, 4));
    let accounts = f.store.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        (accounts[0].account.as_str(), accounts[0].events),
        ("default", 6)
    );
}

async fn interleaved_overlapping_batches_store_each_event_once(f: Fixture) {
    let account = Account::default();
    let inc = includes(&[user(ALICE, "Alice", "alice"), user(BOB, "Bob", "bob")]);
    let all: Vec<DmEvent> = (0..60)
        .map(|i| {
            msg(
                100 + i,
                AB,
                if i % 2 == 0 { ALICE } else { BOB },
                &format!("message {i}"),
                i as i64,
            )
        })
        .collect();
    // Overlapping windows, applied out of order and twice, from several concurrent tasks
    // taking turns on the writer lease.
    let windows: Vec<Batch> = (0..6)
        .map(|w| batch(&all[w * 10..(w * 10 + 20).min(60)], &inc))
        .collect();
    let mut tasks = Vec::new();
    for (t, order) in [[5, 0, 3, 1, 4, 2], [2, 4, 1, 3, 0, 5], [0, 1, 2, 3, 4, 5]]
        .into_iter()
        .enumerate()
    {
        let store = f.store.clone();
        let account = account.clone();
        let windows: Vec<Batch> = order.iter().map(|&i| windows[i].clone()).collect();
        tasks.push(tokio::spawn(async move {
            let mut new = 0;
            for b in windows {
                let mut w = store
                    .writer(&account, Duration::from_secs(30))
                    .await
                    .unwrap();
                new += w.apply(b).await.unwrap().new_events;
                drop(w);
                tokio::task::yield_now().await;
            }
            (t, new)
        }));
    }
    let mut new_total = 0;
    for t in tasks {
        new_total += t.await.unwrap().1;
    }
    assert_eq!(
        new_total, 60,
        "each event is new exactly once across all tasks"
    );
    let stored = export(&f, &account).await;
    let ids: Vec<u64> = stored.iter().map(|s| s.event.id.as_u64()).collect();
    assert_eq!(ids, (100..160).collect::<Vec<_>>());
    let convs = f.store.conversations(&account).await.unwrap();
    assert_eq!(convs.len(), 1);
    assert_eq!((convs[0].events, convs[0].messages), (60, 60));
    assert_eq!(
        convs[0].last_message.as_ref().unwrap().event.id.as_str(),
        "159"
    );
    let hits = f
        .store
        .search(&account, &dm_store::SearchQuery::new("message").limit(1000))
        .await
        .unwrap();
    assert_eq!(hits.len(), 60);
}

async fn the_cursor_is_committed_with_its_events(f: Fixture) {
    let account = Account::default();
    assert_eq!(f.store.cursor(&account, "sync").await.unwrap(), None);
    let state =
        json!({"sync_state": {"v": 1, "newest": "12"}, "walk_checkpoint": null, "ünïcode": "✓"});
    let mut b = batch(
        &[msg(11, AB, ALICE, "a", 1), msg(12, AB, BOB, "b", 2)],
        &Includes::default(),
    );
    b.cursor("sync", &state).unwrap();
    let applied = apply(&f, &account, b).await;
    assert!(applied.cursor_saved);
    assert_eq!(
        f.store.cursor(&account, "sync").await.unwrap(),
        Some(state.clone())
    );
    assert_eq!(f.store.cursor(&account, "other").await.unwrap(), None);
    // A later batch replaces it; a batch of only a cursor is fine too.
    let mut only = Batch::new();
    only.cursor("sync", &json!({"newest": "99"})).unwrap();
    apply(&f, &account, only).await;
    assert_eq!(
        f.store.cursor(&account, "sync").await.unwrap(),
        Some(json!({"newest": "99"}))
    );
    // Another handle (another process) sees it.
    let other = f.reopen().await;
    assert_eq!(
        other.cursor(&account, "sync").await.unwrap(),
        Some(json!({"newest": "99"}))
    );
    // The writer reads it on its own connection, under the lease.
    let w = other
        .writer(&account, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        w.cursor("sync").await.unwrap(),
        Some(json!({"newest": "99"}))
    );
    assert_eq!(w.cursor("none").await.unwrap(), None);
}

async fn conversations_are_derived_from_the_events(f: Fixture) {
    let account = Account::default();
    let (events, inc) = two_conversations();
    // Bob is only known by id at first; a leave event without sender adds Dave.
    let inc_without_bob = includes(&[user(ALICE, "Alice", "alice"), user(CAROL, "Carol", "carol")]);
    apply(&f, &account, batch(&events, &inc_without_bob)).await;
    let leave = data::event(json!({"id": "17", "event_type": "ParticipantsLeave",
        "participant_ids": ["4000"], "dm_conversation_id": GROUP, "created_at": at(7)}));
    apply(&f, &account, batch(&[leave], &Includes::default())).await;
    let convs = f.store.conversations(&account).await.unwrap();
    let ids: Vec<&str> = convs.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [GROUP, AB], "most recent first");
    let group = &convs[0];
    let people: Vec<(&str, Option<&str>)> = group
        .participants
        .iter()
        .map(|p| (p.id.as_str(), p.username()))
        .collect();
    assert_eq!(
        people,
        [
            (ALICE, Some("alice")),
            (BOB, None),
            (CAROL, Some("carol")),
            ("4000", None)
        ]
    );
    assert_eq!((group.events, group.messages), (3, 1));
    assert_eq!(group.first_at.as_ref().map(|t| t.to_string()), Some(at(3)));
    assert_eq!(group.last_at.as_ref().map(|t| t.to_string()), Some(at(7)));
    let last = group.last_message.as_ref().unwrap();
    assert_eq!(last.event.text.as_deref(), Some("hi all"));
    assert_eq!(last.includes.users[0].name.as_deref(), Some("Carol"));
    let ab = &convs[1];
    let people: Vec<&str> = ab.participants.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(people, [ALICE, BOB], "from the one-to-one id");
    assert_eq!((ab.events, ab.messages), (3, 3));
    assert_eq!(
        ab.last_message.as_ref().unwrap().event.text.as_deref(),
        Some("lunch?")
    );
    assert_eq!(ab.first_at.as_ref().map(|t| t.to_string()), Some(at(1)));
    // Bob's user arrives later: the participant gets his name.
    apply(&f, &account, batch(&[msg(18, AB, BOB, "yes", 8)], &inc)).await;
    let convs = f.store.conversations(&account).await.unwrap();
    assert_eq!(convs[0].id.as_str(), AB);
    assert_eq!(convs[0].participants[1].name(), Some("Bob"));
    assert_eq!(convs[0].messages, 4);
    // Older events arriving later do not move the last message.
    apply(
        &f,
        &account,
        batch(&[msg(9, AB, ALICE, "ancient", -100)], &inc),
    )
    .await;
    let convs = f.store.conversations(&account).await.unwrap();
    assert_eq!(
        convs[0]
            .last_message
            .as_ref()
            .unwrap()
            .event
            .text
            .as_deref(),
        Some("yes")
    );
    assert_eq!(
        convs[0].first_at.as_ref().map(|t| t.to_string()),
        Some(at(-100))
    );
}

async fn conversation_events_page_oldest_first(f: Fixture) {
    let account = Account::default();
    let inc = includes(&[user(ALICE, "Alice", "alice"), user(BOB, "Bob", "bob")]);
    // Ids of different lengths: ordered numerically, not as strings.
    let ids: [u64; 10] = [
        9,
        10,
        99,
        100,
        1000,
        5000,
        123456,
        9999999,
        1582838499983564806,
        9223372036854775807, // the largest snowflake (ids from 2^63 up are the archive's made ids)
    ];
    let events: Vec<DmEvent> = ids
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &id)| {
            msg(
                id,
                AB,
                if i % 2 == 0 { ALICE } else { BOB },
                &format!("m{id}"),
                i as i64,
            )
        })
        .collect();
    apply(&f, &account, batch(&events, &inc)).await;
    apply(
        &f,
        &account,
        batch(&[msg(7, "1000-3000", ALICE, "elsewhere", 0)], &inc),
    )
    .await;
    let conv: DmConversationId = AB.parse().unwrap();
    let mut page = Page::first(3);
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let p = f
            .store
            .conversation_events(&account, &conv, &page)
            .await
            .unwrap();
        pages += 1;
        for s in &p.events {
            assert_eq!(s.includes.users.len(), 1, "its sender");
            assert_eq!(s.includes.users[0].id, s.event.sender_id);
            seen.push(s.event.id.as_u64());
        }
        match p.next {
            Some(next) => page = next,
            None => break,
        }
        assert!(pages < 10);
    }
    assert_eq!(seen, ids.to_vec());
    assert_eq!(pages, 4, "3 + 3 + 3 + 1");
    let empty = f
        .store
        .conversation_events(&account, &"5-6".parse().unwrap(), &Page::first(10))
        .await
        .unwrap();
    assert!(empty.events.is_empty() && empty.next.is_none());
}

async fn objects_are_upserted_and_the_latest_wins(f: Fixture) {
    let account = Account::default();
    let mut renamed = user(ALICE, "Alice Liddell", "alice_l");
    renamed.extra.insert("profile_theme".into(), json!("dark"));
    apply(
        &f,
        &account,
        batch(
            &[msg(11, AB, ALICE, "one", 1)],
            &includes(&[user(ALICE, "Alice", "alice")]),
        ),
    )
    .await;
    let a = apply(
        &f,
        &account,
        batch(
            &[msg(12, AB, ALICE, "two", 2)],
            &includes(&[renamed.clone()]),
        ),
    )
    .await;
    assert_eq!(a.objects_written, 1);
    let same = apply(
        &f,
        &account,
        batch(
            &[msg(12, AB, ALICE, "two", 2)],
            &includes(&[renamed.clone()]),
        ),
    )
    .await;
    assert_eq!(
        same.objects_written, 0,
        "an unchanged object is not rewritten"
    );
    let stored = export(&f, &account).await;
    for s in &stored {
        assert_eq!(
            s.includes.users,
            vec![renamed.clone()],
            "both events show the latest user"
        );
    }
    assert_eq!(
        f.store.find_user(&account, "@ALICE_L").await.unwrap(),
        Some(renamed)
    );
    assert_eq!(f.store.find_user(&account, "alice").await.unwrap(), None);
    // Media and Posts: upserted by key, returned with the events that reference them.
    let page = data::page(&json!({
        "data": [{"id": "20", "event_type": "MessageCreate", "text": "look", "sender_id": ALICE,
                  "dm_conversation_id": AB, "attachments": {"media_keys": ["3_1"]},
                  "referenced_tweets": [{"id": "55"}]}],
        "includes": {"media": [{"media_key": "3_1", "type": "photo", "url": "https://x/1.jpg"}],
                     "tweets": [{"id": "55", "text": "a post"}]}
    }));
    apply(&f, &account, batch(&page.data, &page.includes)).await;
    let newer = data::page(&json!({
        "data": [],
        "includes": {"media": [{"media_key": "3_1", "type": "photo", "url": "https://x/2.jpg"}],
                     "tweets": [{"id": "55", "text": "an edited post"}]}
    }));
    let mut b = Batch::new();
    b.includes(&newer.includes).unwrap();
    assert_eq!(apply(&f, &account, b).await.objects_written, 2);
    let stored = export(&f, &account).await;
    let s = stored.iter().find(|s| s.event.id.as_str() == "20").unwrap();
    assert_eq!(s.includes.media[0].url.as_deref(), Some("https://x/2.jpg"));
    assert_eq!(s.includes.tweets[0].text.as_deref(), Some("an edited post"));
}

async fn accounts_are_separate(f: Fixture) {
    let (work, home) = (acc("work"), acc("home"));
    apply(
        &f,
        &work,
        batch(
            &[msg(11, AB, ALICE, "work thing", 1)],
            &includes(&[user(ALICE, "Alice", "alice")]),
        ),
    )
    .await;
    // The same event id in another account is another event, with its own objects.
    apply(
        &f,
        &home,
        batch(
            &[msg(11, AB, ALICE, "home thing", 1)],
            &includes(&[user(ALICE, "Ally", "ally")]),
        ),
    )
    .await;
    let w = export(&f, &work).await;
    let h = export(&f, &home).await;
    assert_eq!(w[0].event.text.as_deref(), Some("work thing"));
    assert_eq!(h[0].event.text.as_deref(), Some("home thing"));
    assert_eq!(h[0].includes.users[0].username.as_deref(), Some("ally"));
    let hits = f
        .store
        .search(&work, &dm_store::SearchQuery::new("thing"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].stored.event.text.as_deref(), Some("work thing"));
    // Leases are per account: both held at once.
    let w1 = f.store.writer(&work, Duration::ZERO).await.unwrap();
    let w2 = f.store.writer(&home, Duration::ZERO).await.unwrap();
    drop((w1, w2));
    let names: Vec<String> = f
        .store
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.account.to_string())
        .collect();
    assert_eq!(names, ["home", "work"]);
}

async fn unknown_accounts_are_reported(f: Fixture) {
    apply(
        &f,
        &acc("work"),
        batch(&[msg(11, AB, ALICE, "x", 1)], &Includes::default()),
    )
    .await;
    let nobody = acc("nobody");
    let e = f.store.conversations(&nobody).await.unwrap_err();
    assert!(matches!(e, Error::UnknownAccount { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "no account `nobody` in this store (accounts: work)"
    );
    assert!(
        f.store
            .search(&nobody, &dm_store::SearchQuery::new("x"))
            .await
            .is_err()
    );
    let first = f
        .store
        .export(&nobody)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(first, Error::UnknownAccount { .. }));
    assert_eq!(f.store.cursor(&nobody, "sync").await.unwrap(), None);
}

async fn posts_keep_the_spelling_received(f: Fixture) {
    let account = Account::default();
    for (key, id) in [("posts", "31"), ("tweets", "32")] {
        let page = data::page(&json!({
            "data": [{"id": id, "event_type": "MessageCreate", "text": "see", "sender_id": ALICE,
                      "dm_conversation_id": AB, "referenced_posts": [{"id": "77"}]}],
            "includes": {key: [{"id": "77", "text": "the post"}]}
        }));
        apply(&f, &account, batch(&page.data, &page.includes)).await;
    }
    let stored = export(&f, &account).await;
    let json: Vec<Value> = stored
        .iter()
        .map(|s| serde_json::to_value(&s.includes).unwrap())
        .collect();
    // Posts read back under the spelling of the includes they came in.
    assert_eq!(
        json[0],
        json!({"posts": [{"id": "77", "text": "the post"}]})
    );
    assert_eq!(
        json[1],
        json!({"tweets": [{"id": "77", "text": "the post"}]})
    );
    assert!(stored[0].includes.tweets_as_posts());
    let plain = data::page(&json!({
        "data": [{"id": "33", "event_type": "MessageCreate", "text": "see", "sender_id": ALICE,
                  "dm_conversation_id": AB, "referenced_tweets": [{"id": "77"}]}],
        "includes": {"tweets": [{"id": "77", "text": "the post"}]}
    }));
    apply(&f, &account, batch(&plain.data, &plain.includes)).await;
    let stored = export(&f, &account).await;
    assert_eq!(
        serde_json::to_value(&stored[2].includes).unwrap(),
        json!({"tweets": [{"id": "77", "text": "the post"}]})
    );
}

async fn text_with_nul_and_odd_characters_is_stored(f: Fixture) {
    let account = Account::default();
    let odd = "nul:\u{0}: rtl:\u{202e}abc zwj:👩\u{200d}💻 surrogate-free 𝔘𝔫𝔦 \\ ' \" %_ ; DROP TABLE events; --";
    let e = msg(11, AB, ALICE, odd, 1);
    let u = user(ALICE, "A\u{0}lice", "alice");
    apply(
        &f,
        &account,
        batch(
            std::slice::from_ref(&e),
            &includes(std::slice::from_ref(&u)),
        ),
    )
    .await;
    let stored = export(&f, &account).await;
    assert_eq!(stored[0].event, e);
    assert_eq!(stored[0].includes.users, vec![u]);
    let hits = f
        .store
        .search(&account, &dm_store::SearchQuery::new("DROP TABLE"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    let hits = f
        .store
        .search(&account, &dm_store::SearchQuery::new("💻"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    // A type and a cursor name with NUL, and a message far longer than X allows.
    let odd_type =
        data::event(json!({"id": "12", "event_type": "Future\u{0}Type", "dm_conversation_id": AB}));
    let long_text = format!("first {} last", "word ".repeat(100_000));
    let long = msg(13, AB, ALICE, &long_text, 2);
    let mut b = batch(&[odd_type.clone(), long.clone()], &Includes::default());
    b.cursor("sy\0nc", &json!("\u{0}")).unwrap();
    b.source("te\0st");
    apply(&f, &account, b).await;
    let stored = export(&f, &account).await;
    assert_eq!(stored[1].event, odd_type);
    assert_eq!(stored[2].event, long);
    assert_eq!(
        f.store.cursor(&account, "sy\0nc").await.unwrap(),
        Some(json!("\u{0}"))
    );
    let first = f
        .store
        .search(&account, &dm_store::SearchQuery::new("first"))
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        first[0].snippet.text.len() < 400,
        "a snippet, not the message"
    );
    // Only the first 16383 words of a message are indexed.
    assert!(
        f.store
            .search(&account, &dm_store::SearchQuery::new("last"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        f.store
            .find_user(&account, "ali\0ce")
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_second_writer_waits_for_the_lease(f: Fixture) {
    let account = Account::default();
    let first = f.store.writer(&account, Duration::ZERO).await.unwrap();
    let started = std::time::Instant::now();
    let e = f
        .store
        .writer(&account, Duration::from_millis(150))
        .await
        .unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(e.is_busy(), "{e}");
    assert!(
        e.to_string()
            .starts_with("another sync is running for account default"),
        "{e}"
    );
    // A waiting writer gets the lease as soon as it is released.
    let store = f.store.clone();
    let waiting = tokio::spawn(async move {
        let mut w = store
            .writer(&Account::default(), Duration::from_secs(30))
            .await?;
        w.apply(batch(
            &[msg(11, AB, ALICE, "after", 1)],
            &Includes::default(),
        ))
        .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the lease is still held");
    drop(first);
    let applied = waiting.await.unwrap().unwrap();
    assert_eq!(applied.new_events, 1);
}

/// An event converted from a real-time delivery is stored once; the same event from the API
/// (a later sync) replaces its JSON, and a real-time redelivery after that changes nothing.
async fn realtime_events_give_way_to_the_api(f: Fixture) {
    let account = Account::default();
    let inc = includes(&[user(ALICE, "Alice", "alice"), user(BOB, "Bob", "bob")]);
    let converted = msg(21, AB, ALICE, "from the webhook", 1);
    let mut b = Batch::new();
    b.push_sourced(&converted, &inc, dm_store::REALTIME, None)
        .unwrap();
    assert_eq!(apply(&f, &account, b.clone()).await.new_events, 1);
    // Redelivered: nothing changes.
    let again = apply(&f, &account, b.clone()).await;
    assert_eq!((again.new_events, again.replaced_archive), (0, 0));

    let from_api = msg(21, AB, ALICE, "from the lookup", 1);
    let api = apply(&f, &account, batch(std::slice::from_ref(&from_api), &inc)).await;
    assert_eq!((api.new_events, api.replaced_archive), (0, 1));
    // A real-time delivery after the API's version keeps the API's.
    let late = apply(&f, &account, b).await;
    assert_eq!((late.new_events, late.replaced_archive), (0, 0));

    let stored = export(&f, &account).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].event.text.as_deref(), Some("from the lookup"));
    assert!(!stored[0].from_archive);
    let hits = f
        .store
        .search(&account, &dm_store::SearchQuery::new("lookup"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    let stale = f
        .store
        .search(&account, &dm_store::SearchQuery::new("webhook"))
        .await
        .unwrap();
    assert!(stale.is_empty(), "the replaced text is no longer indexed");
}
