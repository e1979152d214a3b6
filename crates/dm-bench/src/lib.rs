//! Benchmarks for xdm: what the criterion benches and the end-to-end binaries share.
//!
//! - `cargo bench -p dm-bench`: criterion micro-benches: decoding a 100-event page with
//!   every field and expansion (typed [`dm_model::DmEventsPage`] vs `serde_json::Value` vs the
//!   [`minimal`] structs, the floor for typed decode), query encoding, OAuth 1.0a signing.
//! - `cargo xtask bench [--quick]`: end to end over loopback, the sandbox in one process
//!   (`dm-bench-server`) and each measurement in another (`dm-bench-client`); medians go
//!   to `docs/benchmarks.md`.
//!
//! This crate holds the pieces both need: the benchmarked lookup ([`lookup`]), the raw
//! baseline client ([`raw::RawClient`]: the bare hyper client plus serde_json into
//! [`minimal`] structs), the three page decodes compared ([`decoders`]), a fixture page
//! ([`fixture::all_fields_page`]) and the peak resident set size of the current process
//! ([`rss::peak_rss_kib`]), and the generated video of the upload scenario
//! ([`upload::write_video`]). The real-time scenarios ([`realtime`]: latency on the activity
//! stream and through a webhook, webhook verification throughput) run in one process,
//! `dm-bench-realtime`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dm_bench::{fixture, minimal::MinimalPage};
//!
//! // The first page of `GET /2/dm_events` with every field and expansion, 100 events.
//! let body = fixture::all_fields_page(1, 300).await?;
//! let typed: dm_model::DmEventsPage = dm_model::decode(&body)?;
//! let floor: MinimalPage = serde_json::from_slice(&body)?;
//! assert_eq!(typed.data.len(), 100);
//! assert_eq!(floor.data.len(), typed.data.len());
//! assert_eq!(floor.meta.next_token.as_deref(), typed.next_token());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod decoders;
mod error;
pub mod fixture;
pub mod lookup;
pub mod minimal;
pub mod raw;
pub mod realtime;
pub mod rss;
pub mod store;
pub mod upload;

pub use error::BenchError;
