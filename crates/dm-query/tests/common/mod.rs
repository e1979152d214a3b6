//! What the request-value tests share: which operations have a request value yet, and the
//! realtime request values.
#![allow(dead_code)]

use dm_model::activity::{
    ActivityEventType, CreateSubscriptionRequest, CreateWebhookRequest, ReplayRequest,
    UpdateSubscriptionRequest,
};
use dm_model::{UserId, WebhookConfigField};
use dm_query::{
    ApiRequest, CheckAaaSubscription, CreateAaaSubscription, CreateActivitySubscription,
    CreateWebhook, DeleteAaaSubscription, DeleteActivitySubscription, DeleteActivitySubscriptions,
    DeleteWebhook, GetAaaSubscriptionCount, ListAaaSubscriptions, ListActivitySubscriptions,
    ListWebhooks, Operation, ReplayWebhook, StreamActivity, UpdateActivitySubscription,
    ValidateWebhook,
};

/// Operations of the specs whose request values are not built yet. Whoever adds one removes
/// it here and adds the value to the request tables in `requests.rs` and `over_http.rs`; the
/// tests then check it like every other request.
pub const NOT_BUILT_YET: &[Operation] = &[
    // ---- X Chat (issue 19): deletes are not built yet ----
    Operation::DeleteChatMessages,
];

/// Every operation that must have a request value, in declaration order.
pub fn built_operations() -> Vec<Operation> {
    Operation::ALL
        .iter()
        .copied()
        .filter(|o| !NOT_BUILT_YET.contains(o))
        .collect()
}

/// The activity stream, subscription, webhook and Account Activity request values (issue
/// 16), one per operation in declaration order, each with every option set.
pub fn realtime_requests() -> Vec<Box<dyn ApiRequest>> {
    let user: UserId = "2244994945".parse().unwrap();
    let webhook: dm_model::WebhookConfigId = "1234567890".parse().unwrap();
    let sub: dm_model::ActivitySubscriptionId = "1976325569252868096".parse().unwrap();
    let start = time::macros::datetime!(2026-08-22 12:00:00 UTC);
    vec![
        Box::new(
            StreamActivity::new()
                .backfill_minutes(5)
                .start_time(start)
                .end_time(start + time::Duration::minutes(30)),
        ),
        Box::new(CreateActivitySubscription {
            body: CreateSubscriptionRequest::for_user(ActivityEventType::DmReceived, user.clone())
                .tag("dm-inbound")
                .unwrap()
                .webhook(webhook.clone()),
        }),
        Box::new(
            ListActivitySubscriptions::new()
                .max_results(1000)
                .pagination_token("7140dibdnow9c7btw3w29gsnbjdh6emts9pjhbnmk8jlr"),
        ),
        Box::new(UpdateActivitySubscription {
            id: sub.clone(),
            body: UpdateSubscriptionRequest::new(Some("renamed".into()), Some(webhook.clone()))
                .unwrap(),
        }),
        Box::new(DeleteActivitySubscription { id: sub.clone() }),
        Box::new(DeleteActivitySubscriptions {
            ids: vec![sub, "1976325569252868097".parse().unwrap()],
        }),
        Box::new(ListWebhooks {
            fields: vec![WebhookConfigField::Url, WebhookConfigField::Id],
        }),
        Box::new(CreateWebhook {
            body: CreateWebhookRequest::new("https://example.com/webhook?x=1").unwrap(),
        }),
        Box::new(ValidateWebhook {
            id: webhook.clone(),
        }),
        Box::new(DeleteWebhook {
            id: webhook.clone(),
        }),
        Box::new(ReplayWebhook {
            body: ReplayRequest::new(
                webhook.clone(),
                "202608221200".parse().unwrap(),
                "202608221330".parse().unwrap(),
            )
            .unwrap(),
        }),
        Box::new(GetAaaSubscriptionCount),
        Box::new(CheckAaaSubscription {
            webhook_id: webhook.clone(),
        }),
        Box::new(CreateAaaSubscription {
            webhook_id: webhook.clone(),
        }),
        Box::new(ListAaaSubscriptions {
            webhook_id: webhook.clone(),
        }),
        Box::new(DeleteAaaSubscription {
            webhook_id: webhook,
            user_id: user,
        }),
    ]
}
