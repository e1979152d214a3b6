//! `StoreSink`: each DM of the accepted deliveries is committed into the store once, even
//! when a new receiver (after a restart: its de-duplication memory empty) gets the same
//! deliveries again; what is not a DM is not stored.

use bytes::Bytes;
use dm_store::{Account, Store};
use dm_webhook::{ConsumerSecret, Receiver, ReceiverConfig, StoreSink, drain};
use futures::TryStreamExt;
use http_body_util::Full;

/// An Account Activity body with one DM (the reference's shape).
fn dm_body(id: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "for_user_id": "4337869213",
        "direct_message_events": [{
            "type": "message_create", "id": id, "created_timestamp": "1516403560557",
            "message_create": {
                "target": {"recipient_id": "4337869213"}, "sender_id": "3001969357",
                "message_data": {"text": text}
            }
        }],
        "users": {"3001969357": {"id": "3001969357", "name": "Jordan", "screen_name": "jordan"}}
    }))
    .unwrap()
}

fn typing_body() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "for_user_id": "4337869213",
        "direct_message_indicate_typing_events": [{"created_timestamp": "1518127183443",
            "sender_id": "3001969357", "target": {"recipient_id": "4337869213"}}]
    }))
    .unwrap()
}

/// Delivers `bodies` (signed) to a new receiver draining into a sink on `store`; the sink's
/// (messages, stored).
async fn deliver(store: Store, bodies: &[Vec<u8>]) -> (u64, u64) {
    let secret = ConsumerSecret::new("s3cret");
    let (receiver, events) = Receiver::new(secret.clone(), ReceiverConfig::default());
    let mut sink = StoreSink::new(store, Account::default());
    for body in bodies {
        let request = http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", secret.sign(body))
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        assert_eq!(receiver.handle(request).await.status(), 200);
    }
    drop(receiver);
    drain(events, &mut sink).await.unwrap();
    (sink.messages(), sink.stored())
}

#[tokio::test]
async fn each_dm_is_stored_once_across_receivers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("dms.sqlite").display());
    let a = dm_body("954491830116155396", "Hello World!");
    let b = dm_body("954491830116155397", "Bonjour, ça va ?");
    let first = deliver(
        Store::open(&url).await.unwrap(),
        &[a.clone(), a.clone(), typing_body(), b.clone()],
    )
    .await;
    assert_eq!(
        first,
        (2, 2),
        "the redelivery dropped, the typing event not a message"
    );
    // A restarted receiver gets both again (a replay): handed over, not stored again.
    let store = Store::open(&url).await.unwrap();
    assert_eq!(deliver(store.clone(), &[b, a]).await, (2, 0));

    let stored: Vec<_> = store
        .export(&Account::default())
        .try_collect()
        .await
        .unwrap();
    let texts: Vec<_> = stored
        .iter()
        .map(|s| {
            (
                s.event.id.as_str(),
                s.event.text.as_deref(),
                s.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            (
                "954491830116155396",
                Some("Hello World!"),
                dm_store::REALTIME
            ),
            (
                "954491830116155397",
                Some("Bonjour, ça va ?"),
                dm_store::REALTIME
            ),
        ]
    );
    assert_eq!(
        stored[0]
            .event
            .dm_conversation_id
            .as_ref()
            .map(|c| c.as_str()),
        Some("3001969357-4337869213"),
        "the one-to-one conversation id in the API's low-high form"
    );
    let hits = store
        .search(&Account::default(), &dm_store::SearchQuery::new("ca va"))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "indexed, diacritics folded");
}
