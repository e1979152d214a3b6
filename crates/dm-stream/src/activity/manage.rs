//! Managing real-time delivery: X Activity API subscriptions (and [`Client::ensure_subscription`],
//! idempotent), webhooks, replays, and Account Activity subscriptions.

use dm_model::activity::{
    AaaCount, AaaCountResponse, AaaSubscriptions, AaaSubscriptionsResponse, ActivityEventType,
    CreateSubscriptionRequest, CreateWebhookRequest, DeleteResponse, DeleteSubscriptionsResponse,
    ReplayJob, ReplayRequest, ReplayResponse, ReplayTime, SubscribedResponse, Subscription,
    SubscriptionResponse, SubscriptionsPage, UpdateSubscriptionRequest, ValidateWebhookResponse,
    WebhookConfig, WebhookResponse, WebhooksPage,
};
use dm_model::{ActivitySubscriptionId, Problem, UserId, WebhookConfigId};
use dm_query::{
    ApiRequest, CheckAaaSubscription, CreateAaaSubscription, CreateActivitySubscription,
    CreateWebhook, DeleteAaaSubscription, DeleteActivitySubscription, DeleteActivitySubscriptions,
    DeleteWebhook, GetAaaSubscriptionCount, ListAaaSubscriptions, ListActivitySubscriptions,
    ListWebhooks, ReplayWebhook, UpdateActivitySubscription, ValidateWebhook,
};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;

/// What [`Client::ensure_subscription`] found or made.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EnsuredSubscription {
    /// The subscription.
    pub subscription: Subscription,
    /// Whether it was created now (`false`: it existed).
    pub created: bool,
}

/// The most subscription pages read (1,000 subscriptions each): a server that never stops
/// paging is an error, not a hang.
const MAX_PAGES: usize = 1_000;

impl Client {
    async fn call<T: DeserializeOwned>(&self, request: &impl ApiRequest) -> Result<T, Error> {
        let response = self.execute_as_needed(request).await?;
        Ok(dm_model::decode(response.body())?)
    }

