//! Media upload (reference `x-api-realtime-media-reference.md` §2): the one-shot
//! `POST /2/media/upload`, the chunked initialize / append / finalize, the status, and what a
//! DM send checks about its attachment.
//!
//! Uploaded bytes are hashed (SHA-256) as they arrive and kept only below
//! [`UploadConfig::keep_bytes_up_to`], so a 200 MB video costs the sandbox a few bytes per
//! segment, not 200 MB.

mod form;
mod handlers;
mod segments;

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use bytes::Bytes;

use crate::config::FaultKind;

pub(crate) use handlers::{attach_refused, handle, segment_of};
use segments::Segments;

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// How the sandbox processes uploads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadConfig {
    /// `check_after_secs` in every `processing_info` (default 1).
    pub check_after_secs: u64,
    /// How long a video or animated GIF takes to process after finalize, on the sandbox's
    /// clock (default 2 s): `pending` for the first third, then `in_progress` with a
    /// percentage, then `succeeded` (or `failed`, see
    /// [`FakeServer::fail_next_processing`](crate::FakeServer::fail_next_processing)).
    pub processing_time: Duration,
    /// Uploads of at most this many bytes keep their bytes for
    /// [`UploadedMedia::bytes`] (default 16 MiB); larger ones keep only the hash and length.
    pub keep_bytes_up_to: u64,
    /// How long an uploaded media id stays usable (default 24 hours, as documented).
    pub lifetime: Duration,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            check_after_secs: 1,
            processing_time: Duration::from_secs(2),
            keep_bytes_up_to: 16 * MIB,
            lifetime: Duration::from_secs(86_400),
        }
    }
}

impl UploadConfig {
    /// Processing that is over at the first status check, polled without waiting
    /// (`check_after_secs: 0`): for fast tests.
    pub fn instant() -> Self {
        UploadConfig {
            check_after_secs: 0,
            processing_time: Duration::ZERO,
            ..UploadConfig::default()
        }
    }

    /// Sets `check_after_secs`.
    pub fn check_after_secs(mut self, secs: u64) -> Self {
        self.check_after_secs = secs;
        self
    }

    /// Sets the processing time.
    pub fn processing_time(mut self, time: Duration) -> Self {
        self.processing_time = time;
        self
    }

    /// Sets the size up to which uploaded bytes are kept.
    pub fn keep_bytes_up_to(mut self, bytes: u64) -> Self {
        self.keep_bytes_up_to = bytes;
        self
    }
}

/// An uploaded media object, as the sandbox holds it (for assertions).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadedMedia {
    /// The media id.
    pub media_id: String,
    /// The media key (`3_` photo, `7_` video, `16_` animated GIF, then the id).
    pub media_key: String,
    /// The uploading user's id.
    pub owner: String,
    /// `media_category` as sent (`tweet_*` when none was: the API assumes a Post).
    pub category: String,
    /// `media_type` as sent at initialize, if any.
    pub media_type: Option<String>,
    /// Bytes received (for a finalized upload: the file's size).
    pub size: u64,
    /// Segments received (1 for a one-shot upload).
    pub segments: u32,
    /// The SHA-256 of the file, lowercase hex, once finalized (or uploaded in one shot).
    pub sha256: Option<String>,
    /// The file's bytes, when finalized and no larger than
    /// [`UploadConfig::keep_bytes_up_to`].
    pub bytes: Option<Bytes>,
    /// Whether finalize (or the one-shot upload) completed.
    pub finalized: bool,
    /// The processing state now (`None`: no processing, e.g. an image).
    pub state: Option<String>,
}

/// A routed upload request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UploadRoute {
    OneShot,
    Initialize,
    Append(String),
    Finalize(String),
    Status,
}

impl UploadRoute {
    pub(crate) fn parse(method: &str, segs: &[&str]) -> Option<UploadRoute> {
        Some(match (method, segs) {
            ("POST", ["2", "media", "upload"]) => UploadRoute::OneShot,
            ("POST", ["2", "media", "upload", "initialize"]) => UploadRoute::Initialize,
            ("POST", ["2", "media", "upload", id, "append"]) => UploadRoute::Append((*id).into()),
            ("POST", ["2", "media", "upload", id, "finalize"]) => {
                UploadRoute::Finalize((*id).into())
            }
            ("GET", ["2", "media", "upload"]) => UploadRoute::Status,
            _ => return None,
        })
    }
}

/// The media kind, as the dataset's media table numbers it: 0 photo, 1 video, 2 animated GIF.
pub(crate) fn kind_of(category: &str) -> u8 {
    match category {
        "dm_video" | "tweet_video" | "amplify_video" => 1,
        "dm_gif" | "tweet_gif" => 2,
        _ => 0,
    }
}

/// Whether media of `category` is processed asynchronously (videos and animated GIFs).
fn is_async(category: &str) -> bool {
    kind_of(category) != 0
}

