//! Media upload (`/2/media/upload*`, spec `openapi-media-realtime-2.167.json`): the open enums
//! [`MediaCategory`], [`MediaMimeType`] and [`ProcessingState`], the request body
//! [`InitializeUploadRequest`], and the responses [`MediaUploadResponse`] (one-shot upload,
//! finalize and status share one shape), [`InitializeUploadResponse`] and
//! [`AppendUploadResponse`].
//!
//! Like every model object, the responses keep members they do not know in `extra`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::wire::wire_object;
use crate::{MediaId, MediaKey, Problem, UserId};

/// Defines an open string enum: known variants, `Other(String)` for the rest, serde as the
/// wire string.
macro_rules! open_str_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every value the spec lists, in spec order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Other(s) => s,
                }
            }

            /// The value spelled `s` on the wire (`Other` when unknown).
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether the spec lists this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        Ok($name::from_wire(s))
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

open_str_enum! {
    /// `media_category`: what the media is for. A DM attachment must be uploaded with a `dm_*`
    /// category; the `tweet_*` ones (and no category at all, which means a Post) are refused
    /// when attached to a DM (403 "You are not permitted to attach this media to a DM event").
    pub enum MediaCategory {
        /// `amplify_video` (initialize only).
        AmplifyVideo = "amplify_video",
        /// `tweet_gif`: an animated GIF for a Post.
        TweetGif = "tweet_gif",
        /// `tweet_image`: an image for a Post.
        TweetImage = "tweet_image",
        /// `tweet_video`: a video for a Post.
        TweetVideo = "tweet_video",
        /// `dm_gif`: an animated GIF for a Direct Message.
        DmGif = "dm_gif",
        /// `dm_image`: an image for a Direct Message.
        DmImage = "dm_image",
        /// `dm_video`: a video for a Direct Message.
        DmVideo = "dm_video",
        /// `subtitles`: a subtitle file (`text/srt`, `text/vtt`).
        Subtitles = "subtitles",
    }
}

/// Five MiB: the documented image limit (the API words it "5 MB" and refuses more than
/// 5,242,880 bytes).
const MIB: u64 = 1024 * 1024;

impl MediaCategory {
    /// Whether media of this category can be attached to a Direct Message.
    pub fn is_dm(&self) -> bool {
        matches!(
            self,
            MediaCategory::DmImage | MediaCategory::DmGif | MediaCategory::DmVideo
        )
    }

    /// The documented size limit (reference §2.7): 5 MiB for images, 15 MiB for animated
    /// GIFs, 512 MiB for videos; `None` when none is documented.
    pub fn max_bytes(&self) -> Option<u64> {
        match self {
            MediaCategory::DmImage | MediaCategory::TweetImage => Some(5 * MIB),
            MediaCategory::DmGif | MediaCategory::TweetGif => Some(15 * MIB),
            MediaCategory::DmVideo | MediaCategory::TweetVideo | MediaCategory::AmplifyVideo => {
                Some(512 * MIB)
            }
            _ => None,
        }
    }

    /// Whether the one-shot `POST /2/media/upload` accepts this category (every value but
    /// `amplify_video`, which only initialize takes).
    pub fn one_shot_allowed(&self) -> bool {
        self.is_known() && *self != MediaCategory::AmplifyVideo
    }
}

open_str_enum! {
    /// `media_type` of an initialize request: the file's MIME type.
    pub enum MediaMimeType {
        /// `video/mp4`
        VideoMp4 = "video/mp4",
        /// `video/webm`
        VideoWebm = "video/webm",
        /// `video/mp2t`
        VideoMp2t = "video/mp2t",
        /// `video/quicktime` (MOV)
        VideoQuicktime = "video/quicktime",
        /// `text/srt`
        TextSrt = "text/srt",
        /// `text/vtt`
        TextVtt = "text/vtt",
        /// `image/jpeg`
        ImageJpeg = "image/jpeg",
        /// `image/gif`
        ImageGif = "image/gif",
        /// `image/bmp`
        ImageBmp = "image/bmp",
        /// `image/png`
        ImagePng = "image/png",
        /// `image/webp`
        ImageWebp = "image/webp",
        /// `image/pjpeg`
        ImagePjpeg = "image/pjpeg",
        /// `image/tiff`
        ImageTiff = "image/tiff",
        /// `model/gltf-binary`
        ModelGltfBinary = "model/gltf-binary",
        /// `model/vnd.usdz+zip`
        ModelUsdz = "model/vnd.usdz+zip",
    }
}

open_str_enum! {
    /// `processing_info.state`: `pending` → `in_progress` → `succeeded` | `failed`. Older
    /// answers showed other values (`uploading`); they are kept as `Other`.
    pub enum ProcessingState {
        /// `pending`: queued.
        Pending = "pending",
        /// `in_progress`: being processed.
        InProgress = "in_progress",
        /// `succeeded`: ready to attach.
        Succeeded = "succeeded",
        /// `failed`: the media cannot be used.
        Failed = "failed",
    }
}

