//! `product.thrift`: the plaintext inside a message's secretbox.

use super::wire::{Reader, TType, Writer};
use super::{
    ThriftError, ThriftStruct, fields, int32, int64, nested, read_nested, string, struct_list,
    union, write_nested, write_struct_list,
};

/// `MessageEntryHolder`: the decrypted contents of a `MessageCreateEvent`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageEntryHolder {
    /// 1: what the entry is.
    pub contents: Option<EntryContents>,
}

impl MessageEntryHolder {
    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        MessageEntryHolder {
            contents: Some(EntryContents::Message(MessageContents {
                text: Some(text.into()),
                ..MessageContents::default()
            })),
        }
    }

    /// A message with contents.
    pub fn message(contents: MessageContents) -> Self {
        MessageEntryHolder {
            contents: Some(EntryContents::Message(contents)),
        }
    }

    /// The message, when the entry is one.
    pub fn as_message(&self) -> Option<&MessageContents> {
        match &self.contents {
            Some(EntryContents::Message(m)) => Some(m),
            _ => None,
        }
    }
}

impl ThriftStruct for MessageEntryHolder {
    const NAME: &'static str = "MessageEntryHolder";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageEntryHolder::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.contents = nested(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        if let Some(c) = &self.contents {
            write_nested(w, 1, c);
        }
        w.stop();
    }
}

/// `MessageEntryContents`: the union of entries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryContents {
    /// 1: a message.
    Message(MessageContents),
    /// 2: a reaction added.
    ReactionAdd(Reaction),
    /// 3: a reaction removed.
    ReactionRemove(Reaction),
    /// 4: an edit.
    Edit(MessageEdit),
    /// Any other member (read marks, pins, calls, drafts...), by id.
    Other(i16),
}

impl ThriftStruct for EntryContents {
    const NAME: &'static str = "MessageEntryContents";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        union(r, Self::NAME, EntryContents::Other, |r, t, id| {
            Ok(match (id, t) {
                (1, TType::Struct) => Some(EntryContents::Message(read_nested(r)?)),
                (2, TType::Struct) => Some(EntryContents::ReactionAdd(read_nested(r)?)),
                (3, TType::Struct) => Some(EntryContents::ReactionRemove(read_nested(r)?)),
                (4, TType::Struct) => Some(EntryContents::Edit(read_nested(r)?)),
                _ => None,
            })
        })
    }

    fn write(&self, w: &mut Writer) {
        match self {
            EntryContents::Message(m) => write_nested(w, 1, m),
            EntryContents::ReactionAdd(x) => write_nested(w, 2, x),
            EntryContents::ReactionRemove(x) => write_nested(w, 3, x),
            EntryContents::Edit(x) => write_nested(w, 4, x),
            EntryContents::Other(id) => {
                w.field(TType::Struct, *id).stop();
            }
        }
        w.stop();
    }
}

/// `MessageContents`: text, entities and attachments. Reply previews, forwards, quick
/// replies and calls to action are skipped when read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageContents {
    /// 1: the text.
    pub text: Option<String>,
    /// 2: rich-text entities.
    pub entities: Vec<RichTextEntity>,
    /// 3: attachments (one today).
    pub attachments: Vec<Attachment>,
    /// Whether field 4 (a reply preview, not validated here) was present.
    pub has_reply_preview: bool,
}

impl ThriftStruct for MessageContents {
    const NAME: &'static str = "MessageContents";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageContents::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.text = string(r, t)?,
                2 => v.entities = struct_list(r, t)?.unwrap_or_default(),
                3 => v.attachments = struct_list(r, t)?.unwrap_or_default(),
                4 => {
                    v.has_reply_preview = true;
                    return Ok(false);
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.text.as_deref());
        if !self.entities.is_empty() {
            write_struct_list(w, 2, &self.entities);
        }
        if !self.attachments.is_empty() {
            write_struct_list(w, 3, &self.attachments);
        }
        w.stop();
    }
}

/// `RichTextEntity`: a span of the text and what it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichTextEntity {
    /// 1: start index.
    pub start: Option<i32>,
    /// 2: end index.
    pub end: Option<i32>,
    /// 3: the kind (a union of empty structs).
    pub kind: Option<EntityKind>,
}

