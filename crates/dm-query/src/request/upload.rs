//! Media upload: [`UploadMedia`] (one-shot), [`InitializeUpload`], [`AppendUpload`],
//! [`FinalizeUpload`] and [`GetUploadStatus`], with the body of each exactly as the spec
//! gives it: the one-shot upload and append take `multipart/form-data` (raw bytes, the
//! default here) or `application/json` (base64); initialize takes JSON only; finalize has no
//! body; the status is a `GET` with `media_id` and `command=STATUS`.

use base64::Engine as _;
use bytes::Bytes;
use dm_model::{InitializeUploadRequest, MAX_SEGMENT_INDEX, MediaCategory, MediaId, UserId};

use super::multipart::Form;
use super::{ApiRequest, build, build_with_body, json_body};
use crate::base_url::BaseUrl;
use crate::encode::encode_query_value;
use crate::error::QueryError;
use crate::operation::Operation;

/// How a body that carries media bytes is encoded (the spec allows both for the one-shot
/// upload and the append).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaEncoding {
    /// `multipart/form-data`, the media as raw bytes (the default: no base64 inflation).
    #[default]
    Multipart,
    /// `application/json`, the media base64-encoded (a third larger).
    Json,
}

/// Uploads a whole file in one request (`POST /2/media/upload`). For DMs use it for images
/// (`dm_image`); GIFs and videos go through [`InitializeUpload`] and friends. Not idempotent:
/// a repeat uploads the file again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadMedia {
    /// The file.
    pub media: Bytes,
    /// What it is for: `dm_image` for a DM photo. Required by the spec.
    pub category: MediaCategory,
    /// Other users who may use the media (sent comma-separated).
    pub additional_owners: Vec<UserId>,
    /// Multipart (default) or JSON.
    pub encoding: MediaEncoding,
}

impl UploadMedia {
    /// A one-shot upload of `media` for `category`, multipart.
    pub fn new(media: impl Into<Bytes>, category: MediaCategory) -> Self {
        UploadMedia {
            media: media.into(),
            category,
            additional_owners: Vec::new(),
            encoding: MediaEncoding::Multipart,
        }
    }
}

impl ApiRequest for UploadMedia {
    fn operation(&self) -> Operation {
        Operation::UploadMedia
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        if !self.category.one_shot_allowed() {
            return Err(QueryError::InvalidUpload {
                field: "media_category",
                reason: format!(
                    "`{}` is not a category the one-shot upload accepts (tweet_image, tweet_video, \
                     tweet_gif, dm_image, dm_video, dm_gif, subtitles)",
                    self.category
                ),
            });
        }
        check_media(&self.media)?;
        let owners = (!self.additional_owners.is_empty()).then(|| {
            self.additional_owners
                .iter()
                .map(UserId::as_str)
                .collect::<Vec<_>>()
                .join(",")
        });
        let (content_type, body) = match self.encoding {
            MediaEncoding::Multipart => {
                let mut form = Form::new().text("media_category", self.category.as_str());
                if let Some(o) = owners {
                    form = form.text("additional_owners", o);
                }
                form.file("media", &self.media).encode()
            }
            MediaEncoding::Json => {
                let mut body = serde_json::Map::new();
                body.insert("media".into(), base64_value(&self.media));
                body.insert("media_category".into(), self.category.as_str().into());
                if let Some(o) = owners {
                    body.insert("additional_owners".into(), o.into());
                }
                json(&body)?
            }
        };
        build_with_body(self.operation(), base, &[], "", Some((content_type, body)))
    }
}

/// Starts a chunked upload (`POST /2/media/upload/initialize`, JSON): the file's type, size
/// and category. Not idempotent: a repeat starts another session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitializeUpload {
    /// The session's description.
    pub body: InitializeUploadRequest,
}

impl ApiRequest for InitializeUpload {
    fn operation(&self) -> Operation {
        Operation::InitializeUpload
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[], "", Some(body))
    }
}

/// Appends one segment of a chunked upload (`POST /2/media/upload/{id}/append`). Segments
/// are consecutive byte ranges numbered from 0 (at most 1,000: `segment_index` `0..=999`).
/// Safe to repeat: a segment sent again at its index replaces itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendUpload {
    /// The media id from initialize.
    pub media_id: MediaId,
    /// The segment's position, `0..=999`.
    pub segment_index: u32,
    /// The segment's bytes (not empty).
    pub media: Bytes,
    /// Multipart (default) or JSON.
    pub encoding: MediaEncoding,
}

impl AppendUpload {
    /// Segment `segment_index` of `media_id`, multipart.
    pub fn new(media_id: MediaId, segment_index: u32, media: impl Into<Bytes>) -> Self {
        AppendUpload {
            media_id,
            segment_index,
            media: media.into(),
            encoding: MediaEncoding::Multipart,
        }
    }
}

impl ApiRequest for AppendUpload {
    fn operation(&self) -> Operation {
        Operation::AppendUpload
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        if self.segment_index > MAX_SEGMENT_INDEX {
            return Err(QueryError::InvalidUpload {
                field: "segment_index",
                reason: format!(
                    "must be between 0 and {MAX_SEGMENT_INDEX}, got {} (at most 1,000 segments: \
                     use larger chunks)",
                    self.segment_index
                ),
            });
        }
        check_media(&self.media)?;
        let (content_type, body) = match self.encoding {
            MediaEncoding::Multipart => Form::new()
                .text("segment_index", self.segment_index.to_string())
                .file("media", &self.media)
                .encode(),
            MediaEncoding::Json => {
                let mut body = serde_json::Map::new();
                body.insert("media".into(), base64_value(&self.media));
                body.insert("segment_index".into(), self.segment_index.into());
                json(&body)?
            }
        };
        build_with_body(
            self.operation(),
            base,
            &[self.media_id.as_str()],
            "",
            Some((content_type, body)),
        )
    }
}

/// Completes a chunked upload (`POST /2/media/upload/{id}/finalize`, no body). The answer
/// may carry `processing_info`: then poll [`GetUploadStatus`]. Not repeated automatically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalizeUpload {
    /// The media id from initialize.
    pub media_id: MediaId,
}

impl ApiRequest for FinalizeUpload {
    fn operation(&self) -> Operation {
        Operation::FinalizeUpload
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.media_id.as_str()], "", None)
    }
}

/// The processing status of an upload (`GET /2/media/upload?media_id=..&command=STATUS`).
/// Poll it only after an answer with `processing_info`, every `check_after_secs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetUploadStatus {
    /// The media.
    pub media_id: MediaId,
}

impl ApiRequest for GetUploadStatus {
    fn operation(&self) -> Operation {
        Operation::GetUploadStatus
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let query = format!(
            "media_id={}&command=STATUS",
            encode_query_value(self.media_id.as_str())
        );
        build(self.operation(), base, &[], &query, None)
    }
}

fn check_media(media: &[u8]) -> Result<(), QueryError> {
    if media.is_empty() {
        return Err(QueryError::InvalidUpload {
            field: "media",
            reason: "the media is empty".into(),
        });
    }
    Ok(())
}

fn base64_value(bytes: &[u8]) -> serde_json::Value {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into()
}

fn json(body: &serde_json::Map<String, serde_json::Value>) -> Result<(String, Bytes), QueryError> {
    Ok(("application/json".to_owned(), Bytes::from(json_body(body)?)))
}
