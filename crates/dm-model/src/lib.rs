//! Pure serde types for the X API v2 Direct Messages endpoints.
#![deny(missing_docs)]
