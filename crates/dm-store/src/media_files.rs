//! [`MediaFile`]: which media of the stored events are kept, where, and what became of the
//! others (the `media_files` table).
//!
//! Every medium an event attaches gets a row keyed by its media key (or by `file:NAME`, the
//! archive's file name, when the archive's URL names no media id). A stored event's media
//! start as [`MediaStatus::Pending`]; `xdm sync --media` downloads them and `xdm import`
//! copies the archive's files, each into a [`MediaDir`](crate::MediaDir).
//!
//! When two sources report on one medium the better report wins, whatever the order:
//! pending < failed < missing from the archive < missing or expired at the API < present from
//! the API < present from the archive (a present file is never downloaded again, so the
//! archive's copy, once there, stays). A later failure replaces an earlier failure (its error
//! is newer).

use std::fmt;

use dm_model::DmEventId;

/// What became of a medium.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaStatus {
    /// Not fetched yet.
    Pending,
    /// Kept: the file is in the media folder, its SHA-256 verified.
    Present,
    /// The source does not have it (not in the archive; the API answered 404).
    Missing,
    /// The API no longer serves it (expired, gone).
    Expired,
    /// Fetching failed for a reason that may pass (network, server error, no URL known yet);
    /// tried again by the next `sync --media`.
    Failed,
}

impl MediaStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaStatus::Pending => "pending",
            MediaStatus::Present => "present",
            MediaStatus::Missing => "missing",
            MediaStatus::Expired => "expired",
            MediaStatus::Failed => "failed",
        }
    }

    /// The status spelled `s` (unknown spellings read as `Failed`, so they are tried again).
    pub fn parse(s: &str) -> MediaStatus {
        match s {
            "pending" => MediaStatus::Pending,
            "present" => MediaStatus::Present,
            "missing" => MediaStatus::Missing,
            "expired" => MediaStatus::Expired,
            _ => MediaStatus::Failed,
        }
    }
}

impl fmt::Display for MediaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One medium of the stored events and what the store knows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaFile {
    /// The media key (`3_1583157113245011970`), or `file:NAME` for an archive file whose
    /// URL names no media id.
    pub key: String,
    /// The event that attaches it.
    pub event_id: Option<DmEventId>,
    /// What became of it.
    pub status: MediaStatus,
    /// Who reported the status: `api` or `archive`.
    pub source: String,
    /// SHA-256 of the file, lowercase hex (present only).
    pub sha256: Option<String>,
    /// Its size in bytes (present only).
    pub size: Option<u64>,
    /// Its content type (present only): from the bytes, else from the server.
    pub content_type: Option<String>,
    /// Where it is, relative to the media folder (present only).
    pub file: Option<String>,
    /// Where it came from (the archive's media URL, or the API's media URL).
    pub url: Option<String>,
    /// Why it is not present (missing, expired, failed).
    pub error: Option<String>,
}

impl MediaFile {
    /// A pending medium of event `event_id`.
    pub fn pending(key: impl Into<String>, event_id: Option<DmEventId>) -> MediaFile {
        MediaFile {
            key: key.into(),
            event_id,
            status: MediaStatus::Pending,
            source: "api".into(),
            sha256: None,
            size: None,
            content_type: None,
            file: None,
            url: None,
            error: None,
        }
    }

    /// A medium kept in the media folder as `stored`, reported by `source`.
    pub fn present(
        key: impl Into<String>,
        event_id: Option<DmEventId>,
        source: &str,
        stored: &crate::StoredFile,
    ) -> MediaFile {
        MediaFile {
            status: MediaStatus::Present,
            source: source.to_owned(),
            sha256: Some(stored.sha256.clone()),
            size: Some(stored.size),
            content_type: Some(stored.content_type.clone()),
            file: Some(stored.file.clone()),
            ..MediaFile::pending(key, event_id)
        }
    }

    /// A medium that is not kept: `status` (missing, expired or failed) with `error`.
    pub fn unavailable(
        key: impl Into<String>,
        event_id: Option<DmEventId>,
        source: &str,
        status: MediaStatus,
        error: impl Into<String>,
    ) -> MediaFile {
        MediaFile {
            status,
            source: source.to_owned(),
            error: Some(error.into()),
            ..MediaFile::pending(key, event_id)
        }
    }

    /// Sets where it came from.
    pub fn with_url(mut self, url: Option<String>) -> MediaFile {
        self.url = url;
        self
    }

    /// How good the report is (see the module docs): a report replaces a worse one.
    pub(crate) fn rank(&self) -> i64 {
        let archive = self.source == "archive";
        match self.status {
            MediaStatus::Pending => 0,
            MediaStatus::Failed => 1,
            MediaStatus::Missing if archive => 2,
            MediaStatus::Missing | MediaStatus::Expired => 3,
            MediaStatus::Present if archive => 5,
            MediaStatus::Present => 4,
        }
    }

    /// Whether `sync --media` should fetch it (pending, failed, or missing from the archive
    /// only: the API may still serve it).
    pub fn wanted(&self) -> bool {
        self.rank() <= 2
    }
}

/// The rank at or below which `sync --media` fetches (see [`MediaFile::wanted`]).
pub(crate) const WANTED_RANK: i64 = 2;

/// A stored row as read back.
pub(crate) struct MediaRow {
    pub key: String,
    pub event_id: Option<String>,
    pub status: String,
    pub source: String,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub content_type: Option<String>,
    pub file: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
}

impl MediaRow {
    pub(crate) fn into_file(self) -> MediaFile {
        MediaFile {
            key: self.key,
            event_id: self.event_id.and_then(|i| DmEventId::parse(&i).ok()),
            status: MediaStatus::parse(&self.status),
            source: self.source,
            sha256: self.sha256,
            size: self.size.and_then(|s| u64::try_from(s).ok()),
            content_type: self.content_type,
            file: self.file,
            url: self.url,
            error: self.error,
        }
    }
}
