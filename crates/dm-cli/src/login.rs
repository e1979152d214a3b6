//! The stored OAuth 2.0 login: a JSON file in the config directory (mode `0600`, replaced
//! atomically), and [`FileTokenStore`], which saves rotated tokens there.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use dm_transport::{BoxError, Secret, TokenSet, TokenStore};
use serde::{Deserialize, Serialize};

use crate::atomic::{read_json, write_atomic};
use crate::error::CliError;

/// The config directory: `--config-dir` / `XDM_CONFIG_DIR`, else the platform's config
/// directory + `/xdm`.
pub(crate) fn config_dir(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => dirs::config_dir().map(|d| d.join("xdm")).ok_or_else(|| {
            CliError::Local("cannot find a config directory: set XDM_CONFIG_DIR".into())
        }),
    }
}

/// The token file inside a config directory.
pub(crate) fn token_path(dir: &Path) -> PathBuf {
    dir.join("login.json")
}

/// What `xdm auth login` stores. `Debug` never shows the tokens.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredLogin {
    pub(crate) version: u32,
    pub(crate) client_id: String,
    /// The API base URL the tokens were issued for (the OAuth endpoints derive from it).
    pub(crate) base_url: String,
    pub(crate) access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<String>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<String>,
}

impl std::fmt::Debug for StoredLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredLogin")
            .field("client_id", &self.client_id)
            .field("base_url", &self.base_url)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl StoredLogin {
    /// The login for `tokens`.
    pub(crate) fn new(client_id: &str, base_url: &str, tokens: &TokenSet) -> Self {
        StoredLogin {
            version: 1,
            client_id: client_id.to_owned(),
            base_url: base_url.to_owned(),
            access_token: tokens.access_token.expose().to_owned(),
            refresh_token: tokens.refresh_token.as_ref().map(|s| s.expose().to_owned()),
            expires_at: tokens
                .expires_at
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            scope: tokens.scope.clone(),
        }
    }

    /// The tokens, for the transport.
    pub(crate) fn tokens(&self) -> TokenSet {
        let mut set = TokenSet::new(Secret::new(self.access_token.clone()));
        if let Some(r) = &self.refresh_token {
            set = set.with_refresh_token(Secret::new(r.clone()));
        }
        if let Some(at) = self.expires_at {
            set = set.with_expires_at(UNIX_EPOCH + Duration::from_secs(at));
        }
        set.scope = self.scope.clone();
        set
    }

    /// Reads the login at `path`; `None` when there is none.
    pub(crate) fn load(path: &Path) -> Result<Option<Self>, CliError> {
        // Only where it went wrong: serde's reason could quote a token.
        read_json(path, |e| {
            CliError::Local(format!(
                "{} is not a valid login file (at `{}`): run `xdm auth login` again",
                path.display(),
                e.at
            ))
        })
    }

    /// Writes the login to `path` atomically, readable by the owner only.
    pub(crate) fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(path, &json)
    }

    /// Seconds until the access token expires (negative: expired).
    pub(crate) fn expires_in(&self) -> Option<i64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.expires_at.map(|at| at as i64 - now as i64)
    }
}

/// A [`TokenStore`] over the login file: every refresh (X rotates the refresh token) is
/// written back atomically, so the next run starts with the live refresh token.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
    client_id: String,
    base_url: String,
}

impl FileTokenStore {
    /// A store writing to `path` for the OAuth 2.0 client `client_id` at `base_url`.
    pub fn new(path: PathBuf, client_id: impl Into<String>, base_url: impl Into<String>) -> Self {
        FileTokenStore {
            path,
            client_id: client_id.into(),
            base_url: base_url.into(),
        }
    }

    /// The file it writes.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn save(&self, tokens: &TokenSet) -> Result<(), BoxError> {
        let login = StoredLogin::new(&self.client_id, &self.base_url, tokens);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || login.save(&path))
            .await
            .map_err(|e| Box::new(e) as BoxError)?
            .map_err(|e| Box::new(e) as BoxError)
    }
}
