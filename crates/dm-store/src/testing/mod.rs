//! Test-only hooks (feature `test-hooks`): never enabled in a normal build. A writer paused
//! inside its transaction (crash tests), old-schema fixtures, and [`pg`], a throw-away
//! PostgreSQL cluster for tests and benchmarks.

pub mod pg;

use std::path::Path;
use std::time::Duration;

use crate::error::Error;

/// How long a paused writer waits for the test to kill it before rolling back.
const PAUSE: Duration = Duration::from_secs(120);

fn marker_error(marker: &Path, e: &std::io::Error) -> Error {
    Error::Open {
        path: marker.display().to_string(),
        reason: e.to_string(),
    }
}

/// Creates `marker`, then blocks the thread (inside the open transaction) until killed.
pub(crate) fn pause_blocking(marker: &Path) -> Result<(), Error> {
    std::fs::write(marker, b"paused inside the transaction\n")
        .map_err(|e| marker_error(marker, &e))?;
    std::thread::sleep(PAUSE);
    Err(Error::corrupt("test pause", "not killed in time"))
}

/// Creates `marker`, then waits (inside the open transaction) until killed.
pub(crate) async fn pause(marker: &Path) -> Result<(), Error> {
    std::fs::write(marker, b"paused inside the transaction\n")
        .map_err(|e| marker_error(marker, &e))?;
    tokio::time::sleep(PAUSE).await;
    Err(Error::corrupt("test pause", "not killed in time"))
}

/// Creates an SQLite store at `path` with the schema of `version` only (for the migration
/// fixtures): the same steps an older xdm ran.
///
/// # Errors
///
/// A database error.
pub fn create_sqlite_at_version(path: &Path, version: i64) -> Result<rusqlite::Connection, Error> {
    let conn = crate::sqlite::open::connect(path)?;
    let doing = format!("creating a version {version} store");
    for v in 1..=version {
        crate::sqlite::open::apply_step(&conn, v).map_err(|e| Error::db(&doing, &e))?;
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, 0)",
            (v, crate::schema::step_name(v)),
        )
        .map_err(|e| Error::db(&doing, &e))?;
    }
    conn.pragma_update(
        None,
        "application_id",
        crate::schema::sqlite::APPLICATION_ID,
    )
    .and_then(|()| conn.pragma_update(None, "user_version", version))
    .map_err(|e| Error::db(&doing, &e))?;
    Ok(conn)
}

/// Creates the store schema of `version` only in the PostgreSQL database at `url` (for the
/// migration tests): the same steps an older xdm ran.
///
/// # Errors
///
/// A connection or database error.
pub async fn create_postgres_at_version(url: &str, version: i64) -> Result<(), Error> {
    let (mut client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| Error::db("connecting", &e))?;
    tokio::spawn(conn);
    let doing = format!("creating a version {version} store");
    let tx = client
        .transaction()
        .await
        .map_err(|e| Error::db(&doing, &e))?;
    for v in 1..=version {
        crate::postgres::apply_step(&tx, v)
            .await
            .map_err(|e| Error::db(&doing, &e))?;
        tx.execute(
            "INSERT INTO xdm_schema_migrations (version, name) VALUES ($1, $2)",
            &[&v, &crate::schema::step_name(v)],
        )
        .await
        .map_err(|e| Error::db(&doing, &e))?;
    }
    tx.commit().await.map_err(|e| Error::db(&doing, &e))
}

/// A generated account archive for tests.
pub mod archive;
