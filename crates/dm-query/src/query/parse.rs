//! Splitting a query string into its parameters: the shared first half of
//! `EventsQuery::parse` and `FieldsQuery::parse`.

use percent_encoding::percent_decode_str;

use crate::encode::truncate;
use crate::error::QueryError;

/// The decoded parameters of a query string, each at most once.
pub(crate) struct RawParams(Vec<(&'static str, String)>);

impl RawParams {
    /// Splits `query` (with or without a leading `?`) on `&` and `=`, percent-decodes names
    /// and values, and refuses names not in `allowed` and names given twice. Empty pieces
    /// (`a=1&&b=2`) are skipped; a name without `=` has an empty value.
    pub(crate) fn split(query: &str, allowed: &'static [&'static str]) -> Result<Self, QueryError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut params: Vec<(&'static str, String)> = Vec::new();
        for piece in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
            let name = decode(raw_name, raw_name)?;
            let Some(known) = allowed.iter().copied().find(|a| *a == name) else {
                return Err(QueryError::UnknownParameter {
                    name: truncate(&name, 64),
                    allowed: allowed.to_vec(),
                });
            };
            if params.iter().any(|(n, _)| *n == known) {
                return Err(QueryError::RepeatedParameter { name: known });
            }
            params.push((known, decode(raw_value, known)?));
        }
        Ok(RawParams(params))
    }

    /// The decoded value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decodes `s` as UTF-8 (`+` stays `+`: RFC 3986, not form encoding).
fn decode(s: &str, param: &str) -> Result<String, QueryError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| QueryError::InvalidEncoding {
            param: truncate(param, 64),
        })
}
