//! The `dm_bot` example, run against the sandbox: every incoming message gets one answer.

mod support;

#[allow(dead_code)]
#[path = "../examples/dm_bot.rs"]
mod dm_bot;

use std::time::Duration;

use dm_fake::{ActivityConfig, FakeServer};
use dm_model::EventKind;
use dm_stream::{ActivityStreamOptions, ReconnectPolicy};
use futures::TryStreamExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_answers_every_incoming_message_once() {
    let s = support::start(
        FakeServer::builder()
            .seed(5)
            .events(60)
            .activity(ActivityConfig::new().keepalive(Duration::from_millis(200))),
    )
    .await;
    let client = support::client_builder(&s)
        .app_bearer_token(s.app_token())
        .build()
        .unwrap();
    let options = ActivityStreamOptions::default()
        .stall_timeout(Duration::from_secs(2))
        .reconnect(ReconnectPolicy::default().scaled_down(100));
    let bot = {
        let client = client.clone();
        let me = s.me();
        tokio::spawn(async move { dm_bot::answer_every_dm(&client, me, options, Some(3)).await })
    };
    for _ in 0..400 {
        if s.activity_stream_connections() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(s.activity_stream_connections(), 1, "the bot is listening");
    let senders = ["2222222222222222222", "3333333", "2222222222222222222"];
    for (i, from) in senders.iter().enumerate() {
        s.inject_incoming(from, format!("question {i}")).unwrap();
    }
    let answered = tokio::time::timeout(Duration::from_secs(30), bot)
        .await
        .expect("the bot answers in time")
        .unwrap()
        .unwrap();
    assert_eq!(answered, 3);
    // Each conversation holds the bot's answers, once each, after the questions.
    for from in ["2222222222222222222", "3333333"] {
        let events: Vec<_> = client
            .with_participant(from.parse().unwrap())
            .all_fields()
            .events()
            .try_collect()
            .await
            .unwrap();
        let texts: Vec<String> = events
            .iter()
            .filter_map(|e| match e.event().kind() {
                EventKind::Message { text, .. } => Some(text.to_owned()),
                _ => None,
            })
            .collect();
        let asked: Vec<&String> = texts.iter().filter(|t| t.starts_with("question")).collect();
        let answers: Vec<&String> = texts
            .iter()
            .filter(|t| t.starts_with("You said: "))
            .collect();
        assert_eq!(answers.len(), asked.len(), "{from}: {texts:?}");
        for q in asked {
            let expected = dm_bot::reply_to(q);
            assert_eq!(
                answers.iter().filter(|a| ***a == expected).count(),
                1,
                "{from}: {texts:?}"
            );
        }
        // Newest first: the last answer is newer than the last question.
        assert!(texts[0].starts_with("You said: "), "{texts:?}");
    }
}
