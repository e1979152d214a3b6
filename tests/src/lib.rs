//! Reliability and security suites for `xdm`, end to end over loopback sockets.
//!
//! This crate holds no product code: its integration tests (`tests/tests/*.rs`) exercise the
//! real client against the sandbox (`dm-fake`), raw loopback servers and, when `PRISM_URL`
//! is set, a Stoplight Prism mock of the official OpenAPI spec. The helpers here are shared
//! by those tests and by `cargo xtask fuzz` / `cargo xtask conformance`:
//!
//! - [`matrix`]: the fault matrix (each fault kind at several rates, compared with a clean run);
//! - [`cases`]: how many cases each property runs (`PROPTEST_CASES`) and the case counter
//!   that `cargo xtask fuzz` sums up;
//! - [`capture`]: a `tracing` writer that captures everything logged;
//! - [`prism`]: reading Prism's `sl-violations` verdict.
//!
//! ```
//! use xdm_tests::prism::request_violations;
//!
//! let header = r#"[{"location":["request","query","max_results"],"severity":"Error","message":"must be >= 1"},
//!                  {"location":["response","body"],"severity":"Error","message":"ignored"}]"#;
//! assert_eq!(request_violations(header), vec!["request.query.max_results: must be >= 1"]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod capture;
pub mod cases;
pub mod matrix;
pub mod prism;
