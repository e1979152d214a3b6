//! What the request-value tests share: which operations have a request value yet, and the
//! realtime and X Chat request values.
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

/// The X Chat request values (issue 19; deletes: `common::NOT_BUILT_YET`).
pub fn chat_requests() -> Vec<Box<dyn ApiRequest>> {
    use dm_model::{
        AddConversationKeysRequest, ConversationParticipantKeyBody, PublicKeyRegistration,
        RegisterPublicKeyRequest, SendChatMessageRequest,
    };
    let conv: dm_model::ChatConversationId = "783214-2244994945".parse().unwrap();
    let user: dm_model::UserId = "783214".parse().unwrap();
    let registration = PublicKeyRegistration::new(
        "c2ln".into(),
        "aWQ=".into(),
        "ZnA".into(),
        "CustomPin".into(),
        "c2lnbg==".into(),
        "c2ln".into(),
    );
    vec![
        Box::new(dm_query::GetMe),
        Box::new(dm_query::RegisterPublicKey {
            user_id: user.clone(),
            body: RegisterPublicKeyRequest::new(registration, "1796130000000".into()),
        }),
        Box::new(dm_query::GetPublicKey {
            user_id: user.clone(),
        }),
        Box::new(dm_query::GetPublicKeys {
            ids: vec![user, "2244994945".parse().unwrap()],
        }),
        Box::new(dm_query::GetChatConversations {
            max_results: Some(20),
            pagination_token: None,
        }),
        Box::new(dm_query::GetChatConversation { id: conv.clone() }),
        Box::new(dm_query::GetChatEvents {
            id: conv.clone(),
            max_results: Some(50),
            pagination_token: Some("1880028106020515840".into()),
        }),
        Box::new(dm_query::AddConversationKeys {
            id: conv.clone(),
            body: AddConversationKeysRequest::new(
                "1796130000000".into(),
                vec![ConversationParticipantKeyBody::new(
                    "783214".into(),
                    "BAAA".into(),
                    "1".into(),
                )],
                Vec::new(),
            ),
        }),
        Box::new(dm_query::SendChatMessage {
            id: conv.clone(),
            body: SendChatMessageRequest::new(
                "5f1d5a8e-6b7a-4f0e-9a57-1c1f1f6d2b11".into(),
                "CwBkAAAAAA==".into(),
                "CwABAAAAAA==".into(),
            ),
        }),
        Box::new(dm_query::SendChatTyping { id: conv.clone() }),
        Box::new(dm_query::MarkChatRead {
            id: conv.clone(),
            seen_until_sequence_id: "2080000000000000001".into(),
        }),
        Box::new(dm_query::InitializeChatGroup),
        Box::new(dm_query::CreateChatGroup {
            body: dm_model::CreateChatGroupRequest::new(
                "g1234567890".into(),
                "1796130000000".into(),
                vec![ConversationParticipantKeyBody::new(
                    "783214".into(),
                    "BAAA".into(),
                    "1".into(),
                )],
                vec!["783214".into(), "2244994945".into(), "12".into()],
                vec!["783214".into()],
                Vec::new(),
            ),
        }),
        Box::new(dm_query::AddChatGroupMembers {
            id: "g1234567890".parse().unwrap(),
            body: dm_model::AddChatGroupMembersRequest::new(
                vec!["99".into()],
                "1796130000001".into(),
                vec![ConversationParticipantKeyBody::new(
                    "99".into(),
                    "BAAA".into(),
                    "1".into(),
                )],
                Vec::new(),
            ),
        }),
        Box::new(dm_query::InitializeChatUpload {
            conversation_id: conv.clone(),
            total_bytes: 1065,
        }),
        Box::new(dm_query::AppendChatUpload {
            session_id: "1880028106020515840".parse().unwrap(),
            conversation_id: conv.clone(),
            media_hash_key: "abc123".parse().unwrap(),
            segment_index: 0,
            media: bytes::Bytes::from_static(b"\x00\x01\x02"),
        }),
        Box::new(dm_query::FinalizeChatUpload {
            session_id: "1880028106020515840".parse().unwrap(),
            conversation_id: conv.clone(),
            media_hash_key: "abc123".parse().unwrap(),
            num_parts: 1,
        }),
        Box::new(dm_query::DownloadChatMedia {
            conversation_id: conv,
            media_hash_key: "abc123".parse().unwrap(),
        }),
    ]
}
