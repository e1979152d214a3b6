//! PostgreSQL migrations: one transaction under an advisory lock, so concurrent openers
//! migrate once; a newer schema is refused inside it and rolled back (nothing changed).

use tokio_postgres::Client;

use crate::error::Error;
use crate::schema::{self, VERSION, postgres as ddl};
use crate::search::query::tsvector;
use crate::search::tokenize::indexed_tokens;

/// Applies the missing steps; `location` names the database in errors.
pub(crate) async fn migrate(client: &mut Client, location: &str) -> Result<(), Error> {
    let doing = |what: &str| format!("{what} {location}");
    let tx = client
        .transaction()
        .await
        .map_err(|e| Error::db(doing("migrating"), &e))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&ddl::LOCK_SPACE, &ddl::MIGRATION_LOCK],
    )
    .await
    .map_err(|e| Error::db(doing("locking for migration"), &e))?;
    let current = current_version(&tx, location).await?;
    if current > VERSION {
        return Err(Error::NewerSchema {
            location: location.to_owned(),
            found: current,
            supported: VERSION,
        });
    }
    if current == VERSION {
        return Ok(());
    }
    if current >= 1 {
        // Steps can rebuild the search column: say so before a long pause.
        let events: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM xdm_events)", &[])
            .await
            .map_err(|e| Error::db(doing("migrating"), &e))?
            .get(0);
        if events {
            tracing::warn!(
                "upgrading {location} from schema version {current} to {VERSION} (once; \
                 can take a while on a large store)"
            );
        }
    }
    for version in current + 1..=VERSION {
        let doing = format!(
            "migrating {location} to version {version} ({})",
            schema::step_name(version)
        );
        tracing::info!("{doing}");
        apply_step(&tx, version)
            .await
            .map_err(|e| Error::db(&doing, &e))?;
        tx.execute(
            "INSERT INTO xdm_schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, &schema::step_name(version)],
        )
        .await
        .map_err(|e| Error::db(&doing, &e))?;
    }
    tx.commit()
        .await
        .map_err(|e| Error::db(doing("committing the migration of"), &e))
}

/// The recorded schema version (0 when the database has no xdm tables).
async fn current_version(
    tx: &tokio_postgres::Transaction<'_>,
    location: &str,
) -> Result<i64, Error> {
    let row = tx
        .query_one(
            "SELECT to_regclass('xdm_schema_migrations') IS NOT NULL,
                    to_regclass('xdm_events') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| Error::db(format!("reading the schema of {location}"), &e))?;
    let (has_migrations, has_events): (bool, bool) = (row.get(0), row.get(1));
    if !has_migrations {
        if has_events {
            return Err(Error::ForeignDatabase {
                location: location.to_owned(),
                tables: "xdm_events without xdm_schema_migrations".into(),
            });
        }
        return Ok(0);
    }
    let row = tx
        .query_one("SELECT max(version) FROM xdm_schema_migrations", &[])
        .await
        .map_err(|e| Error::db(format!("reading the schema of {location}"), &e))?;
    Ok(row.get::<_, Option<i64>>(0).unwrap_or(0))
}

/// Runs step `version`.
pub(crate) async fn apply_step(
    tx: &tokio_postgres::Transaction<'_>,
    version: i64,
) -> Result<(), tokio_postgres::Error> {
    match version {
        1 => tx.batch_execute(ddl::V1).await,
        2 => {
            tx.batch_execute(ddl::V2_COLUMN).await?;
            fill_search(tx).await?;
            tx.batch_execute(ddl::V2_INDEXES).await
        }
        3 => {
            tx.batch_execute(ddl::V3).await?;
            reorder_made_ids(tx).await?;
            record_pending_media(tx).await
        }
        _ => Ok(()),
    }
}

/// Recomputes the order key of ids at or above 2^63 (step 3, see `crate::synthetic`).
async fn reorder_made_ids(
    tx: &tokio_postgres::Transaction<'_>,
) -> Result<(), tokio_postgres::Error> {
    let rows = tx
        .query("SELECT account, id FROM xdm_events WHERE seq >= 0", &[])
        .await?;
    for row in rows {
        let (account, id): (i32, String) = (row.get(0), row.get(1));
        if let Ok(parsed) = dm_model::DmEventId::parse(&id) {
            tx.execute(
                "UPDATE xdm_events SET seq = $3 WHERE account = $1 AND id = $2",
                &[&account, &id, &crate::synthetic::order_key(&parsed)],
            )
            .await?;
        }
    }
    Ok(())
}

/// Records the media of the stored events as pending (step 3).
async fn record_pending_media(
    tx: &tokio_postgres::Transaction<'_>,
) -> Result<(), tokio_postgres::Error> {
    let rows = tx
        .query(
            "SELECT account, id, json FROM xdm_events WHERE strpos(json, '\"media_keys\"') > 0",
            &[],
        )
        .await?;
    let now = crate::batch::now_ms();
    for row in rows {
        let (account, id, json): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
        let Ok(event) = serde_json::from_str::<dm_model::DmEvent>(&json) else {
            continue;
        };
        for key in event.media_keys() {
            tx.execute(
                "INSERT INTO xdm_media_files (account, media_key, event_id, status, rank, source,
                     updated_ms)
                 VALUES ($1, $2, $3, 'pending', 0, 'api', $4) ON CONFLICT DO NOTHING",
                &[&account, &key.as_str(), &id, &now],
            )
            .await?;
        }
    }
    Ok(())
}

/// Fills `search` from `text` for the events already stored (step 2 on an older store).
async fn fill_search(tx: &tokio_postgres::Transaction<'_>) -> Result<(), tokio_postgres::Error> {
    let rows = tx
        .query(
            "SELECT account, id, text FROM xdm_events WHERE text IS NOT NULL",
            &[],
        )
        .await?;
    let update = tx
        .prepare("UPDATE xdm_events SET search = $3::text::tsvector WHERE account = $1 AND id = $2")
        .await?;
    for row in rows {
        let (account, id, text): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
        let tokens = indexed_tokens(&text);
        if !tokens.is_empty() {
            tx.execute(&update, &[&account, &id, &tsvector(&tokens)])
                .await?;
        }
    }
    Ok(())
}
