//! Entities parsed out of text: cashtags, hashtags, mentions, URLs, annotations.
//!
//! Indices are zero-based; `start` is inclusive and `end` exclusive (annotations: inclusive).

use crate::wire::wire_object;
use crate::{MediaKey, UserId};

wire_object! {
    #[default]
    /// A `$cashtag` in the text (`CashtagEntity`).
    pub struct CashtagEntity {
        /// Start index (inclusive).
        pub start: Option<u32> = "start",
        /// End index (exclusive).
        pub end: Option<u32> = "end",
        /// The tag, without `$`.
        pub tag: Option<String> = "tag",
    }
}

wire_object! {
    #[default]
    /// A `#hashtag` in the text (`HashtagEntity`).
    pub struct HashtagEntity {
        /// Start index (inclusive).
        pub start: Option<u32> = "start",
        /// End index (exclusive).
        pub end: Option<u32> = "end",
        /// The tag, without `#`.
        pub tag: Option<String> = "tag",
    }
}

wire_object! {
    #[default]
    /// An `@mention` in the text (`MentionEntity`).
    pub struct MentionEntity {
        /// Start index (inclusive).
        pub start: Option<u32> = "start",
        /// End index (exclusive).
        pub end: Option<u32> = "end",
        /// The mentioned username (`^[A-Za-z0-9_]{1,15}$`).
        pub username: Option<String> = "username",
        /// The mentioned user's id.
        pub id: Option<UserId> = "id",
    }
}

wire_object! {
    #[default]
    /// An image of a URL's preview (`UrlImage`).
    pub struct UrlImage {
        /// The image URL.
        pub url: Option<String> = "url",
        /// Width in pixels.
        pub width: Option<u32> = "width",
        /// Height in pixels.
        pub height: Option<u32> = "height",
    }
}

wire_object! {
    #[default]
    /// A URL in the text (`UrlEntity` / `UrlEntityDm`).
    pub struct UrlEntity {
        /// Start index (inclusive).
        pub start: Option<u32> = "start",
        /// End index (exclusive).
        pub end: Option<u32> = "end",
        /// The URL as it appears in the text (usually `https://t.co/...`).
        pub url: Option<String> = "url",
        /// The fully resolved URL.
        pub expanded_url: Option<String> = "expanded_url",
        /// The URL as displayed.
        pub display_url: Option<String> = "display_url",
        /// The final URL after redirects.
        pub unwound_url: Option<String> = "unwound_url",
        /// The page title.
        pub title: Option<String> = "title",
        /// The page description.
        pub description: Option<String> = "description",
        /// The HTTP status of the unwound URL.
        pub status: Option<u16> = "status",
        /// The media key, when the URL is a media link.
        pub media_key: Option<MediaKey> = "media_key",
        /// Preview images.
        pub images: Vec<UrlImage> = "images",
    }
}

wire_object! {
    #[default]
    /// A named-entity annotation (`EntityIndicesInclusiveInclusive` + annotation members).
    pub struct Annotation {
        /// Start index (inclusive).
        pub start: Option<u32> = "start",
        /// End index (inclusive).
        pub end: Option<u32> = "end",
        /// The annotated text, normalized.
        pub normalized_text: Option<String> = "normalized_text",
        /// Confidence, 0..=1.
        pub probability: Option<f64> = "probability",
        /// The annotation type, e.g. `Person`.
        pub r#type: Option<String> = "type",
    }
}

wire_object! {
    #[default]
    /// Entities of a DM event (nested `entities` object) or of a note Tweet.
    pub struct Entities {
        /// Cashtags.
        pub cashtags: Vec<CashtagEntity> = "cashtags",
        /// Hashtags.
        pub hashtags: Vec<HashtagEntity> = "hashtags",
        /// Mentions.
        pub mentions: Vec<MentionEntity> = "mentions",
        /// URLs.
        pub urls: Vec<UrlEntity> = "urls",
    }
}

wire_object! {
    #[default]
    /// Entities of a Tweet's text or a user's description (`FullTextEntities`).
    pub struct FullTextEntities {
        /// Named-entity annotations.
        pub annotations: Vec<Annotation> = "annotations",
        /// Cashtags.
        pub cashtags: Vec<CashtagEntity> = "cashtags",
        /// Hashtags.
        pub hashtags: Vec<HashtagEntity> = "hashtags",
        /// Mentions.
        pub mentions: Vec<MentionEntity> = "mentions",
        /// URLs.
        pub urls: Vec<UrlEntity> = "urls",
    }
}