impl ProcessingState {
    /// Whether processing is over (`succeeded` or `failed`).
    pub fn is_final(&self) -> bool {
        matches!(self, ProcessingState::Succeeded | ProcessingState::Failed)
    }
}

/// The largest `total_bytes` the spec allows (16 GiB).
pub const MAX_TOTAL_BYTES: u64 = 17_179_869_184;

/// The largest `segment_index` of a chunked upload (so at most 1,000 segments).
pub const MAX_SEGMENT_INDEX: u32 = 999;

wire_object! {
    #[default]
    /// `processing_info`: asynchronous processing of a video or animated GIF.
    pub struct ProcessingInfo {
        /// `pending`, `in_progress`, `succeeded`, `failed`, or a newer value.
        pub state: Option<ProcessingState> = "state",
        /// Seconds to wait before polling the status again.
        pub check_after_secs: Option<i64> = "check_after_secs",
        /// Processing completion percentage.
        pub progress_percent: Option<i64> = "progress_percent",
    }
}

impl ProcessingInfo {
    /// Info with a state; set the other fields as needed.
    pub fn new(state: ProcessingState) -> Self {
        ProcessingInfo {
            state: Some(state),
            ..ProcessingInfo::default()
        }
    }
}

wire_object! {
    #[default]
    /// `image`: what the API read from an uploaded image.
    pub struct UploadImage {
        /// Width in pixels.
        pub w: Option<u32> = "w",
        /// Height in pixels.
        pub h: Option<u32> = "h",
        /// The image's MIME type, e.g. `image/jpeg`.
        pub image_type: Option<String> = "image_type",
    }
}

wire_object! {
    #[default]
    /// `video`: what the API made of an uploaded video.
    pub struct UploadVideo {
        /// The processed video's MIME type.
        pub video_type: Option<String> = "video_type",
    }
}

wire_object! {
    /// The `data` of the one-shot upload, finalize and status responses
    /// (`MediaUploadResponseData`, `FinalizeMediaUploadResponseData`,
    /// `GetMediaUploadStatusResponseData`: the same members).
    pub struct MediaUploadData {
        /// The media id: what a DM attachment names (`attachments[0].media_id`).
        pub id: MediaId = "id",
        /// The media key (`<type>_<id>`), what a DM event's `attachments.media_keys` lists.
        pub media_key: Option<MediaKey> = "media_key",
        /// Total size in bytes.
        pub size: Option<u64> = "size",
        /// Seconds until the media (or the upload session) expires.
        pub expires_after_secs: Option<i64> = "expires_after_secs",
        /// Asynchronous processing, for videos and animated GIFs; absent when the media is
        /// ready (then do not poll the status).
        pub processing_info: Option<ProcessingInfo> = "processing_info",
        /// Images: size and type.
        pub image: Option<UploadImage> = "image",
        /// Videos: the processed type.
        pub video: Option<UploadVideo> = "video",
    }
}

