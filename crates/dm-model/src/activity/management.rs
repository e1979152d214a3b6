//! Responses of the subscription, webhook and Account Activity management endpoints
//! (`spec/x-api-realtime-media-reference.md` §3.3–3.4, §4.1, §4.6, §5.2), read leniently:
//! where the sources show several shapes, every one decodes.

use serde_json::Value;

use super::envelope::ActivityFilter;
use super::event_type::ActivityEventType;
use crate::decode::decode_value;
use crate::envelope::Deleted;
use crate::wire::wire_object;
use crate::{ActivitySubscriptionId, DecodeError, Problem, UserId, WebhookConfigId};

wire_object! {
    #[default]
    /// An X Activity API subscription.
    pub struct Subscription {
        /// Its id.
        pub subscription_id: Option<ActivitySubscriptionId> = "subscription_id",
        /// The event type it delivers.
        pub event_type: Option<ActivityEventType> = "event_type",
        /// Whose activity.
        pub filter: Option<ActivityFilter> = "filter",
        /// The tag echoed on every event.
        pub tag: Option<String> = "tag",
        /// The webhook events also go to.
        pub webhook_id: Option<WebhookConfigId> = "webhook_id",
        /// When it was created (as received, e.g. `2025-10-09T16:35:08.000Z`).
        pub created_at: Option<String> = "created_at",
        /// When it was last updated.
        pub updated_at: Option<String> = "updated_at",
    }
}

impl Subscription {
    /// The user of its filter.
    pub fn user_id(&self) -> Option<&UserId> {
        self.filter.as_ref().and_then(|f| f.user_id.as_ref())
    }
}

wire_object! {
    #[default]
    /// `meta` of the subscription endpoints (every member any source shows).
    pub struct SubscriptionMeta {
        /// The app's subscriptions after the operation.
        pub total_subscriptions: Option<u64> = "total_subscriptions",
        /// The next page's token (`GET /2/activity/subscriptions`).
        pub next_token: Option<String> = "next_token",
        /// Subscriptions in this page.
        pub result_count: Option<u64> = "result_count",
    }
}

