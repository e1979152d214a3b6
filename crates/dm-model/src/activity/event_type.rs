//! [`ActivityEventType`]: the X Activity API's event types, an open enum.

use std::fmt;
use std::str::FromStr;

use serde::de::MapAccess;
use serde_json::Value;

use crate::UnknownValue;
use crate::fields::truncate;
use crate::wire::WireField;

macro_rules! activity_event_types {
    ($($variant:ident = $wire:literal,)*) => {
        /// An X Activity API event type (`event_type`, dot notation), e.g. `dm.received`.
        ///
        /// The known values are the 41 canonical names of the `event_type` enum of
        /// `CreateActivitySubscriptionRequest` in `spec/openapi-media-realtime-2.167.json`
        /// (a test checks they agree); the deprecated alias `chat.conversation_join` reads as
        /// [`ActivityEventType::ChatConversationJoin`], which is always written canonically.
        /// Any other value (a type newer than this version, `oauth.revoke`) is kept verbatim
        /// in [`ActivityEventType::Other`].
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ActivityEventType {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl ActivityEventType {
            /// Every known value, in spec order (canonical spellings).
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The wire string (canonical for known values).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(s) => s,
                }
            }

            fn from_known(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some(Self::$variant),)*
                    "chat.conversation_join" => Some(Self::ChatConversationJoin),
                    _ => None,
                }
            }
        }
    };
}

activity_event_types! {
    ProfileUpdateBio = "profile.update.bio",
    ProfileUpdateProfilePicture = "profile.update.profile_picture",
    ProfileUpdateBannerPicture = "profile.update.banner_picture",
    ProfileUpdateScreenname = "profile.update.screenname",
    ProfileUpdateGeo = "profile.update.geo",
    ProfileUpdateUrl = "profile.update.url",
    ProfileUpdateVerifiedBadge = "profile.update.verified_badge",
    ProfileUpdateAffiliateBadge = "profile.update.affiliate_badge",
    ProfileUpdateHandle = "profile.update.handle",
    NewsNew = "news.new",
    FollowFollow = "follow.follow",
    FollowUnfollow = "follow.unfollow",
    SpacesStart = "spaces.start",
    SpacesEnd = "spaces.end",
    BroadcastStart = "broadcast.start",
    BroadcastEnd = "broadcast.end",
    BroadcastChat = "broadcast.chat",
    ChatReceived = "chat.received",
    ChatSent = "chat.sent",
    ChatConversationJoin = "chat.conversation.join",
    ChatConversationMemberAdded = "chat.conversation.member_added",
    ChatConversationMemberRemoved = "chat.conversation.member_removed",
    ChatConversationAdminAdded = "chat.conversation.admin_added",
    ChatConversationAdminRemoved = "chat.conversation.admin_removed",
    ChatUpdateGroupName = "chat.update.group_name",
    ChatUpdateRestrictions = "chat.update.restrictions",
    DmSent = "dm.sent",
    DmReceived = "dm.received",
    DmIndicateTyping = "dm.indicate_typing",
    DmRead = "dm.read",
    PostCreate = "post.create",
    PostDelete = "post.delete",
    PostMentionCreate = "post.mention.create",
    PostReplyCreate = "post.reply.create",
    PostQuoteCreate = "post.quote.create",
    PostRepostCreate = "post.repost.create",
    LikeCreate = "like.create",
    MuteMute = "mute.mute",
    MuteUnmute = "mute.unmute",
    BlockBlock = "block.block",
    BlockUnblock = "block.unblock",
}

impl ActivityEventType {
    /// The value spelled `s`: its known variant (the alias included), or `Other(s)`.
    pub fn other(s: impl Into<String>) -> Self {
        let s = s.into();
        Self::from_known(&s).unwrap_or(Self::Other(s))
    }

    /// Whether this is a value the spec lists (not [`Self::Other`]).
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }

    /// Whether this is one of the legacy DM events (`dm.received`, `dm.sent`, `dm.read`,
    /// `dm.indicate_typing`), whose payload is a
    /// [`AccountActivityPayload`](crate::activity::AccountActivityPayload).
    pub fn is_dm(&self) -> bool {
        matches!(
            self,
            Self::DmReceived | Self::DmSent | Self::DmRead | Self::DmIndicateTyping
        )
    }
}

/// `Other("")`: no type (what an event without `event_type` reads as).
impl Default for ActivityEventType {
    fn default() -> Self {
        ActivityEventType::Other(String::new())
    }
}

impl fmt::Display for ActivityEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActivityEventType {
    type Err = UnknownValue;

    /// Accepts only the values the spec lists (and the deprecated alias); use
    /// [`ActivityEventType::other`] for anything else.
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        Self::from_known(s).ok_or_else(|| UnknownValue {
            param: "event_type",
            value: truncate(s, 64),
            allowed: Self::ALL.iter().map(|v| v.as_str()).collect(),
        })
    }
}

impl serde::Serialize for ActivityEventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ActivityEventType {
    /// Accepts any string: unknown values become [`ActivityEventType::Other`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ActivityEventType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an activity event type (string)")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ActivityEventType, E> {
                Ok(ActivityEventType::other(s))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// `event_type` on an event: absent (or `null`) reads as `Other("")` and is not written back.
/// The deprecated alias reads as its canonical variant and is written canonically (the
/// spec: "responses always use the canonical name").
impl WireField for ActivityEventType {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
        Ok(match map.next_value::<Option<String>>()? {
            None => (ActivityEventType::Other(String::new()), Some(Value::Null)),
            Some(s) if s.is_empty() => (
                ActivityEventType::Other(String::new()),
                Some(Value::String(String::new())),
            ),
            Some(s) => (ActivityEventType::other(s), None),
        })
    }
    fn absent() -> Option<Self> {
        Some(ActivityEventType::Other(String::new()))
    }
    fn present(&self) -> bool {
        !matches!(self, ActivityEventType::Other(s) if s.is_empty())
    }
}