impl MediaUploadData {
    /// Data naming `id`; set the other fields as needed.
    pub fn new(id: MediaId) -> Self {
        MediaUploadData {
            id,
            media_key: None,
            size: None,
            expires_after_secs: None,
            processing_info: None,
            image: None,
            video: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }

    /// The processing state, `None` when the answer carries no `processing_info` (nothing
    /// to wait for).
    pub fn state(&self) -> Option<&ProcessingState> {
        self.processing_info.as_ref()?.state.as_ref()
    }
}

wire_object! {
    #[default]
    /// The answer to `POST /2/media/upload`, `POST /2/media/upload/{id}/finalize` and
    /// `GET /2/media/upload` (`command=STATUS`).
    pub struct MediaUploadResponse {
        /// The media.
        pub data: Option<MediaUploadData> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

/// The answer to `POST /2/media/upload/{id}/finalize` (same shape as the one-shot upload's).
pub type FinalizeUploadResponse = MediaUploadResponse;
/// The answer to `GET /2/media/upload?command=STATUS` (same shape as the one-shot upload's).
pub type UploadStatusResponse = MediaUploadResponse;

wire_object! {
    /// The `data` of an initialize response: the upload session.
    pub struct InitializeUploadData {
        /// The media id, for the append, finalize and status calls (and the attachment).
        pub id: MediaId = "id",
        /// The media key.
        pub media_key: Option<MediaKey> = "media_key",
        /// Seconds within which the whole file must be appended and finalized.
        pub expires_after_secs: Option<i64> = "expires_after_secs",
    }
}

impl InitializeUploadData {
    /// Data naming `id`.
    pub fn new(id: MediaId) -> Self {
        InitializeUploadData {
            id,
            media_key: None,
            expires_after_secs: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}

wire_object! {
    #[default]
    /// The answer to `POST /2/media/upload/initialize`.
    pub struct InitializeUploadResponse {
        /// The session.
        pub data: Option<InitializeUploadData> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// The `data` of an append response.
    pub struct AppendUploadData {
        /// When the upload session expires, in Unix seconds.
        pub expires_at: Option<i64> = "expires_at",
    }
}

wire_object! {
    #[default]
    /// The answer to `POST /2/media/upload/{id}/append` (an empty 2xx body is a success too).
    pub struct AppendUploadResponse {
        /// The session's expiry.
        pub data: Option<AppendUploadData> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

/// An initialize body that breaks the spec's rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UploadBodyError {
    /// `total_bytes` above 17,179,869,184.
    #[error("`total_bytes` must be at most {max}, got {got}")]
    TotalBytes {
        /// The rejected value.
        got: u64,
        /// The maximum.
        max: u64,
    },
    /// A value of an enum the spec closes (`media_category`, `media_type`) that it does not
    /// list.
    #[error("`{field}` value `{value}` is not one the spec lists")]
    UnknownValue {
        /// The member.
        field: &'static str,
        /// The rejected value.
        value: String,
    },
}

/// The body of `POST /2/media/upload/initialize` (`InitializeMediaUploadRequest`, JSON only):
/// the file's type and size and what it is for. Validated on construction and on
/// deserialization (unknown members refused: the spec sets `additionalProperties: false`).
///
/// ```
/// use dm_model::{InitializeUploadRequest, MediaCategory, MediaMimeType};
///
/// let body = InitializeUploadRequest::new(MediaMimeType::VideoMp4, 1_048_576, MediaCategory::DmVideo)?;
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"media_type":"video/mp4","total_bytes":1048576,"media_category":"dm_video"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawInitialize")]
pub struct InitializeUploadRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<MediaMimeType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_category: Option<MediaCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    additional_owners: Vec<UserId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInitialize {
    media_type: Option<MediaMimeType>,
    total_bytes: Option<u64>,
    media_category: Option<MediaCategory>,
    shared: Option<bool>,
    #[serde(default)]
    additional_owners: Vec<UserId>,
}

impl TryFrom<RawInitialize> for InitializeUploadRequest {
    type Error = UploadBodyError;
    fn try_from(raw: RawInitialize) -> Result<Self, UploadBodyError> {
        let body = InitializeUploadRequest {
            media_type: raw.media_type,
            total_bytes: raw.total_bytes,
            media_category: raw.media_category,
            shared: raw.shared,
            additional_owners: raw.additional_owners,
        };
        body.validate()?;
        Ok(body)
    }
}

impl InitializeUploadRequest {
    /// A session for a file of `media_type` and `total_bytes`, uploaded for `category`.
    ///
    /// # Errors
    ///
    /// [`UploadBodyError`] for `total_bytes` above [`MAX_TOTAL_BYTES`] or an `Other` type or
    /// category (the spec closes both enums).
    pub fn new(
        media_type: MediaMimeType,
        total_bytes: u64,
        category: MediaCategory,
    ) -> Result<Self, UploadBodyError> {
        let body = InitializeUploadRequest {
            media_type: Some(media_type),
            total_bytes: Some(total_bytes),
            media_category: Some(category),
            shared: None,
            additional_owners: Vec::new(),
        };
        body.validate()?;
        Ok(body)
    }

    /// Marks the media `shared` (reusable across DMs). Get the user's consent first and tell
    /// them anyone with the media's URL can see it (developer policy); the default is unset
    /// (not shared).
    #[must_use]
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Users who may also use the media.
    #[must_use]
    pub fn additional_owners(mut self, owners: Vec<UserId>) -> Self {
        self.additional_owners = owners;
        self
    }

    fn validate(&self) -> Result<(), UploadBodyError> {
        if let Some(n) = self.total_bytes
            && n > MAX_TOTAL_BYTES
        {
            return Err(UploadBodyError::TotalBytes {
                got: n,
                max: MAX_TOTAL_BYTES,
            });
        }
        if let Some(t) = self.media_type.as_ref().filter(|t| !t.is_known()) {
            return Err(UploadBodyError::UnknownValue {
                field: "media_type",
                value: t.to_string(),
            });
        }
        if let Some(c) = self.media_category.as_ref().filter(|c| !c.is_known()) {
            return Err(UploadBodyError::UnknownValue {
                field: "media_category",
                value: c.to_string(),
            });
        }
        Ok(())
    }

    /// The MIME type, if set.
    pub fn media_type(&self) -> Option<&MediaMimeType> {
        self.media_type.as_ref()
    }

    /// The size in bytes, if set.
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// The category, if set.
    pub fn media_category(&self) -> Option<&MediaCategory> {
        self.media_category.as_ref()
    }
}
