//! Search, against both backends with the same expectations: case, diacritics, emoji, ids,
//! phrases, hostile query text, filters, ranking, snippets.

mod common;

use common::Fixture;
use common::data::{batch, includes, instant, msg, user};
use dm_model::DmEvent;
use dm_store::{Account, SearchHit, SearchQuery};

both_backends!(
    case_and_diacritics_are_ignored,
    emoji_and_ids_are_words,
    quotes_make_phrases,
    query_syntax_is_plain_text,
    filters_narrow_the_hits,
    better_matches_rank_higher,
    snippets_mark_the_matches,
    generated_queries_never_fail,
);

const ALICE: &str = "1000";
const BOB: &str = "2000";
const AB: &str = "1000-2000";
const AC: &str = "1000-3000";

fn corpus() -> Vec<DmEvent> {
    let texts = [
        "Un café demain matin ?",                       // 1
        "CAFE closed, let's meet at the Crème bar",     // 2
        "naïve résumé for the Zürich job",              // 3
        "thanks🙏 see you at 5pm ☕☕",                 // 4
        "order 1582838499983564806 shipped",            // 5
        "the big red dog",                              // 6
        "red is big, the dog is not",                   // 7
        "100% sure: a*b (c OR d) NEAR \"x\" -- ; ' \\", // 8
        "Ελληνικά και Русский текст",                   // 9
        "invoice invoice invoice for march",            // 10
        "an invoice somewhere in a long message about many other things entirely", // 11
        "flag 🇫🇷 and 👍🏽 and 1️⃣ 🫨🥰",                   // 12 (Unicode 15 and 11 emoji)
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let n = i as u64 + 1;
            let (conv, sender) = match n % 3 {
                0 => (AC, ALICE),
                1 => (AB, ALICE),
                _ => (AB, BOB),
            };
            msg(n, conv, sender, t, n as i64 * 60)
        })
        .collect()
}

async fn seeded(f: &Fixture) -> Account {
    let account = Account::default();
    let inc = includes(&[user(ALICE, "Alice", "alice"), user(BOB, "Bob", "bob")]);
    f.store
        .apply(&account, batch(&corpus(), &inc))
        .await
        .expect("apply");
    account
}

async fn ids(f: &Fixture, account: &Account, q: SearchQuery) -> Vec<u64> {
    let mut v: Vec<u64> = hits(f, account, q)
        .await
        .iter()
        .map(|h| h.stored.event.id.as_u64())
        .collect();
    v.sort();
    v
}

async fn hits(f: &Fixture, account: &Account, q: SearchQuery) -> Vec<SearchHit> {
    f.store
        .search(account, &q)
        .await
        .unwrap_or_else(|e| panic!("{}: {q:?}: {e}", f.backend))
}

async fn case_and_diacritics_are_ignored(f: Fixture) {
    let a = seeded(&f).await;
    assert_eq!(ids(&f, &a, SearchQuery::new("cafe")).await, [1, 2]);
    assert_eq!(ids(&f, &a, SearchQuery::new("CAFÉ")).await, [1, 2]);
    assert_eq!(ids(&f, &a, SearchQuery::new("creme")).await, [2]);
    assert_eq!(
        ids(&f, &a, SearchQuery::new("NAIVE resume zurich")).await,
        [3]
    );
    assert_eq!(ids(&f, &a, SearchQuery::new("русский")).await, [9]);
    assert_eq!(ids(&f, &a, SearchQuery::new("ελληνικα")).await, [9]);
    // Words match whole: no substring matches.
    assert_eq!(
        ids(&f, &a, SearchQuery::new("caf")).await,
        Vec::<u64>::new()
    );
}

async fn emoji_and_ids_are_words(f: Fixture) {
    let a = seeded(&f).await;
    assert_eq!(ids(&f, &a, SearchQuery::new("☕")).await, [4]);
    assert_eq!(ids(&f, &a, SearchQuery::new("🙏")).await, [4]);
    assert_eq!(
        ids(&f, &a, SearchQuery::new("thanks")).await,
        [4],
        "emoji next to a word"
    );
    assert_eq!(ids(&f, &a, SearchQuery::new("🇫🇷")).await, [12]);
    assert_eq!(
        ids(&f, &a, SearchQuery::new("👍")).await,
        [12],
        "skin tone ignored"
    );
    assert_eq!(ids(&f, &a, SearchQuery::new("👍🏿")).await, [12]);
    assert_eq!(ids(&f, &a, SearchQuery::new("🐶")).await, Vec::<u64>::new());
    // Emoji newer than SQLite's Unicode tables are words too.
    assert_eq!(ids(&f, &a, SearchQuery::new("🫨")).await, [12]);
    assert_eq!(ids(&f, &a, SearchQuery::new("🥰")).await, [12]);
    assert_eq!(
        ids(&f, &a, SearchQuery::new("1582838499983564806")).await,
        [5]
    );
    assert_eq!(ids(&f, &a, SearchQuery::new("5pm")).await, [4]);
}

async fn quotes_make_phrases(f: Fixture) {
    let a = seeded(&f).await;
    assert_eq!(ids(&f, &a, SearchQuery::new("big red")).await, [6, 7]);
    assert_eq!(ids(&f, &a, SearchQuery::new("\"big red\"")).await, [6]);
    assert_eq!(ids(&f, &a, SearchQuery::new("\"RED DOG\" the")).await, [6]);
    assert_eq!(
        ids(&f, &a, SearchQuery::new("\"dog big\"")).await,
        Vec::<u64>::new()
    );
    assert_eq!(
        ids(&f, &a, SearchQuery::new("\"big red")).await,
        [6],
        "unclosed quote"
    );
}

