//! Fixture pages rendered by the sandbox.

use bytes::Bytes;
use dm_fake::FakeServer;

use crate::BenchError;
use crate::lookup;
use crate::raw::RawClient;

/// The first page of the benchmarked lookup (100 events, every field and expansion) from a
/// sandbox generated with `seed` and `events` events, as the bytes the server sent.
///
/// Starts an in-process sandbox on the current Tokio runtime and stops it before returning.
///
/// # Errors
/// [`BenchError`] when the sandbox cannot start or the request fails.
pub async fn all_fields_page(seed: u64, events: usize) -> Result<Bytes, BenchError> {
    let server = FakeServer::builder()
        .seed(seed)
        .events(events)
        .start()
        .await?;
    let client = RawClient::new(server.base_url(), server.token());
    let body = client.get(&lookup::first_page_path_and_query()?).await;
    server.shutdown().await;
    body
}
