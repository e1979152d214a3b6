//! Test doubles (feature `test-util`): replay recorded exchanges, record real ones, capture
//! requests.
//!
//! Exchanges use the shape of `tests/data/recorded-dm-exchanges.json`: `method`, `uri`,
//! `request_body`, `status`, `headers`, `body` (decoded JSON, or a string for other bodies),
//! plus an optional `fault` (`timeout`, `reset`, `connect_refused`) to script failures.

mod capture;
mod exchange;
mod record;
mod replay;

pub use capture::{CaptureTransport, CapturedRequest};
pub use exchange::{Exchange, Fault};
pub use record::RecordingTransport;
pub use replay::ReplayTransport;
