//! [`Tweet`] (a Post), as expanded into `includes.tweets` (or `includes.posts`).

use serde_json::Value;

use crate::entities::{Entities, FullTextEntities, UrlEntity};
use crate::wire::wire_object;
use crate::{MediaKey, Timestamp, TweetId, UserId};

wire_object! {
    #[default]
    /// A Tweet / Post (`Tweet`). `id`, `text` and `edit_history_tweet_ids` are the default
    /// fields; the rest come with `tweet.fields`.
    pub struct Tweet {
        /// The Post id.
        pub id: Option<TweetId> = "id",
        /// The text.
        pub text: Option<String> = "text",
        /// The author.
        pub author_id: Option<UserId> = "author_id",
        /// What is attached.
        pub attachments: Option<TweetAttachments> = "attachments",
        /// The community the Post was made in.
        pub community_id: Option<String> = "community_id",
        /// Context annotations.
        pub context_annotations: Vec<ContextAnnotation> = "context_annotations",
        /// The conversation (thread root) id.
        pub conversation_id: Option<TweetId> = "conversation_id",
        /// When the Post was created.
        pub created_at: Option<Timestamp> = "created_at",
        /// `[start, end]` of the displayable text.
        pub display_text_range: Vec<u32> = "display_text_range",
        /// Edit eligibility.
        pub edit_controls: Option<EditControls> = "edit_controls",
        /// Every version's id, oldest first.
        pub edit_history_tweet_ids: Vec<TweetId> = "edit_history_tweet_ids" | "edit_history_post_ids",
        /// Entities in the text.
        pub entities: Option<FullTextEntities> = "entities",
        /// The tagged location.
        pub geo: Option<TweetGeo> = "geo",
        /// The user replied to.
        pub in_reply_to_user_id: Option<UserId> = "in_reply_to_user_id",
        /// BCP47 language tag.
        pub lang: Option<String> = "lang",
        /// Matched media notes.
        pub matched_media_notes: Option<MatchedMediaNotes> = "matched_media_notes",
        /// Private metrics.
        pub non_public_metrics: Option<TweetNonPublicMetrics> = "non_public_metrics",
        /// Note request suggestions.
        pub note_request_suggestions: Option<NoteRequestSuggestions> = "note_request_suggestions",
        /// A long-form note Post.
        pub note_tweet: Option<NoteTweet> = "note_tweet" | "note_post",
        /// Organic engagement metrics.
        pub organic_metrics: Option<TweetEngagementMetrics> = "organic_metrics",
        /// Whether this is a paid partnership.
        pub paid_partnership: Option<bool> = "paid_partnership",
        /// Whether the content may be sensitive.
        pub possibly_sensitive: Option<bool> = "possibly_sensitive",
        /// Promoted engagement metrics.
        pub promoted_metrics: Option<TweetEngagementMetrics> = "promoted_metrics",
        /// Public engagement counts.
        pub public_metrics: Option<TweetPublicMetrics> = "public_metrics",
        /// Retweeted, quoted or replied-to Posts.
        pub referenced_tweets: Vec<TweetReference> = "referenced_tweets" | "referenced_posts",
        /// Who may reply (`everyone`, `mentionedUsers`, `following`, ...).
        pub reply_settings: Option<String> = "reply_settings",
        /// Visibility scopes.
        pub scopes: Option<TweetScopes> = "scopes",
        /// The posting client (deprecated).
        pub source: Option<String> = "source",
        /// Suggested source links.
        pub suggested_source_links: Vec<UrlEntity> = "suggested_source_links",
        /// Suggested source links with counts.
        pub suggested_source_links_with_counts: Option<SourceLinkCount> = "suggested_source_links_with_counts",
        /// The author's username (schema only).
        pub username: Option<String> = "username",
        /// Withholding details.
        pub withheld: Option<TweetWithheld> = "withheld",
        /// `article` (no schema in the spec).
        pub article: Option<Value> = "article",
        /// `card_uri` (no schema in the spec).
        pub card_uri: Option<Value> = "card_uri",
        /// `media_metadata` (no schema in the spec).
        pub media_metadata: Option<Value> = "media_metadata",
    }
}

wire_object! {
    #[default]
    /// What a Post has attached.
    pub struct TweetAttachments {
        /// Media keys.
        pub media_keys: Vec<MediaKey> = "media_keys",
        /// Posts the media were first posted in.
        pub media_source_tweet_id: Vec<TweetId> = "media_source_tweet_id",
        /// Poll ids.
        pub poll_ids: Vec<String> = "poll_ids",
    }
}

wire_object! {
    #[default]
    /// A context annotation: a domain and an entity.
    pub struct ContextAnnotation {
        /// The domain.
        pub domain: Option<ContextEntity> = "domain",
        /// The entity.
        pub entity: Option<ContextEntity> = "entity",
    }
}

