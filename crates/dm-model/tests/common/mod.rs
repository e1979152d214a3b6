//! Shared by the model's test binaries: decode, then check that encoding gives back the
//! same JSON value.
#![allow(dead_code)]

use dm_model::decode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `bytes` as `T` and checks that encoding gives back the same JSON value.
pub fn round_trip_bytes<T: DeserializeOwned + Serialize>(what: &str, bytes: &[u8]) -> T {
    let typed: T = decode(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let original: Value = serde_json::from_slice(bytes).unwrap();
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(again, original, "{what} does not round-trip");
    typed
}

/// [`round_trip_bytes`] of `value`'s JSON text.
pub fn round_trip<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> T {
    round_trip_bytes(what, &serde_json::to_vec(value).unwrap())
}
