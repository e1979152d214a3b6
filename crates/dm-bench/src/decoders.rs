//! The three decodes of a page the benches compare, one function each, so that the criterion
//! bench, the end-to-end client and the profiling example all measure the same code. Each
//! decodes, passes the result through [`black_box`] and drops it.

use std::hint::black_box;

use crate::BenchError;
use crate::minimal::MinimalPage;

/// A decode of a page body.
pub type Decoder = fn(&[u8]) -> Result<(), BenchError>;

/// The decoders by name, typed first: `typed`, `value`, `minimal`.
pub const ALL: [(&str, Decoder); 3] = [("typed", typed), ("value", value), ("minimal", minimal)];

/// `dm_model::decode` into [`dm_model::DmEventsPage`]: what the client does.
///
/// # Errors
/// [`BenchError::TypedDecode`] for a body that does not decode.
pub fn typed(body: &[u8]) -> Result<(), BenchError> {
    black_box(dm_model::decode::<dm_model::DmEventsPage>(body)?);
    Ok(())
}

/// `serde_json::Value` of the same bytes: the yardstick for typed decode.
///
/// # Errors
/// [`BenchError::Decode`] for a body that is not JSON.
pub fn value(body: &[u8]) -> Result<(), BenchError> {
    black_box(serde_json::from_slice::<serde_json::Value>(body)?);
    Ok(())
}

/// The [`MinimalPage`] structs: the floor.
///
/// # Errors
/// [`BenchError::Decode`] for a body that does not decode.
pub fn minimal(body: &[u8]) -> Result<(), BenchError> {
    black_box(serde_json::from_slice::<MinimalPage>(body)?);
    Ok(())
}

/// The decoder called `name` (see [`ALL`]).
pub fn by_name(name: &str) -> Option<Decoder> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}