impl RichTextEntity {
    /// An entity over `start..end`.
    pub fn new(start: i32, end: i32, kind: EntityKind) -> Self {
        RichTextEntity {
            start: Some(start),
            end: Some(end),
            kind: Some(kind),
        }
    }
}

/// `RichTextContent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum EntityKind {
    Hashtag,
    Cashtag,
    Mention,
    Url,
    Email,
    Address,
    PhoneNumber,
    /// A member this version does not know, by id.
    Other(i16),
}

impl EntityKind {
    fn id(self) -> i16 {
        match self {
            EntityKind::Hashtag => 1,
            EntityKind::Cashtag => 2,
            EntityKind::Mention => 3,
            EntityKind::Url => 4,
            EntityKind::Email => 5,
            EntityKind::Address => 6,
            EntityKind::PhoneNumber => 7,
            EntityKind::Other(id) => id,
        }
    }

    /// The SDK's name (`"url"`, `"hashtag"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Hashtag => "hashtag",
            EntityKind::Cashtag => "cashtag",
            EntityKind::Mention => "mention",
            EntityKind::Url => "url",
            EntityKind::Email => "email",
            EntityKind::Address => "address",
            EntityKind::PhoneNumber => "phone_number",
            EntityKind::Other(_) => "other",
        }
    }
}

impl ThriftStruct for EntityKind {
    const NAME: &'static str = "RichTextContent";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        union(r, Self::NAME, EntityKind::Other, |r, t, id| {
            let kind = match id {
                1 => EntityKind::Hashtag,
                2 => EntityKind::Cashtag,
                3 => EntityKind::Mention,
                4 => EntityKind::Url,
                5 => EntityKind::Email,
                6 => EntityKind::Address,
                7 => EntityKind::PhoneNumber,
                _ => return Ok(None),
            };
            if t != TType::Struct {
                return Ok(None);
            }
            r.skip(TType::Struct)?;
            Ok(Some(kind))
        })
    }

    fn write(&self, w: &mut Writer) {
        w.field(TType::Struct, self.id()).stop().stop();
    }
}

impl ThriftStruct for RichTextEntity {
    const NAME: &'static str = "RichTextEntity";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = RichTextEntity::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.start = int32(r, t)?,
                2 => v.end = int32(r, t)?,
                3 => v.kind = nested(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_i32(1, self.start).opt_i32(2, self.end);
        if let Some(k) = &self.kind {
            write_nested(w, 3, k);
        }
        w.stop();
    }
}

/// `MessageAttachment`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attachment {
    /// 1: encrypted media.
    Media(MediaAttachment),
    /// 2: a Post.
    Post(PostAttachment),
    /// 3: a link.
    Url(UrlAttachment),
    /// Any other member (cards, money, ...), by id.
    Other(i16),
}

impl ThriftStruct for Attachment {
    const NAME: &'static str = "MessageAttachment";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        union(r, Self::NAME, Attachment::Other, |r, t, id| {
            Ok(match (id, t) {
                (1, TType::Struct) => Some(Attachment::Media(read_nested(r)?)),
                (2, TType::Struct) => Some(Attachment::Post(read_nested(r)?)),
                (3, TType::Struct) => Some(Attachment::Url(read_nested(r)?)),
                _ => None,
            })
        })
    }

    fn write(&self, w: &mut Writer) {
        match self {
            Attachment::Media(m) => write_nested(w, 1, m),
            Attachment::Post(p) => write_nested(w, 2, p),
            Attachment::Url(u) => write_nested(w, 3, u),
            Attachment::Other(id) => {
                w.field(TType::Struct, *id).stop();
            }
        }
        w.stop();
    }
}

/// `MediaAttachment`: a file uploaded encrypted (secretstream) under the conversation key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaAttachment {
    /// 1: the key to download it with (`GET /2/chat/media/{conversation}/{key}`).
    pub media_hash_key: Option<String>,
    /// 2: width and height.
    pub dimensions: Option<MediaDimensions>,
    /// 3: `MediaType` (IMAGE=1, GIF, VIDEO, AUDIO, FILE=5, SVG).
    pub media_type: Option<i32>,
    /// 4: duration.
    pub duration_millis: Option<i64>,
    /// 5: plaintext size.
    pub filesize_bytes: Option<i64>,
    /// 6: file name.
    pub filename: Option<String>,
    /// 7: attachment id.
    pub attachment_id: Option<String>,
}

