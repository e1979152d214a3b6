//! Shared by the store's test binaries: a fresh store of either backend, the
//! [`both_backends!`] macro that runs one test body against both, and test data.
#![allow(dead_code, unused_macros, unused_imports)]

pub mod data;

pub use dm_store::testing::pg;

use dm_store::Store;
use tempfile::TempDir;

/// A fresh, empty store and where it lives.
pub struct Fixture {
    /// The open store.
    pub store: Store,
    /// Its URL (to open it again, e.g. from a child process).
    pub url: String,
    /// Which backend.
    pub backend: &'static str,
    /// The SQLite file's directory (kept alive with the fixture).
    pub dir: Option<TempDir>,
}

impl Fixture {
    /// Opens the same store again (another handle, like another process would).
    pub async fn reopen(&self) -> Store {
        Store::open(&self.url).await.expect("reopen the store")
    }
}

/// A fresh SQLite store in a temp dir.
pub async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("dms.sqlite").display());
    Fixture {
        store: Store::open(&url).await.expect("open sqlite store"),
        url,
        backend: "sqlite",
        dir: Some(dir),
    }
}

/// A fresh PostgreSQL store (a new database in the shared cluster); `None` when skipped.
pub async fn postgres(test: &str) -> Option<Fixture> {
    let Some(cluster) = pg::cluster() else {
        pg::skipped(test, "PostgreSQL is not installed");
        return None;
    };
    let url = cluster.fresh_db().await;
    Some(Fixture {
        store: Store::open(&url).await.expect("open postgres store"),
        url,
        backend: "postgres",
        dir: None,
    })
}

/// Runs each `async fn name(f: Fixture)` of the calling file against both backends, as the
/// tests `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::common::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let test = concat!(module_path!(), "::", stringify!($name));
                    let Some(f) = super::common::postgres(test).await else { return };
                    super::$name(f).await
                }
            )*
        }
    };
}
