//! Webhooks ([`ListWebhooks`], [`CreateWebhook`], [`ValidateWebhook`], [`DeleteWebhook`],
//! [`ReplayWebhook`]) and the Account Activity API subscriptions
//! ([`GetAaaSubscriptionCount`], [`CheckAaaSubscription`], [`CreateAaaSubscription`],
//! [`ListAaaSubscriptions`], [`DeleteAaaSubscription`]).

use bytes::Bytes;
use dm_model::activity::{CreateWebhookRequest, ReplayRequest};
use dm_model::{UserId, WebhookConfigField, WebhookConfigId};

use super::{ApiRequest, build, json_body};
use crate::base_url::BaseUrl;
use crate::error::QueryError;
use crate::operation::Operation;
use crate::query::values::ValueList;

/// Lists the app's webhooks (`GET /2/webhooks`), optionally with `webhook_config.fields`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListWebhooks {
    /// The fields to return (empty: the server's default).
    pub fields: Vec<WebhookConfigField>,
}

impl ApiRequest for ListWebhooks {
    fn operation(&self) -> Operation {
        Operation::GetWebhooks
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let mut q = String::new();
        if !self.fields.is_empty() {
            ValueList::new(self.fields.iter().cloned())?.encode(&mut q);
        }
        build(self.operation(), base, &[], &q, None)
    }
}

/// Registers a webhook (`POST /2/webhooks`): X sends a CRC challenge to the URL at once and
/// registers it only if the answer is right. Not idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateWebhook {
    /// The URL.
    pub body: CreateWebhookRequest,
}

impl ApiRequest for CreateWebhook {
    fn operation(&self) -> Operation {
        Operation::CreateWebhook
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[],
            "",
            Some(json_body(&self.body)?),
        )
    }
}

/// Triggers a CRC check of a webhook (`PUT /2/webhooks/{id}`), to re-validate it after
/// downtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidateWebhook {
    /// The webhook.
    pub id: WebhookConfigId,
}

impl ApiRequest for ValidateWebhook {
    fn operation(&self) -> Operation {
        Operation::ValidateWebhook
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.id.as_str()], "", None)
    }
}

/// Deletes a webhook (`DELETE /2/webhooks/{id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteWebhook {
    /// The webhook.
    pub id: WebhookConfigId,
}

impl ApiRequest for DeleteWebhook {
    fn operation(&self) -> Operation {
        Operation::DeleteWebhook
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.id.as_str()], "", None)
    }
}

/// Redelivers what was delivered (or attempted) to a webhook in a window of the last 24
/// hours (`POST /2/webhooks/replay`); a `replay_job_status` body arrives when it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayWebhook {
    /// The webhook and the window.
    pub body: ReplayRequest,
}

impl ApiRequest for ReplayWebhook {
    fn operation(&self) -> Operation {
        Operation::ReplayWebhook
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[],
            "",
            Some(json_body(&self.body)?),
        )
    }
}

/// The app's Account Activity subscription counts
/// (`GET /2/account_activity/subscriptions/count`; app bearer token).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetAaaSubscriptionCount;

impl ApiRequest for GetAaaSubscriptionCount {
    fn operation(&self) -> Operation {
        Operation::GetAaaSubscriptionCount
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[], "", None)
    }
}

/// Whether the authenticated user is subscribed to a webhook's Account Activity
/// (`GET /2/account_activity/webhooks/{id}/subscriptions/all`; user context).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckAaaSubscription {
    /// The webhook.
    pub webhook_id: WebhookConfigId,
}

impl ApiRequest for CheckAaaSubscription {
    fn operation(&self) -> Operation {
        Operation::CheckAaaSubscription
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[self.webhook_id.as_str()],
            "",
            None,
        )
    }
}

/// Subscribes the authenticated user's activity to a webhook
/// (`POST /2/account_activity/webhooks/{id}/subscriptions/all`, body `{}`; user context).
/// Not idempotent (a second create fails with `DuplicateSubscriptionFailed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateAaaSubscription {
    /// The webhook.
    pub webhook_id: WebhookConfigId,
}

impl ApiRequest for CreateAaaSubscription {
    fn operation(&self) -> Operation {
        Operation::CreateAaaSubscription
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        // The spec requires a body whose schema has no properties.
        build(
            self.operation(),
            base,
            &[self.webhook_id.as_str()],
            "",
            Some(b"{}".to_vec()),
        )
    }
}

/// The users subscribed to a webhook's Account Activity
/// (`GET /2/account_activity/webhooks/{id}/subscriptions/all/list`; app bearer token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListAaaSubscriptions {
    /// The webhook.
    pub webhook_id: WebhookConfigId,
}

impl ApiRequest for ListAaaSubscriptions {
    fn operation(&self) -> Operation {
        Operation::GetAaaSubscriptions
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[self.webhook_id.as_str()],
            "",
            None,
        )
    }
}

/// Unsubscribes a user from a webhook's Account Activity
/// (`DELETE /2/account_activity/webhooks/{id}/subscriptions/{user_id}/all`; app bearer
/// token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteAaaSubscription {
    /// The webhook.
    pub webhook_id: WebhookConfigId,
    /// The user.
    pub user_id: UserId,
}

impl ApiRequest for DeleteAaaSubscription {
    fn operation(&self) -> Operation {
        Operation::DeleteAaaSubscription
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[self.webhook_id.as_str(), self.user_id.as_str()],
            "",
            None,
        )
    }
}