wire_object! {
    #[default]
    /// The response to creating or updating a subscription. Three shapes are in the
    /// sources: `data.subscription` (the spec), `data` itself (the quickstart), and a
    /// one-element `data` array with `meta` (the quickstart's first example); read it with
    /// [`SubscriptionResponse::subscription`].
    pub struct SubscriptionResponse {
        /// The subscription, in one of the shapes above.
        pub data: Option<Value> = "data",
        /// `total_subscriptions`, in the quickstart's shapes.
        pub meta: Option<SubscriptionMeta> = "meta",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

impl SubscriptionResponse {
    /// The subscription, whichever shape it came in (`None` without `data`).
    ///
    /// # Errors
    ///
    /// [`DecodeError`] naming the path when the subscription does not fit.
    pub fn subscription(&self) -> Result<Option<Subscription>, DecodeError> {
        match &self.data {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => match items.first() {
                Some(first) => decode_value(first, "data[0]").map(Some),
                None => Ok(None),
            },
            Some(data) => match data.get("subscription") {
                Some(s) => decode_value(s, "data.subscription").map(Some),
                None => decode_value(data, "data").map(Some),
            },
        }
    }

    /// The app's total subscriptions, when the response says (`data.total_subscriptions` or
    /// `meta.total_subscriptions`).
    pub fn total_subscriptions(&self) -> Option<u64> {
        self.data
            .as_ref()
            .and_then(|d| d.get("total_subscriptions"))
            .and_then(Value::as_u64)
            .or_else(|| self.meta.as_ref()?.total_subscriptions)
    }
}

wire_object! {
    #[default]
    /// `GET /2/activity/subscriptions`.
    pub struct SubscriptionsPage {
        /// The subscriptions.
        pub data: Vec<Subscription> = "data",
        /// `next_token`, `result_count`, `total_subscriptions` (when sent).
        pub meta: Option<SubscriptionMeta> = "meta",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

impl SubscriptionsPage {
    /// The next page's token, when there is one.
    pub fn next_token(&self) -> Option<&str> {
        self.meta.as_ref()?.next_token.as_deref()
    }
}

wire_object! {
    #[default]
    /// `DELETE /2/activity/subscriptions/{id}` (also `DELETE /2/webhooks/{id}`).
    pub struct DeleteResponse {
        /// `{"deleted": true}`.
        pub data: Option<Deleted> = "data",
        /// `total_subscriptions` left (the quickstart).
        pub meta: Option<SubscriptionMeta> = "meta",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// One id's outcome in `DELETE /2/activity/subscriptions?ids=`.
    pub struct DeletedSubscription {
        /// Whether it was deleted.
        pub deleted: Option<bool> = "deleted",
        /// Which.
        pub subscription_id: Option<String> = "subscription_id",
    }
}

wire_object! {
    #[default]
    /// One id's failure in `DELETE /2/activity/subscriptions?ids=` (not a `Problem`).
    pub struct SubscriptionFailure {
        /// A human-readable detail.
        pub message: Option<String> = "message",
        /// A machine-readable reason.
        pub reason: Option<String> = "reason",
        /// Which id.
        pub subscription_id: Option<String> = "subscription_id",
    }
}

wire_object! {
    #[default]
    /// `DELETE /2/activity/subscriptions?ids=...`: per-id outcomes and failures.
    pub struct DeleteSubscriptionsResponse {
        /// The ids deleted.
        pub data: Vec<DeletedSubscription> = "data",
        /// The ids that failed (deletion went on for the others).
        pub errors: Vec<SubscriptionFailure> = "errors",
        /// `total_subscriptions` left.
        pub meta: Option<SubscriptionMeta> = "meta",
    }
}

wire_object! {
    #[default]
    /// A registered webhook (`WebhookConfig`).
    pub struct WebhookConfig {
        /// Its id.
        pub id: Option<WebhookConfigId> = "id",
        /// The URL events are posted to.
        pub url: Option<String> = "url",
        /// Whether it passed its last CRC check (an invalid webhook receives nothing).
        pub valid: Option<bool> = "valid",
        /// When it was registered.
        pub created_at: Option<String> = "created_at",
    }
}

wire_object! {
    #[default]
    /// `POST /2/webhooks`.
    pub struct WebhookResponse {
        /// The new webhook.
        pub data: Option<WebhookConfig> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// `meta` of `GET /2/webhooks`.
    pub struct WebhooksMeta {
        /// How many are listed.
        pub result_count: Option<u64> = "result_count",
    }
}

wire_object! {
    #[default]
    /// `GET /2/webhooks`.
    pub struct WebhooksPage {
        /// The app's webhooks (present but empty when there are none).
        pub data: Vec<WebhookConfig> = "data",
        /// `result_count`.
        pub meta: Option<WebhooksMeta> = "meta",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// `{"valid": bool}`.
    pub struct Validity {
        /// Whether the CRC check was triggered / passed (the sources differ: see the
        /// reference §4.1).
        pub valid: Option<bool> = "valid",
    }
}

wire_object! {
    #[default]
    /// `PUT /2/webhooks/{id}` (triggers a CRC check).
    pub struct ValidateWebhookResponse {
        /// `{"valid": ..}`.
        pub data: Option<Validity> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// A replay job.
    pub struct ReplayJob {
        /// Its id.
        pub job_id: Option<String> = "job_id",
        /// When it was created.
        pub created_at: Option<String> = "created_at",
    }
}

wire_object! {
    #[default]
    /// `POST /2/webhooks/replay`. Three shapes: `{"data": {job_id, created_at}}` (the spec),
    /// the job unwrapped (2.166), and `{"replay_event": {..}}` (the deprecated Account
    /// Activity replay); read it with [`ReplayResponse::job`].
    pub struct ReplayResponse {
        /// The job (the spec's shape).
        pub data: Option<ReplayJob> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

impl ReplayResponse {
    /// The job, whichever shape it came in.
    pub fn job(&self) -> Option<ReplayJob> {
        if let Some(job) = &self.data {
            return Some(job.clone());
        }
        if let Some(event) = self.extra.get("replay_event") {
            return decode_value(event, "replay_event").ok();
        }
        let unwrapped = Value::Object(self.extra.clone());
        let job: ReplayJob = decode_value(&unwrapped, "").ok()?;
        job.job_id.is_some().then_some(job)
    }
}

wire_object! {
    #[default]
    /// `{"subscribed": bool}` (Account Activity).
    pub struct Subscribed {
        /// Whether the user is subscribed.
        pub subscribed: Option<bool> = "subscribed",
    }
}

wire_object! {
    #[default]
    /// Create, check and delete of an Account Activity subscription.
    pub struct SubscribedResponse {
        /// `{"subscribed": ..}`.
        pub data: Option<Subscribed> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// A subscribed user.
    pub struct AaaSubscriber {
        /// The user.
        pub user_id: Option<UserId> = "user_id",
    }
}

wire_object! {
    #[default]
    /// The Account Activity subscriptions of a webhook.
    pub struct AaaSubscriptions {
        /// The app.
        pub application_id: Option<String> = "application_id",
        /// The webhook.
        pub webhook_id: Option<String> = "webhook_id",
        /// Its URL.
        pub webhook_url: Option<String> = "webhook_url",
        /// The subscribed users.
        pub subscriptions: Vec<AaaSubscriber> = "subscriptions",
    }
}

wire_object! {
    #[default]
    /// `GET .../subscriptions/all/list`.
    pub struct AaaSubscriptionsResponse {
        /// The list.
        pub data: Option<AaaSubscriptions> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// The Account Activity subscription counts (every value a string).
    pub struct AaaCount {
        /// The account.
        pub account_name: Option<String> = "account_name",
        /// Subscriptions provisioned for the app.
        pub provisioned_count: Option<String> = "provisioned_count",
        /// Active subscriptions.
        pub subscriptions_count_all: Option<String> = "subscriptions_count_all",
        /// DM-only subscriptions (always `"0"`).
        pub subscriptions_count_direct_messages: Option<String> =
            "subscriptions_count_direct_messages",
    }
}

wire_object! {
    #[default]
    /// `GET /2/account_activity/subscriptions/count`.
    pub struct AaaCountResponse {
        /// The counts.
        pub data: Option<AaaCount> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}
