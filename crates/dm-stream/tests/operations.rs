//! dm-query declares each operation (`Operation::is_idempotent`, from the codegen table) and
//! dm-transport classifies each request by its path (`EndpointFamily`, whose budget and retry
//! rule the `Stack` applies). The two crates do not know each other; here they must agree on
//! every operation: a named rate-limit family, and the same answer to "may this be repeated".

use dm_query::Operation;
use dm_transport::EndpointFamily;

/// A valid value for a path parameter of `id_type`.
fn sample(id_type: &str) -> &'static str {
    match id_type {
        "UserId"
        | "DmEventId"
        | "MediaId"
        | "TweetId"
        | "WebhookConfigId"
        | "ActivitySubscriptionId" => "1146654567674912769",
        "DmConversationId" => "944480690-906948460078698496",
        "MediaKey" => "3_1146654567674912769",
        "DmResourceId" => "tJg5kUG5RKPi3jNi.jpg",
        "ChatConversationId" => "783214-2244994945",
        "ChatMediaSessionId" => "1880028106020515840",
        "ChatMediaHashKey" => "abc123",
        other => panic!("no sample for the id type {other}: add one here"),
    }
}

fn path_of(op: Operation) -> String {
    let values: Vec<&str> = op.path_params().iter().map(|p| sample(p.id_type)).collect();
    op.render_path(&values)
        .unwrap_or_else(|e| panic!("{op}: {e}"))
}

#[test]
fn every_operation_has_a_named_rate_limit_family() {
    for op in Operation::ALL {
        let family = EndpointFamily::classify(&op.method(), &path_of(*op));
        assert!(
            !matches!(family, EndpointFamily::Other(_)),
            "{op} ({}) has no named family: {family}",
            op.operation_id()
        );
    }
    let family = |op: Operation| EndpointFamily::classify(&op.method(), &path_of(op));
    assert_eq!(
        family(Operation::AppendUpload),
        EndpointFamily::MediaUploadAppend
    );
    assert_eq!(
        family(Operation::StreamActivity),
        EndpointFamily::ActivityStream
    );
    assert_eq!(
        family(Operation::ReplayWebhook),
        EndpointFamily::WebhookReplay
    );
    assert_eq!(family(Operation::DeleteWebhook), EndpointFamily::Webhooks);
    assert_eq!(
        family(Operation::DeleteAaaSubscription),
        EndpointFamily::AccountActivity
    );
}

#[test]
fn the_retry_layer_repeats_exactly_the_idempotent_operations() {
    for op in Operation::ALL {
        let family = EndpointFamily::classify(&op.method(), &path_of(*op));
        // What `Stack` decides for a request without an `Idempotent` extension.
        let repeated = op.method().is_idempotent() || family.is_idempotent();
        assert_eq!(
            repeated,
            op.is_idempotent(),
            "{op} ({family}): the transport and dm-query disagree"
        );
    }
}
