//! [`BaseUrl`]: where requests go (`https://api.x.com` unless told otherwise).

use std::fmt;
use std::str::FromStr;

use crate::encode::truncate;
use crate::error::QueryError;

/// The scheme, authority and optional path prefix every request path is appended to.
///
/// The default is `https://api.x.com`; point it at a local server in tests
/// (`BaseUrl::parse("http://127.0.0.1:4010")`) or at a proxy with a path prefix
/// (`https://proxy.example/x-api`). It never holds a query, a fragment or credentials.
///
/// ```
/// use dm_query::BaseUrl;
///
/// let base = BaseUrl::parse("http://127.0.0.1:4010/prefix/")?;
/// assert_eq!(base.as_str(), "http://127.0.0.1:4010/prefix");
/// assert_eq!(BaseUrl::default().as_str(), "https://api.x.com");
/// # Ok::<(), dm_query::QueryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// `scheme://authority[/prefix]`, lower-case scheme, no trailing `/`.
    url: String,
    /// Length of `scheme://authority` in `url`.
    origin_len: usize,
}

impl BaseUrl {
    /// The production API, `https://api.x.com`.
    pub const X_API: &'static str = "https://api.x.com";

    /// Parses `http(s)://host[:port][/prefix]`. A trailing `/` is dropped.
    ///
    /// # Errors
    ///
    /// [`QueryError::InvalidBaseUrl`] when `url` is not an absolute `http`/`https` URI, or has
    /// credentials, a query or a fragment.
    pub fn parse(url: &str) -> Result<Self, QueryError> {
        let invalid = |reason| QueryError::InvalidBaseUrl {
            url: if url.contains('@') {
                "<redacted>".to_owned()
            } else {
                truncate(url, 80)
            },
            reason,
        };
        if url.contains('#') {
            return Err(invalid("a base URL cannot have a fragment"));
        }
        let uri: http::Uri = url
            .parse()
            .map_err(|_| invalid("not an absolute http(s) URI"))?;
        let scheme = match uri.scheme_str().map(str::to_ascii_lowercase) {
            Some(s) if s == "http" || s == "https" => s,
            Some(_) => return Err(invalid("the scheme must be http or https")),
            None => return Err(invalid("not an absolute http(s) URI")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| invalid("the URI has no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid(
                "credentials in the base URL are not supported; configure authentication instead",
            ));
        }
        if authority.host().is_empty() {
            return Err(invalid("the URI has no host"));
        }
        if uri.query().is_some() {
            return Err(invalid("a base URL cannot have a query"));
        }
        let prefix = uri.path().trim_end_matches('/');
        let origin = format!("{scheme}://{}", authority.as_str().to_ascii_lowercase());
        let origin_len = origin.len();
        Ok(BaseUrl {
            url: format!("{origin}{prefix}"),
            origin_len,
        })
    }

    /// The URL, e.g. `https://api.x.com` (no trailing `/`).
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `scheme://authority`, without the path prefix.
    pub fn origin(&self) -> &str {
        self.url.get(..self.origin_len).unwrap_or(&self.url)
    }

    /// The path prefix (empty, or starting with `/` and without a trailing `/`).
    pub fn path_prefix(&self) -> &str {
        self.url.get(self.origin_len..).unwrap_or_default()
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.url.starts_with("https://")
    }

    /// The absolute URI of `path_and_query` (which starts with `/`) under this base.
    ///
    /// # Errors
    ///
    /// [`QueryError::Http`] when the result is not a valid URI (only possible for
    /// `path_and_query` that was not built by this crate).
    pub fn join(&self, path_and_query: &str) -> Result<http::Uri, QueryError> {
        format!("{}{path_and_query}", self.url)
            .parse()
            .map_err(|e: http::uri::InvalidUri| QueryError::Http {
                message: e.to_string(),
            })
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl {
            url: Self::X_API.to_owned(),
            origin_len: Self::X_API.len(),
        }
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl FromStr for BaseUrl {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for BaseUrl {
    type Error = QueryError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for BaseUrl {
    type Error = QueryError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_origins_and_prefixes() {
        let b = BaseUrl::parse("http://127.0.0.1:4010").unwrap();
        assert_eq!(b.as_str(), "http://127.0.0.1:4010");
        assert_eq!(b.origin(), "http://127.0.0.1:4010");
        assert_eq!(b.path_prefix(), "");
        assert!(!b.is_https());
        let b = BaseUrl::parse("HTTPS://API.X.com/x/api/").unwrap();
        assert_eq!(b.as_str(), "https://api.x.com/x/api");
        assert_eq!(b.path_prefix(), "/x/api");
        assert!(b.is_https());
        assert_eq!(
            b.join("/2/dm_events?max_results=5").unwrap().to_string(),
            "https://api.x.com/x/api/2/dm_events?max_results=5"
        );
        assert_eq!(
            BaseUrl::default(),
            BaseUrl::parse("https://api.x.com/").unwrap()
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_base() {
        for bad in [
            "",
            "api.x.com",
            "/2/dm_events",
            "ftp://api.x.com",
            "https://api.x.com/?a=b",
            "https://api.x.com/#frag",
            "http://",
            "https://user:secret@api.x.com",
            "https://api x.com",
        ] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert!(
                matches!(err, QueryError::InvalidBaseUrl { .. }),
                "{bad}: {err:?}"
            );
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