/// The documented size limit of a category (reference §2.7), in bytes.
fn limit_of(category: &str) -> Option<u64> {
    match category {
        "dm_image" | "tweet_image" => Some(5 * MIB),
        "dm_gif" | "tweet_gif" => Some(15 * MIB),
        "dm_video" | "tweet_video" | "amplify_video" => Some(512 * MIB),
        _ => None,
    }
}

/// One media object.
#[derive(Debug)]
struct Rec {
    owner: u64,
    additional_owners: Vec<u64>,
    category: String,
    media_type: Option<String>,
    declared: Option<u64>,
    expires_ms: i64,
    segments: Segments,
    /// When finalize completed, on the sandbox clock.
    finalized_ms: Option<i64>,
    sha256: Option<[u8; 32]>,
    bytes: Option<Bytes>,
    /// Processing ends in `failed`.
    fails: bool,
}

/// Every upload.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    pub config: UploadConfig,
    media: HashMap<u64, Rec>,
    last_id: u64,
    /// Finalized async uploads still to fail, in order.
    fail_next: u32,
    /// Faults for the next append of a segment index.
    segment_faults: HashMap<u32, VecDeque<FaultKind>>,
}

impl Uploads {
    pub(crate) fn new(config: UploadConfig) -> Self {
        Uploads {
            config,
            ..Uploads::default()
        }
    }

    /// A fresh snowflake media id at `now_ms`.
    fn next_id(&mut self, now_ms: i64) -> u64 {
        let id = crate::clock::snowflake_floor(now_ms).max(self.last_id + 1);
        self.last_id = id;
        id
    }

    pub(crate) fn fail_next_processing(&mut self) {
        self.fail_next += 1;
    }

    pub(crate) fn queue_segment_fault(&mut self, segment: u32, fault: FaultKind) {
        self.segment_faults
            .entry(segment)
            .or_default()
            .push_back(fault);
    }

    pub(crate) fn has_segment_faults(&self) -> bool {
        self.segment_faults.values().any(|q| !q.is_empty())
    }

    pub(crate) fn take_segment_fault(&mut self, segment: u32) -> Option<FaultKind> {
        self.segment_faults.get_mut(&segment)?.pop_front()
    }

    /// The processing state of a finalized async upload at `now_ms`, with its percentage.
    fn processing(&self, rec: &Rec, now_ms: i64) -> Option<(&'static str, u32)> {
        let done = rec.finalized_ms?;
        if !is_async(&rec.category) {
            return None;
        }
        let total = self.config.processing_time.as_millis() as i64;
        let elapsed = now_ms - done;
        Some(if elapsed >= total {
            if rec.fails {
                ("failed", 50)
            } else {
                ("succeeded", 100)
            }
        } else if elapsed < total / 3 {
            ("pending", 0)
        } else {
            (
                "in_progress",
                (elapsed * 100 / total.max(1)).clamp(1, 99) as u32,
            )
        })
    }

    /// The kept bytes of a finalized upload.
    pub(crate) fn bytes(&self, media_id: u64) -> Option<Bytes> {
        self.media.get(&media_id)?.bytes.clone()
    }

    pub(crate) fn view(&self, media_id: u64, now_ms: i64) -> Option<UploadedMedia> {
        let rec = self.media.get(&media_id)?;
        Some(UploadedMedia {
            media_id: media_id.to_string(),
            media_key: media_key(media_id, &rec.category),
            owner: rec.owner.to_string(),
            category: rec.category.clone(),
            media_type: rec.media_type.clone(),
            size: rec.segments.received(),
            segments: rec.segments.count(),
            sha256: rec.sha256.map(|d| hex(&d)),
            bytes: rec.bytes.clone(),
            finalized: rec.finalized_ms.is_some(),
            state: self
                .processing(rec, now_ms)
                .map(|(state, _)| state.to_owned()),
        })
    }

    /// Whether `user` may attach `media_id` to a DM at `now_ms`: its kind (0 photo, 1 video,
    /// 2 GIF), or why not.
    pub(crate) fn attachable(
        &self,
        media_id: u64,
        user: u64,
        now_ms: i64,
    ) -> Result<u8, &'static str> {
        let rec = self.media.get(&media_id).ok_or("unknown media id")?;
        if rec.owner != user && !rec.additional_owners.contains(&user) {
            return Err("uploaded by another user");
        }
        if !rec.category.starts_with("dm_") {
            return Err("not a DM category");
        }
        if now_ms >= rec.expires_ms {
            return Err("expired");
        }
        if rec.finalized_ms.is_none() {
            return Err("not finalized");
        }
        match self.processing(rec, now_ms) {
            None | Some(("succeeded", _)) => Ok(kind_of(&rec.category)),
            Some(_) => Err("still processing, or processing failed"),
        }
    }
}

/// The media key of an upload: the dataset's prefixes (`3_` photo, `7_` video, `16_` GIF).
fn media_key(media_id: u64, category: &str) -> String {
    let prefix = match kind_of(category) {
        1 => 7,
        2 => 16,
        _ => 3,
    };
    format!("{prefix}_{media_id}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
