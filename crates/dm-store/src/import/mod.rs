//! Import (placeholder).
