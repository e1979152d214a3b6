//! The layers of the [`Stack`](crate::Stack): endpoint families, rate limiting, retries.

mod clock;
mod family;
mod rate_limit;
mod retry;

pub use clock::{Clock, SystemClock};
pub use family::EndpointFamily;
pub(crate) use rate_limit::BudgetKey;
pub use rate_limit::RateLimitPolicy;
pub use retry::{Idempotent, RetryPolicy};
