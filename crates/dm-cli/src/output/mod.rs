//! Rendering events: JSONL records, CSV rows and the readable chat layout.

pub(crate) mod conversations;
pub(crate) mod csv_rows;
pub(crate) mod html;
pub(crate) mod pipe;
pub(crate) mod pretty;
pub(crate) mod sink;