impl ThriftStruct for MediaAttachment {
    const NAME: &'static str = "MediaAttachment";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MediaAttachment::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.media_hash_key = string(r, t)?,
                2 => v.dimensions = nested(r, t)?,
                3 => v.media_type = int32(r, t)?,
                4 => v.duration_millis = int64(r, t)?,
                5 => v.filesize_bytes = int64(r, t)?,
                6 => v.filename = string(r, t)?,
                7 => v.attachment_id = string(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.media_hash_key.as_deref());
        if let Some(d) = &self.dimensions {
            write_nested(w, 2, d);
        }
        w.opt_i32(3, self.media_type)
            .opt_i64(4, self.duration_millis)
            .opt_i64(5, self.filesize_bytes)
            .opt_string(6, self.filename.as_deref())
            .opt_string(7, self.attachment_id.as_deref())
            .stop();
    }
}

/// `MediaDimensions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaDimensions {
    /// 1: width.
    pub width: Option<i64>,
    /// 2: height.
    pub height: Option<i64>,
}

impl ThriftStruct for MediaDimensions {
    const NAME: &'static str = "MediaDimensions";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MediaDimensions::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.width = int64(r, t)?,
                2 => v.height = int64(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_i64(1, self.width).opt_i64(2, self.height).stop();
    }
}

/// `PostAttachment`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostAttachment {
    /// 1: the Post's id.
    pub rest_id: Option<String>,
    /// 2: its URL.
    pub post_url: Option<String>,
    /// 3: attachment id.
    pub attachment_id: Option<String>,
}

impl ThriftStruct for PostAttachment {
    const NAME: &'static str = "PostAttachment";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = PostAttachment::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.rest_id = string(r, t)?,
                2 => v.post_url = string(r, t)?,
                3 => v.attachment_id = string(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.rest_id.as_deref())
            .opt_string(2, self.post_url.as_deref())
            .opt_string(3, self.attachment_id.as_deref())
            .stop();
    }
}

/// `UrlAttachment` (its images are skipped when read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlAttachment {
    /// 1: the URL.
    pub url: Option<String>,
    /// 4: its title.
    pub display_title: Option<String>,
    /// 5: attachment id.
    pub attachment_id: Option<String>,
}

impl ThriftStruct for UrlAttachment {
    const NAME: &'static str = "UrlAttachment";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = UrlAttachment::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.url = string(r, t)?,
                4 => v.display_title = string(r, t)?,
                5 => v.attachment_id = string(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.url.as_deref())
            .opt_string(4, self.display_title.as_deref())
            .opt_string(5, self.attachment_id.as_deref())
            .stop();
    }
}

/// `MessageReactionAdd` / `MessageReactionRemove`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reaction {
    /// 1: the message reacted to.
    pub message_sequence_id: Option<String>,
    /// 2: the emoji.
    pub emoji: Option<String>,
}

impl ThriftStruct for Reaction {
    const NAME: &'static str = "MessageReaction";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = Reaction::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.message_sequence_id = string(r, t)?,
                2 => v.emoji = string(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.message_sequence_id.as_deref())
            .opt_string(2, self.emoji.as_deref())
            .stop();
    }
}

/// `MessageEdit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageEdit {
    /// 1: the message edited.
    pub message_sequence_id: Option<String>,
    /// 2: its new text.
    pub updated_text: Option<String>,
    /// 3: the new text's entities.
    pub entities: Vec<RichTextEntity>,
}

impl ThriftStruct for MessageEdit {
    const NAME: &'static str = "MessageEdit";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageEdit::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.message_sequence_id = string(r, t)?,
                2 => v.updated_text = string(r, t)?,
                3 => v.entities = struct_list(r, t)?.unwrap_or_default(),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.message_sequence_id.as_deref())
            .opt_string(2, self.updated_text.as_deref());
        if !self.entities.is_empty() {
            write_struct_list(w, 3, &self.entities);
        }
        w.stop();
    }
}