wire_object! {
    #[default]
    /// A context annotation domain or entity.
    pub struct ContextEntity {
        /// The id.
        pub id: Option<String> = "id",
        /// The name.
        pub name: Option<String> = "name",
        /// The description.
        pub description: Option<String> = "description",
    }
}

wire_object! {
    #[default]
    /// Whether and until when a Post can be edited.
    pub struct EditControls {
        /// Until when it can be edited.
        pub editable_until: Option<Timestamp> = "editable_until",
        /// Edits left.
        pub edits_remaining: Option<i64> = "edits_remaining",
        /// Whether it can be edited at all.
        pub is_edit_eligible: Option<bool> = "is_edit_eligible",
    }
}

wire_object! {
    #[default]
    /// The location tagged on a Post.
    pub struct TweetGeo {
        /// The exact point.
        pub coordinates: Option<Point> = "coordinates",
        /// The place id.
        pub place_id: Option<String> = "place_id",
    }
}

wire_object! {
    #[default]
    /// A GeoJSON point.
    pub struct Point {
        /// `Point`.
        pub r#type: Option<String> = "type",
        /// `[longitude, latitude]`.
        pub coordinates: Vec<f64> = "coordinates",
    }
}

wire_object! {
    #[default]
    /// Matched media notes.
    pub struct MatchedMediaNotes {
        /// The match status, e.g. `matched_and_shown`.
        pub match_status: Option<String> = "match_status",
        /// The note id.
        pub note_id: Option<String> = "note_id",
    }
}

wire_object! {
    #[default]
    /// Private metrics of a Post.
    pub struct TweetNonPublicMetrics {
        /// Impressions.
        pub impression_count: Option<u64> = "impression_count",
    }
}

wire_object! {
    #[default]
    /// Note request suggestions.
    pub struct NoteRequestSuggestions {
        /// The suggested source link.
        pub source_link: Option<UrlEntity> = "source_link",
        /// The suggestion text.
        pub suggestion: Option<String> = "suggestion",
        /// The suggestion id.
        pub suggestion_id: Option<String> = "suggestion_id",
    }
}

wire_object! {
    #[default]
    /// A long-form note Post.
    pub struct NoteTweet {
        /// The full text.
        pub text: Option<String> = "text",
        /// Entities in the full text.
        pub entities: Option<Entities> = "entities",
    }
}

wire_object! {
    #[default]
    /// Organic or promoted engagement metrics.
    pub struct TweetEngagementMetrics {
        /// Impressions.
        pub impression_count: Option<u64> = "impression_count",
        /// Likes.
        pub like_count: Option<u64> = "like_count",
        /// Replies.
        pub reply_count: Option<u64> = "reply_count",
        /// Retweets.
        pub retweet_count: Option<u64> = "retweet_count",
    }
}

wire_object! {
    #[default]
    /// Public engagement counts.
    pub struct TweetPublicMetrics {
        /// Retweets (SPEC-167 spells it `repost_count`).
        pub retweet_count: Option<u64> = "retweet_count" | "repost_count",
        /// Replies.
        pub reply_count: Option<u64> = "reply_count",
        /// Likes.
        pub like_count: Option<u64> = "like_count",
        /// Impressions.
        pub impression_count: Option<u64> = "impression_count",
        /// Bookmarks.
        pub bookmark_count: Option<u64> = "bookmark_count",
        /// Quotes.
        pub quote_count: Option<u64> = "quote_count",
    }
}

wire_object! {
    #[default]
    /// A Post this Post retweets, quotes or replies to.
    pub struct TweetReference {
        /// `retweeted`, `quoted` or `replied_to`.
        pub r#type: Option<String> = "type",
        /// The referenced Post.
        pub id: Option<TweetId> = "id",
    }
}

wire_object! {
    #[default]
    /// Visibility scopes of a Post.
    pub struct TweetScopes {
        /// Whether only followers can see it.
        pub followers: Option<bool> = "followers",
    }
}

wire_object! {
    #[default]
    /// A suggested source link and how many note requests included it.
    pub struct SourceLinkCount {
        /// The count.
        pub count: Option<u64> = "count",
        /// The link.
        pub url: Option<UrlEntity> = "url",
    }
}

wire_object! {
    #[default]
    /// Where a Post is withheld.
    pub struct TweetWithheld {
        /// Withheld for copyright.
        pub copyright: Option<bool> = "copyright",
        /// Two-letter country codes.
        pub country_codes: Vec<String> = "country_codes",
        /// `tweet` or `user`.
        pub scope: Option<String> = "scope",
    }
}

impl Tweet {
    /// A Post with just an id; set the other public fields as needed.
    pub fn new(id: TweetId) -> Self {
        Tweet {
            id: Some(id),
            ..Tweet::default()
        }
    }
}
