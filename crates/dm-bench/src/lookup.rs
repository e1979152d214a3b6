//! The benchmarked lookup: `GET /2/dm_events`, 100 events per page, every field and
//! expansion, in the canonical form the client sends.

use dm_query::{ApiRequest, BaseUrl, EventsQuery, ListEvents, Scope};

use crate::BenchError;

/// Events per page in every end-to-end scenario.
pub const PAGE_SIZE: u32 = 100;

/// The query: every field and expansion, [`PAGE_SIZE`] per page, no token.
pub fn all_fields_query() -> EventsQuery {
    EventsQuery::all_fields().max_results(PAGE_SIZE)
}

/// The path and query of the first page, exactly as `dm_stream::Client` sends it
/// (`/2/dm_events?max_results=100&dm_event.fields=...`).
///
/// # Errors
/// [`BenchError::Request`] if `dm-query` refuses the query (it does not).
pub fn first_page_path_and_query() -> Result<String, BenchError> {
    path_and_query(None)
}

/// The path and query of the page a `pagination_token` names (the first page for `None`).
///
/// # Errors
/// [`BenchError::Request`] for a token `dm-query` refuses (shorter than 16 characters).
pub fn path_and_query(token: Option<&str>) -> Result<String, BenchError> {
    let mut query = all_fields_query();
    if let Some(t) = token {
        query = query.pagination_token(t);
    }
    let base =
        BaseUrl::parse("http://127.0.0.1").map_err(|e| BenchError::Request(e.to_string()))?;
    let request = ListEvents::new(Scope::All, query)
        .to_request(&base)
        .map_err(|e| BenchError::Request(e.to_string()))?;
    request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .ok_or_else(|| BenchError::Request("no path".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_where_the_client_puts_it() {
        let first = first_page_path_and_query().unwrap();
        assert!(
            first.starts_with("/2/dm_events?max_results=100&"),
            "{first}"
        );
        assert!(first.contains("expansions="), "{first}");
        let next = path_and_query(Some("18LAA5FFPEKJA52G0G00ZZZZ")).unwrap();
        assert!(
            next.starts_with(
                "/2/dm_events?max_results=100&pagination_token=18LAA5FFPEKJA52G0G00ZZZZ&"
            ),
            "{next}"
        );
        assert!(path_and_query(Some("short")).is_err());
    }
}
