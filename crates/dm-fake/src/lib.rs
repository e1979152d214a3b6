//! A sandbox HTTP server that behaves like the X API v2 Direct Messages endpoints.
#![deny(missing_docs)]
