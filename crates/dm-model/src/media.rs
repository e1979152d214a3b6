//! [`Media`] (photo, video, animated GIF, or a newer type), as expanded into `includes.media`.

use std::fmt;

use crate::MediaKey;
use crate::wire::wire_object;

/// The `type` of a [`Media`] object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MediaType {
    /// `photo`
    Photo,
    /// `video`
    Video,
    /// `animated_gif`
    AnimatedGif,
    /// A type this version does not know, kept verbatim.
    Other(String),
}

impl MediaType {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            MediaType::Photo => "photo",
            MediaType::Video => "video",
            MediaType::AnimatedGif => "animated_gif",
            MediaType::Other(s) => s,
        }
    }

    /// The type spelled `s` on the wire.
    pub fn from_wire(s: &str) -> Self {
        match s {
            "photo" => MediaType::Photo,
            "video" => MediaType::Video,
            "animated_gif" => MediaType::AnimatedGif,
            other => MediaType::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for MediaType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for MediaType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = MediaType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a media type string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<MediaType, E> {
                Ok(MediaType::from_wire(s))
            }
        }
        deserializer.deserialize_str(V)
    }
}

wire_object! {
    #[default]
    /// A media object (`Media`, discriminated by `type` into `Photo`, `Video`, `AnimatedGif`).
    ///
    /// One struct holds the members of every type; `type` says which apply. Members
    /// of types this version does not know are kept in `extra`.
    pub struct Media {
        /// `photo`, `video`, `animated_gif`, or a newer type.
        pub r#type: Option<MediaType> = "type",
        /// The media key (joins `attachments.media_keys`).
        pub media_key: Option<MediaKey> = "media_key",
        /// Height in pixels.
        pub height: Option<u32> = "height",
        /// Width in pixels.
        pub width: Option<u32> = "width",
        /// Photo: the image URL.
        pub url: Option<String> = "url",
        /// Photo: the alt text.
        pub alt_text: Option<String> = "alt_text",
        /// Video: duration in milliseconds.
        pub duration_ms: Option<u64> = "duration_ms",
        /// Video / GIF: the preview image URL.
        pub preview_image_url: Option<String> = "preview_image_url",
        /// Video / GIF: the encodings available.
        pub variants: Vec<Variant> = "variants",
        /// Video: public metrics.
        pub public_metrics: Option<MediaPublicMetrics> = "public_metrics",
        /// Video: private playback metrics.
        pub non_public_metrics: Option<MediaPlaybackMetrics> = "non_public_metrics",
        /// Video: organic playback metrics.
        pub organic_metrics: Option<MediaPlaybackMetrics> = "organic_metrics",
        /// Video: promoted playback metrics.
        pub promoted_metrics: Option<MediaPlaybackMetrics> = "promoted_metrics",
    }
}

impl Media {
    /// The media type (`Other("")` when `type` was not returned).
    pub fn media_type(&self) -> MediaType {
        self.r#type
            .clone()
            .unwrap_or(MediaType::Other(String::new()))
    }

    /// A media object of `media_type` with key `key`.
    pub fn new(media_type: MediaType, key: MediaKey) -> Self {
        Media {
            r#type: Some(media_type),
            media_key: Some(key),
            ..Media::default()
        }
    }
}

wire_object! {
    #[default]
    /// One encoding of a video or GIF.
    pub struct Variant {
        /// Bit rate.
        pub bit_rate: Option<u64> = "bit_rate",
        /// MIME type.
        pub content_type: Option<String> = "content_type",
        /// URL.
        pub url: Option<String> = "url",
    }
}

wire_object! {
    #[default]
    /// Public metrics of a video.
    pub struct MediaPublicMetrics {
        /// Views.
        pub view_count: Option<u64> = "view_count",
    }
}

wire_object! {
    #[default]
    /// Playback metrics of a video.
    pub struct MediaPlaybackMetrics {
        /// Playback starts.
        pub playback_0_count: Option<u64> = "playback_0_count",
        /// Reached 25%.
        pub playback_25_count: Option<u64> = "playback_25_count",
        /// Reached 50%.
        pub playback_50_count: Option<u64> = "playback_50_count",
        /// Reached 75%.
        pub playback_75_count: Option<u64> = "playback_75_count",
        /// Completed.
        pub playback_100_count: Option<u64> = "playback_100_count",
        /// Views (organic/promoted only).
        pub view_count: Option<u64> = "view_count",
    }
}
