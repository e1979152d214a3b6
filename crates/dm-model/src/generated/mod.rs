//! Code generated from the vendored OpenAPI spec by `cargo xtask codegen`.

pub mod fields;
