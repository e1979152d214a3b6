//! Shared test support: a sandbox and a client pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use dm_fake::{FakeServer, FakeServerBuilder};
use dm_stream::{Client, ClientBuilder, ResolvedEvent, Scope};
use dm_transport::RetryPolicy;
use futures::TryStreamExt;
use serde_json::Value;

/// A sandbox with `events` events from a fixed seed.
pub async fn sandbox(events: usize) -> FakeServer {
    FakeServer::builder()
        .seed(7)
        .events(events)
        .start()
        .await
        .expect("sandbox starts")
}

/// Starts a sandbox from a configured builder.
pub async fn start(builder: FakeServerBuilder) -> FakeServer {
    builder.start().await.expect("sandbox starts")
}

/// A client builder for `fake` with quick retries.
pub fn client_builder(fake: &FakeServer) -> ClientBuilder {
    Client::builder()
        .base_url(fake.base_url())
        .bearer_token(fake.token())
        .retry(
            RetryPolicy::new()
                .max_attempts(8)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(50)),
        )
}

/// A client for `fake`.
pub fn client(fake: &FakeServer) -> Client {
    client_builder(fake).build().expect("client builds")
}

/// The sandbox's scope for a client scope.
pub fn fake_scope(scope: &Scope) -> dm_fake::Scope {
    match scope {
        Scope::All => dm_fake::Scope::All,
        Scope::Conversation(id) => dm_fake::Scope::Conversation(id.to_string()),
        Scope::WithParticipant(id) => dm_fake::Scope::WithParticipant(id.to_string()),
    }
}

/// Every event of `scope` as the sandbox holds it (all fields), newest first.
pub fn truth(fake: &FakeServer, scope: &Scope) -> Vec<Value> {
    fake.dataset().events(&fake_scope(scope))
}

/// The ids of `events`.
pub fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

/// The JSON of a delivered event.
pub fn json(event: &ResolvedEvent) -> Value {
    serde_json::to_value(event.event()).expect("event encodes")
}

/// The ids a request's event stream delivers, in order.
pub async fn streamed_ids(request: dm_stream::EventsRequest) -> Vec<String> {
    request
        .events()
        .map_ok(|e| e.event().id.to_string())
        .try_collect()
        .await
        .expect("stream completes")
}

/// Streams every event of a lookup with all fields and expansions.
pub async fn collect_all(client: &Client, scope: Scope) -> Vec<ResolvedEvent> {
    client
        .events(scope)
        .all_fields()
        .events()
        .try_collect()
        .await
        .expect("stream completes")
}

/// A group conversation and a one-to-one conversation of the dataset, and the other
/// participant of the one-to-one.
pub fn sample_scopes(fake: &FakeServer) -> Vec<Scope> {
    let me = fake.me();
    let conversations = fake.dataset().conversations();
    let group = conversations
        .iter()
        .filter(|c| c.is_group)
        .max_by_key(|c| c.events)
        .expect("a group");
    let one = conversations
        .iter()
        .filter(|c| !c.is_group)
        .max_by_key(|c| c.events)
        .expect("a one-to-one conversation");
    let other = one
        .participants
        .iter()
        .find(|p| **p != me.to_string())
        .expect("another participant");
    vec![
        Scope::All,
        Scope::Conversation(group.id.parse().unwrap()),
        Scope::Conversation(one.id.parse().unwrap()),
        Scope::WithParticipant(other.parse().unwrap()),
    ]
}