async fn query_syntax_is_plain_text(f: Fixture) {
    let a = seeded(&f).await;
    for q in [
        "\"",
        "\"\"",
        "'",
        "*",
        "a*",
        "(",
        ")",
        "OR",
        "NEAR",
        "NEAR(a b)",
        "-",
        "--",
        ";",
        "\\",
        "'; DROP TABLE events; --",
        "x:y",
        "^a",
        "col:cafe",
        "{a b}",
        "a AND",
        "AND OR NOT",
        "&",
        "|",
        "!",
        "<->",
        "a & b | !c",
        "'a':1",
        ":*",
        "%",
        "_",
        "\u{0}",
        "é\u{301}",
        "\u{200b}",
        "🏽",
        "\u{fe0f}",
        "a\"b'c",
        "cafe'; --",
        "𝕏",
    ] {
        // Never an error, whatever the text.
        hits(&f, &a, SearchQuery::new(q)).await;
    }
    // Operators are words like any other.
    assert_eq!(ids(&f, &a, SearchQuery::new("OR NEAR")).await, [8]);
    assert_eq!(ids(&f, &a, SearchQuery::new("a*b")).await, [8]);
    assert_eq!(ids(&f, &a, SearchQuery::new("\"c OR d\"")).await, [8]);
    assert_eq!(
        ids(&f, &a, SearchQuery::new("cafe'; DROP")).await,
        Vec::<u64>::new()
    );
    // Nothing searchable: no hits, no error.
    assert_eq!(
        ids(&f, &a, SearchQuery::new("%; -- '\"")).await,
        Vec::<u64>::new()
    );
    assert_eq!(ids(&f, &a, SearchQuery::new("")).await, Vec::<u64>::new());
}

async fn filters_narrow_the_hits(f: Fixture) {
    let a = seeded(&f).await;
    let all = || SearchQuery::new("the");
    assert_eq!(ids(&f, &a, all()).await, [2, 3, 6, 7]);
    assert_eq!(
        ids(&f, &a, all().sender("1000".parse().unwrap())).await,
        [3, 6, 7]
    );
    assert_eq!(
        ids(&f, &a, all().sender("2000".parse().unwrap())).await,
        [2]
    );
    assert_eq!(
        ids(&f, &a, all().conversation(AC.parse().unwrap())).await,
        [3, 6]
    );
    // [since, until): message n is at minute 60 n.
    assert_eq!(ids(&f, &a, all().since(instant(180))).await, [3, 6, 7]);
    assert_eq!(ids(&f, &a, all().until(instant(360))).await, [2, 3]);
    assert_eq!(
        ids(&f, &a, all().since(instant(180)).until(instant(420))).await,
        [3, 6]
    );
    assert_eq!(
        ids(&f, &a, all().since(instant(181)).until(instant(360))).await,
        Vec::<u64>::new()
    );
    assert_eq!(hits(&f, &a, all().limit(2)).await.len(), 2);
    assert_eq!(
        hits(&f, &a, all().limit(0)).await.len(),
        4,
        "0 means the default"
    );
}

async fn better_matches_rank_higher(f: Fixture) {
    let a = seeded(&f).await;
    let h = hits(&f, &a, SearchQuery::new("invoice")).await;
    let order: Vec<u64> = h.iter().map(|h| h.stored.event.id.as_u64()).collect();
    assert_eq!(
        order,
        [10, 11],
        "three matches in a short message beat one in a long one"
    );
    assert!(h[0].score > h[1].score, "{} > {}", h[0].score, h[1].score);
}

async fn snippets_mark_the_matches(f: Fixture) {
    let a = seeded(&f).await;
    let h = hits(&f, &a, SearchQuery::new("cafe crème")).await;
    assert_eq!(h.len(), 1);
    assert_eq!(
        h[0].snippet.marked("[", "]"),
        "[CAFE] closed, let's meet at the [Crème] bar"
    );
    assert_eq!(
        h[0].stored.includes.users[0].username.as_deref(),
        Some("bob")
    );
    let h = hits(&f, &a, SearchQuery::new("\"big red\" dog")).await;
    assert_eq!(
        h[0].snippet.marked("<b>", "</b>"),
        "the <b>big red</b> <b>dog</b>"
    );
    let h = hits(&f, &a, SearchQuery::new("☕")).await;
    assert_eq!(h[0].snippet.matches().collect::<Vec<_>>(), ["☕", "☕"]);
    let h = hits(&f, &a, SearchQuery::new("👍")).await;
    assert_eq!(
        h[0].snippet.matches().collect::<Vec<_>>(),
        ["👍🏽"],
        "the modifier is part of the match"
    );
}

async fn generated_queries_never_fail(f: Fixture) {
    use proptest::strategy::{Strategy, ValueTree};
    let a = seeded(&f).await;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    // Any printable text, and text dense in the syntax of FTS5, tsquery and SQL.
    let strategies = [
        r"\PC{0,30}",
        r#"[\"'*():^{}\\+&|!<>;%_ NEARORANDOT a-c0-9éü☕-]{0,24}"#,
    ];
    for pattern in strategies {
        let strategy = pattern.prop_map(String::from);
        for _ in 0..150 {
            let q = strategy.new_tree(&mut runner).unwrap().current();
            let found = hits(&f, &a, SearchQuery::new(q.clone())).await;
            for h in &found {
                assert!(
                    !h.snippet.marks.is_empty(),
                    "{q:?}: a hit with nothing marked"
                );
            }
        }
    }
}