    /// Creates an X Activity API subscription (`POST /2/activity/subscriptions`). Not
    /// retried once sent (a second create makes a second subscription); use
    /// [`Client::ensure_subscription`] to create one only if it is missing.
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`] (e.g. a duplicate, or a user who has not
    /// authorized the app); [`Error::NoData`] for a 2xx without a subscription.
    pub async fn create_subscription(
        &self,
        body: CreateSubscriptionRequest,
    ) -> Result<Subscription, Error> {
        let r: SubscriptionResponse = self.call(&CreateActivitySubscription { body }).await?;
        subscription_of(r, "the new subscription")
    }

    /// Every subscription of the app, all pages (`GET /2/activity/subscriptions`).
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`]; [`Error::Unexpected`] when the pages do
    /// not end.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut request = ListActivitySubscriptions::new();
            if let Some(t) = &token {
                request = request.pagination_token(t.clone());
            }
            let page: SubscriptionsPage = self.call(&request).await?;
            out.extend(page.data.iter().cloned());
            match page.next_token() {
                Some(next) if !page.data.is_empty() && token.as_deref() != Some(next) => {
                    token = Some(next.to_owned());
                }
                _ => return Ok(out),
            }
        }
        Err(Error::Unexpected(format!(
            "the subscription pages did not end after {MAX_PAGES} pages"
        )))
    }

    /// A subscription to `event_type` for `user`'s activity: the existing one when the app
    /// has it (same type and user, no keyword or direction), else a new one with `tag` and
    /// `webhook`. With a `webhook` the existing one lacks, it is updated to deliver there
    /// too. Safe to call on every start.
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_model::activity::ActivityEventType;
    /// let me = "2244994945".parse()?;
    /// let s = client.ensure_subscription(ActivityEventType::DmReceived, me, Some("inbox"), None).await?;
    /// println!("subscription {:?} (new: {})", s.subscription.subscription_id, s.created);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Client::subscriptions`] and [`Client::create_subscription`].
    pub async fn ensure_subscription(
        &self,
        event_type: ActivityEventType,
        user: UserId,
        tag: Option<&str>,
        webhook: Option<WebhookConfigId>,
    ) -> Result<EnsuredSubscription, Error> {
        let find = |subs: Vec<Subscription>| {
            subs.into_iter().find(|s| {
                s.event_type.as_ref() == Some(&event_type)
                    && s.user_id() == Some(&user)
                    && s.filter
                        .as_ref()
                        .is_none_or(|f| f.keyword.is_none() && f.direction.is_none())
            })
        };
        if let Some(subscription) = find(self.subscriptions().await?) {
            let subscription = match (&webhook, &subscription.subscription_id) {
                (Some(w), Some(id)) if subscription.webhook_id.as_ref() != Some(w) => {
                    let body = UpdateSubscriptionRequest::new(None, Some(w.clone()))
                        .map_err(|e| Error::Config(e.to_string()))?;
                    self.update_subscription(id.clone(), body).await?
                }
                _ => subscription,
            };
            return Ok(EnsuredSubscription {
                subscription,
                created: false,
            });
        }
        let mut body = CreateSubscriptionRequest::for_user(event_type.clone(), user.clone());
        if let Some(t) = tag {
            body = body.tag(t).map_err(|e| Error::Config(e.to_string()))?;
        }
        if let Some(w) = webhook {
            body = body.webhook(w);
        }
        match self.create_subscription(body).await {
            Ok(subscription) => Ok(EnsuredSubscription {
                subscription,
                created: true,
            }),
            // Created meanwhile by another process: use it.
            Err(e) if is_conflict(&e) => match find(self.subscriptions().await?) {
                Some(subscription) => Ok(EnsuredSubscription {
                    subscription,
                    created: false,
                }),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// [`Client::ensure_subscription`] of `dm.received` for `user`: the subscription
    /// [`Client::activity_stream`] needs to see `user`'s incoming DMs.
    ///
    /// # Errors
    ///
    /// As [`Client::ensure_subscription`].
    pub async fn ensure_dm_subscription(&self, user: UserId) -> Result<EnsuredSubscription, Error> {
        self.ensure_subscription(ActivityEventType::DmReceived, user, Some("xdm"), None)
            .await
    }

    /// Changes a subscription's tag and/or webhook (`PUT /2/activity/subscriptions/{id}`).
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn update_subscription(
        &self,
        id: ActivitySubscriptionId,
        body: UpdateSubscriptionRequest,
    ) -> Result<Subscription, Error> {
        let r: SubscriptionResponse = self.call(&UpdateActivitySubscription { id, body }).await?;
        subscription_of(r, "the updated subscription")
    }

    /// Deletes a subscription; returns the API's `deleted`.
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn delete_subscription(&self, id: ActivitySubscriptionId) -> Result<bool, Error> {
        let r: DeleteResponse = self.call(&DeleteActivitySubscription { id }).await?;
        Ok(r.data.and_then(|d| d.deleted).unwrap_or(false))
    }

    /// Deletes up to 100 subscriptions; per-id outcomes and failures.
    ///
    /// # Errors
    ///
    /// [`Error::Query`] for 0 or more than 100 ids, before sending; the API's problems as
    /// [`Error::Transport`].
    pub async fn delete_subscriptions(
        &self,
        ids: Vec<ActivitySubscriptionId>,
    ) -> Result<DeleteSubscriptionsResponse, Error> {
        self.call(&DeleteActivitySubscriptions { ids }).await
    }

    /// The app's webhooks (`GET /2/webhooks`).
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn webhooks(&self) -> Result<Vec<WebhookConfig>, Error> {
        let page: WebhooksPage = self.call(&ListWebhooks::default()).await?;
        Ok(page.data)
    }

    /// Registers a webhook (`POST /2/webhooks`): X checks it with a CRC challenge at once,
    /// so the receiver must be up and reachable at `url` first.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a URL that is not absolute http(s) or is over 200 characters;
    /// the API's problems as [`Error::Transport`] (`CrcValidationFailed`,
    /// `DuplicateUrlFailed`, ...).
    pub async fn register_webhook(&self, url: &str) -> Result<WebhookConfig, Error> {
        let body = CreateWebhookRequest::new(url).map_err(|e| Error::Config(e.to_string()))?;
        let r: WebhookResponse = self.call(&CreateWebhook { body }).await?;
        r.data
            .ok_or_else(|| no_data("the registered webhook", r.errors))
    }

    /// Triggers a CRC check of a webhook (`PUT /2/webhooks/{id}`); returns `valid`.
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn validate_webhook(&self, id: WebhookConfigId) -> Result<bool, Error> {
        let r: ValidateWebhookResponse = self.call(&ValidateWebhook { id }).await?;
        Ok(r.data.and_then(|d| d.valid).unwrap_or(false))
    }

    /// Deletes a webhook; returns the API's `deleted`.
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn delete_webhook(&self, id: WebhookConfigId) -> Result<bool, Error> {
        let r: DeleteResponse = self.call(&DeleteWebhook { id }).await?;
        Ok(r.data.and_then(|d| d.deleted).unwrap_or(false))
    }

    /// Redelivers to a webhook what was delivered (or attempted) between two UTC minutes of
    /// the last 24 hours (`POST /2/webhooks/replay`). A `replay_job_status` body arrives at
    /// the webhook when it is done; receivers de-duplicate what they already had.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `to` is before `from`; the API's problems as
    /// [`Error::Transport`].
    pub async fn replay_webhook(
        &self,
        id: WebhookConfigId,
        from: ReplayTime,
        to: ReplayTime,
    ) -> Result<ReplayJob, Error> {
        let body = ReplayRequest::new(id, from, to).map_err(|e| Error::Config(e.to_string()))?;
        let r: ReplayResponse = self.call(&ReplayWebhook { body }).await?;
        r.job()
            .ok_or_else(|| no_data("the replay job", r.errors.clone()))
    }

    /// Subscribes the authenticated user's account activity to a webhook (Account Activity
    /// API, user context); returns `subscribed`.
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`] (`DuplicateSubscriptionFailed`, ...).
    pub async fn subscribe_account_activity(
        &self,
        webhook: WebhookConfigId,
    ) -> Result<bool, Error> {
        let r: SubscribedResponse = self
            .call(&CreateAaaSubscription {
                webhook_id: webhook,
            })
            .await?;
        Ok(r.data.and_then(|d| d.subscribed).unwrap_or(false))
    }

    /// Whether the authenticated user is subscribed to a webhook's account activity.
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn account_activity_subscribed(
        &self,
        webhook: WebhookConfigId,
    ) -> Result<bool, Error> {
        let r: SubscribedResponse = self
            .call(&CheckAaaSubscription {
                webhook_id: webhook,
            })
            .await?;
        Ok(r.data.and_then(|d| d.subscribed).unwrap_or(false))
    }

    /// The users subscribed to a webhook's account activity (app token).
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn account_activity_subscriptions(
        &self,
        webhook: WebhookConfigId,
    ) -> Result<AaaSubscriptions, Error> {
        let r: AaaSubscriptionsResponse = self
            .call(&ListAaaSubscriptions {
                webhook_id: webhook,
            })
            .await?;
        r.data
            .ok_or_else(|| no_data("the Account Activity subscriptions", r.errors))
    }

    /// Unsubscribes `user` from a webhook's account activity (app token); returns
    /// `subscribed` (`false` once done).
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn unsubscribe_account_activity(
        &self,
        webhook: WebhookConfigId,
        user: UserId,
    ) -> Result<bool, Error> {
        let r: SubscribedResponse = self
            .call(&DeleteAaaSubscription {
                webhook_id: webhook,
                user_id: user,
            })
            .await?;
        Ok(r.data.and_then(|d| d.subscribed).unwrap_or(true))
    }

    /// The app's Account Activity subscription counts (app token).
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn account_activity_count(&self) -> Result<AaaCount, Error> {
        let r: AaaCountResponse = self.call(&GetAaaSubscriptionCount).await?;
        r.data
            .ok_or_else(|| no_data("the Account Activity counts", r.errors))
    }
}

fn no_data(what: &str, problems: Vec<Problem>) -> Error {
    Error::NoData {
        what: what.to_owned(),
        problems,
    }
}

fn subscription_of(r: SubscriptionResponse, what: &str) -> Result<Subscription, Error> {
    match r.subscription()? {
        Some(s) => Ok(s),
        None => Err(no_data(what, r.errors)),
    }
}

/// A 409, or a problem naming a duplicate (`DuplicateSubscriptionFailed`, `conflict`).
fn is_conflict(e: &Error) -> bool {
    e.transport().and_then(|t| t.as_api()).is_some_and(|api| {
        api.status == http::StatusCode::CONFLICT
            || api.problems.iter().any(|p| {
                p.kind() == dm_model::ProblemKind::Conflict
                    || p.detail.as_deref().is_some_and(|d| d.contains("Duplicate"))
            })
    })
}
