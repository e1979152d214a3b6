//! One rate budget per token, not per `Client`: two clients built with the same token share
//! what they know of the budget, so the second waits for the reset instead of running into a
//! 429 the first one's requests made certain. Over loopback against the sandbox.

use std::time::Duration;

use dm_fake::{FakeServer, RateLimitConfig, Scope};
use dm_query::FieldsQuery;
use dm_stream::Client;
use dm_transport::{EndpointFamily, RateLimitPolicy};

const LIMIT: u32 = 3;

fn client(server: &FakeServer, token: &str) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .bearer_token(token)
        // Each client its own policy value: sharing must not depend on passing one around.
        .rate_limit(RateLimitPolicy::new().skew_margin(Duration::from_millis(50)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn two_clients_with_the_same_token_share_one_budget() {
    let server = FakeServer::builder()
        .seed(11)
        .events(30)
        .rate_limit(RateLimitConfig::new(LIMIT, Duration::from_secs(2)))
        .other_user("another-users-token")
        .start()
        .await
        .unwrap();
    let id: dm_model::DmEventId = server.dataset().event_ids(&Scope::All)[0].parse().unwrap();
    let first = client(&server, server.token());
    let second = client(&server, server.token());
    let other = client(&server, "another-users-token");

    // The first client spends the whole lookup budget.
    for _ in 0..LIMIT {
        first
            .get_event(id.clone(), FieldsQuery::new())
            .await
            .unwrap();
    }
    let spent = first
        .stack()
        .rate_limit_policy()
        .known(&EndpointFamily::DmLookup)
        .expect("the first client saw the budget");
    assert_eq!(spent.remaining, 0);

    // The second client knows it before sending anything...
    assert_eq!(
        second
            .stack()
            .rate_limit_policy()
            .known(&EndpointFamily::DmLookup),
        Some(spent),
        "same token, same budget"
    );
    // ...and another token's budget is its own.
    assert_eq!(
        other
            .stack()
            .rate_limit_policy()
            .known(&EndpointFamily::DmLookup),
        None
    );

    // So its request waits for the reset and succeeds, without a 429 from the server.
    second
        .get_event(id.clone(), FieldsQuery::new())
        .await
        .unwrap();
    assert_eq!(
        second.stack().stats().rate_limit_waits,
        1,
        "waited for the reset"
    );
    assert_eq!(second.stack().stats().rate_limited, 0);
    assert_eq!(server.stats().rate_limited, 0, "no request ran into a 429");
    assert_eq!(first.stack().stats().rate_limit_waits, 0);

    // The token never appears in the clients' or policies' Debug.
    for text in [
        format!("{second:?}"),
        format!("{:?}", second.stack()),
        format!("{:?}", second.stack().rate_limit_policy()),
    ] {
        assert!(!text.contains(server.token()), "{text}");
    }
}
