//! Real-time DMs: the X Activity API stream ([`Client::activity_stream`]), subscription
//! management ([`Client::ensure_dm_subscription`] and friends), webhooks and replays, and
//! the Account Activity subscriptions.
//!
//! [`Client::activity_stream`]: crate::Client::activity_stream
//! [`Client::ensure_dm_subscription`]: crate::Client::ensure_dm_subscription

mod lines;
mod manage;
mod stream;

pub use manage::EnsuredSubscription;
pub use stream::{ActivityStream, ActivityStreamOptions, ActivityStreamStats, ReconnectPolicy};
