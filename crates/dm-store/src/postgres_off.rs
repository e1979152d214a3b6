//! Without the `postgres` feature: the PostgreSQL backend's types exist but cannot be made
//! (a `postgres://` URL is refused when parsed, naming the feature), so the dispatch in
//! `lib.rs` stays the same in both builds.

use std::sync::Arc;
use std::time::Duration;

use dm_model::{DmConversationId, User};
use futures::stream::BoxStream;
use serde_json::Value;

use crate::account::Account;
use crate::batch::{Applied, Batch};
use crate::conversation::Conversation;
use crate::error::Error;
use crate::page::{EventPage, Page};
use crate::search::{SearchHit, SearchQuery};
use crate::url::PostgresUrl;
use crate::{AccountInfo, StoredEvent};

/// Why a `postgres://` store cannot be opened by this build.
pub(crate) const NOT_COMPILED: &str =
    "this build has no PostgreSQL support: enable dm-store's `postgres` feature";

/// Never constructed.
#[derive(Debug)]
pub(crate) enum PgStore {}

/// Never constructed.
#[derive(Debug)]
pub(crate) enum PgWriter {}

impl PgStore {
    pub(crate) async fn open(url: PostgresUrl) -> Result<Arc<Self>, Error> {
        Err(Error::InvalidUrl {
            url: url.redacted().to_owned(),
            reason: NOT_COMPILED.to_owned(),
        })
    }

    pub(crate) async fn writer(&self, _: &Account, _: Duration) -> Result<PgWriter, Error> {
        match *self {}
    }

    pub(crate) async fn accounts(&self) -> Result<Vec<AccountInfo>, Error> {
        match *self {}
    }

    pub(crate) async fn cursor(&self, _: &Account, _: &str) -> Result<Option<Value>, Error> {
        match *self {}
    }

    pub(crate) async fn conversations(&self, _: &Account) -> Result<Vec<Conversation>, Error> {
        match *self {}
    }

    pub(crate) async fn conversation_events(
        &self,
        _: &Account,
        _: &DmConversationId,
        _: &Page,
    ) -> Result<EventPage, Error> {
        match *self {}
    }

    pub(crate) async fn search(
        &self,
        _: &Account,
        _: &SearchQuery,
    ) -> Result<Vec<SearchHit>, Error> {
        match *self {}
    }

    pub(crate) async fn find_user(&self, _: &Account, _: &str) -> Result<Option<User>, Error> {
        match *self {}
    }

    pub(crate) async fn media_files(
        &self,
        _: &Account,
        _: bool,
    ) -> Result<Vec<(crate::MediaFile, Option<dm_model::Media>)>, Error> {
        match *self {}
    }

    pub(crate) fn export(
        self: &Arc<Self>,
        _: &Account,
        _: i64,
    ) -> BoxStream<'static, Result<StoredEvent, Error>> {
        match **self {}
    }
}

impl PgWriter {
    pub(crate) async fn cursor(&self, _: &str) -> Result<Option<Value>, Error> {
        match *self {}
    }

    pub(crate) async fn apply(&mut self, _: Batch) -> Result<Applied, Error> {
        match *self {}
    }
}
