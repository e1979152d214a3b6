//! [`User`], as expanded into `includes.users`.

use serde_json::Value;

use crate::entities::{FullTextEntities, UrlEntity};
use crate::wire::wire_object;
use crate::{Timestamp, TweetId, UserId};

wire_object! {
    /// A user (`User`). `id`, `name` and `username` are the default fields; the rest come with
    /// `user.fields`.
    pub struct User {
        /// The user id (always sent by the API; optional in SPEC-167, which requires nothing,
        /// so a user without one still decodes, though nothing can be joined to it).
        pub id: Option<UserId> = "id",
        /// The display name.
        pub name: Option<String> = "name",
        /// The handle, without `@` (`^[A-Za-z0-9_]{1,15}$`).
        pub username: Option<String> = "username",
        /// The user's affiliation badge.
        pub affiliation: Option<Affiliation> = "affiliation",
        /// Relationship with the authenticated user (`following`, `blocking`, ...).
        pub connection_status: Vec<String> = "connection_status",
        /// When the account was created.
        pub created_at: Option<Timestamp> = "created_at",
        /// The profile description.
        pub description: Option<String> = "description",
        /// Entities in the description and profile URL.
        pub entities: Option<UserEntities> = "entities",
        /// The free-form location.
        pub location: Option<String> = "location",
        /// The user's most recent Post.
        pub most_recent_tweet_id: Option<TweetId> = "most_recent_tweet_id" | "most_recent_post_id",
        /// The pinned Post.
        pub pinned_tweet_id: Option<TweetId> = "pinned_tweet_id" | "pinned_post_id",
        /// Profile banner URL.
        pub profile_banner_url: Option<String> = "profile_banner_url",
        /// Profile image URL.
        pub profile_image_url: Option<String> = "profile_image_url",
        /// Whether the account's Posts are protected.
        pub protected: Option<bool> = "protected",
        /// Follower/following/post counts.
        pub public_metrics: Option<UserPublicMetrics> = "public_metrics",
        /// Whether the authenticated user can send this user a DM.
        pub receives_your_dm: Option<bool> = "receives_your_dm",
        /// `Basic`, `Premium`, `PremiumPlus` or `None`.
        pub subscription_type: Option<String> = "subscription_type",
        /// The profile URL.
        pub url: Option<String> = "url",
        /// Whether the user is verified.
        pub verified: Option<bool> = "verified",
        /// `blue`, `government`, `business` or `none`.
        pub verified_type: Option<String> = "verified_type",
        /// Withholding details.
        pub withheld: Option<UserWithheld> = "withheld",
        /// `confirmed_email` (no schema in the spec).
        pub confirmed_email: Option<Value> = "confirmed_email",
        /// `is_identity_verified` (no schema in the spec).
        pub is_identity_verified: Option<Value> = "is_identity_verified",
        /// `parody` (no schema in the spec).
        pub parody: Option<Value> = "parody",
        /// `subscription` (no schema in the spec).
        pub subscription: Option<Value> = "subscription",
        /// `verified_followers_count` (no schema in the spec).
        pub verified_followers_count: Option<Value> = "verified_followers_count",
    }
}

impl User {
    /// A user with just an id; set the other public fields as needed.
    pub fn new(id: UserId) -> Self {
        User {
            id: Some(id),
            name: None,
            username: None,
            affiliation: None,
            connection_status: Vec::new(),
            created_at: None,
            description: None,
            entities: None,
            location: None,
            most_recent_tweet_id: None,
            pinned_tweet_id: None,
            profile_banner_url: None,
            profile_image_url: None,
            protected: None,
            public_metrics: None,
            receives_your_dm: None,
            subscription_type: None,
            url: None,
            verified: None,
            verified_type: None,
            withheld: None,
            confirmed_email: None,
            is_identity_verified: None,
            parody: None,
            subscription: None,
            verified_followers_count: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}

wire_object! {
    #[default]
    /// A user's affiliation.
    pub struct Affiliation {
        /// The badge image URL.
        pub badge_url: Option<String> = "badge_url",
        /// The affiliation description.
        pub description: Option<String> = "description",
        /// The affiliation URL.
        pub url: Option<String> = "url",
        /// The affiliated users.
        pub user_id: Vec<UserId> = "user_id",
    }
}

wire_object! {
    #[default]
    /// Entities of a user profile.
    pub struct UserEntities {
        /// Entities in the description.
        pub description: Option<FullTextEntities> = "description",
        /// Entities in the profile URL.
        pub url: Option<UserUrlEntities> = "url",
    }
}

wire_object! {
    #[default]
    /// URL entities of a user's profile URL.
    pub struct UserUrlEntities {
        /// The URLs.
        pub urls: Vec<UrlEntity> = "urls",
    }
}

wire_object! {
    #[default]
    /// A user's public counts.
    pub struct UserPublicMetrics {
        /// Followers.
        pub followers_count: Option<u64> = "followers_count",
        /// Accounts followed.
        pub following_count: Option<u64> = "following_count",
        /// Posts (SPEC-167 spells it `post_count`).
        pub tweet_count: Option<u64> = "tweet_count" | "post_count",
        /// Lists the user is on.
        pub listed_count: Option<u64> = "listed_count",
        /// Likes.
        pub like_count: Option<u64> = "like_count",
        /// Media posted (SPEC-167).
        pub media_count: Option<u64> = "media_count",
    }
}

wire_object! {
    #[default]
    /// Where a user is withheld.
    pub struct UserWithheld {
        /// Two-letter country codes.
        pub country_codes: Vec<String> = "country_codes",
        /// `user`.
        pub scope: Option<String> = "scope",
    }
}
