//! [`StoreUrl`]: which backend and where, parsed from the string the user gives.
//!
//! - `sqlite:PATH` or `sqlite://PATH` (`sqlite:///abs/path` is `/abs/path`): the embedded
//!   backend, one file. A plain path ending in `.sqlite`, `.sqlite3` or `.db` means the same.
//! - `postgres://...` or `postgresql://...`: a PostgreSQL connection URL (libpq's URL form,
//!   e.g. `postgres://user:pass@host:5432/dbname?connect_timeout=5`).
//!
//! Anything else is refused with [`Error::InvalidUrl`]. The password of a PostgreSQL URL never
//! appears in `Display`, `Debug` or an error.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::Error;

/// Where a store lives (see the module docs for the accepted forms).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreUrl {
    /// An SQLite database file (created when missing; its directory must exist).
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(PostgresUrl),
}

/// A PostgreSQL connection URL, kept whole for the driver and shown with its password hidden.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    full: String,
    redacted: String,
}

impl PostgresUrl {
    /// The URL as given, password included (pass it to the driver only).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))] // the PostgreSQL backend's
    pub(crate) fn expose(&self) -> &str {
        &self.full
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({:?})", self.redacted)
    }
}

/// File name endings taken as SQLite databases when no scheme is given.
const SQLITE_SUFFIXES: [&str; 3] = [".sqlite", ".sqlite3", ".db"];

impl StoreUrl {
    /// Parses a store URL.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for an unknown scheme, an empty path, an in-memory SQLite
    /// database, or a malformed PostgreSQL URL.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidUrl {
            url: redact_any(s),
            reason: reason.to_owned(),
        };
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(invalid("empty; expected sqlite:PATH or postgres://..."));
        }
        if let Some(rest) = strip_scheme(trimmed, "sqlite") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(invalid("no file path after `sqlite:`"));
            }
            if path == ":memory:" || path.starts_with("file:") || path.contains("mode=memory") {
                return Err(invalid(
                    "in-memory and `file:` SQLite URIs are not supported; give a file path",
                ));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if strip_scheme(trimmed, "postgres").is_some()
            || strip_scheme(trimmed, "postgresql").is_some()
        {
            // Without the `postgres` feature the URL is kept unchecked and `Store::open`
            // refuses it, naming the feature.
            #[cfg(feature = "postgres")]
            if let Err(e) = tokio_postgres::Config::from_str(trimmed) {
                return Err(invalid(&format!("not a PostgreSQL URL: {}", one_line(&e))));
            }
            return Ok(StoreUrl::Postgres(PostgresUrl {
                full: trimmed.to_owned(),
                redacted: redact_postgres(trimmed),
            }));
        }
        if let Some((scheme, _)) = trimmed.split_once("://") {
            return Err(invalid(&format!(
                "unsupported scheme `{scheme}`; expected sqlite:PATH or postgres://..."
            )));
        }
        let lower = trimmed.to_ascii_lowercase();
        if SQLITE_SUFFIXES.iter().any(|suffix| lower.ends_with(suffix)) {
            return Ok(StoreUrl::Sqlite(PathBuf::from(trimmed)));
        }
        Err(invalid(
            "expected sqlite:PATH, a file ending in .sqlite/.sqlite3/.db, or postgres://...",
        ))
    }

    /// The SQLite file, for an SQLite store.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            StoreUrl::Sqlite(p) => Some(p),
            StoreUrl::Postgres(_) => None,
        }
    }
}

impl FromStr for StoreUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        StoreUrl::parse(s)
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            StoreUrl::Postgres(u) => f.write_str(u.redacted()),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({self})")
    }
}

/// `rest` after `scheme:` (case-insensitive scheme).
fn strip_scheme<'a>(s: &'a str, scheme: &str) -> Option<&'a str> {
    let (head, rest) = s.split_once(':')?;
    head.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; also hides a
/// `password=` query parameter.
fn redact_postgres(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority_end, _) = rest
        .char_indices()
        .find(|&(_, c)| c == '/' || c == '?')
        .unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Any URL as it may appear in an error: PostgreSQL-looking ones redacted.
pub(crate) fn redact_any(s: &str) -> String {
    if s.contains("://") {
        redact_postgres(s.trim())
    } else {
        s.trim().to_owned()
    }
}

/// An error's message on one line.
pub(crate) fn one_line(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = inner.source();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms() {
        for (input, path) in [
            ("sqlite:dms.sqlite", "dms.sqlite"),
            ("sqlite://dms.sqlite", "dms.sqlite"),
            ("sqlite:///tmp/x.db", "/tmp/x.db"),
            ("SQLITE:/tmp/archive", "/tmp/archive"),
            ("dms.sqlite", "dms.sqlite"),
            ("./data/DMS.DB", "./data/DMS.DB"),
            ("x.sqlite3", "x.sqlite3"),
        ] {
            assert_eq!(
                StoreUrl::parse(input).unwrap().sqlite_path(),
                Some(Path::new(path)),
                "{input}"
            );
        }
    }

    #[test]
    fn postgres_forms_hide_the_password() {
        let url =
            StoreUrl::parse("postgres://me:s3cret@db.example:5433/dms?sslmode=disable").unwrap();
        let shown = format!("{url} {url:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://me:***@db.example:5433/dms"),
            "{shown}"
        );
        let url = StoreUrl::parse("postgresql://h/db?user=me&password=s3cret").unwrap();
        assert!(!url.to_string().contains("s3cret"));
        match url {
            StoreUrl::Postgres(u) => assert!(u.expose().contains("s3cret")),
            StoreUrl::Sqlite(_) => panic!("postgres"),
        }
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for (input, needle) in [
            ("", "empty"),
            ("mysql://h/db", "unsupported scheme `mysql`"),
            ("dms.json", "expected sqlite:PATH"),
            ("sqlite:", "no file path"),
            ("sqlite::memory:", "in-memory"),
            ("postgres://me:s3cret@h:notaport/db", "not a PostgreSQL URL"),
        ] {
            let e = StoreUrl::parse(input).unwrap_err().to_string();
            assert!(e.contains(needle), "{input}: {e}");
            assert!(!e.contains("s3cret"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
