//! Conversation ids as signatures need them: a 1:1 is `"{min}:{max}"` (numeric order), a
//! group keeps its `g…` id. URL paths use `-` (see [`ChatConversationId::path`]).

use std::fmt;

use crate::ChatError;

/// A conversation id in canonical form.
///
/// ```
/// use dm_chat::ChatConversationId;
///
/// let a = ChatConversationId::parse("2244994945-783214", None)?;
/// assert_eq!(a.signed(), "783214:2244994945");
/// assert_eq!(a.path(), "783214-2244994945");
/// // The bare peer id, given who we are.
/// let b = ChatConversationId::parse("2244994945", Some("783214"))?;
/// assert_eq!(a, b);
/// assert_eq!(ChatConversationId::parse("g123", None)?.signed(), "g123");
/// assert!(ChatConversationId::parse("1,2", None).is_err());
/// # Ok::<(), dm_chat::ChatError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChatConversationId {
    /// A 1:1 conversation between two users (smaller id first).
    OneToOne(u64, u64),
    /// A group (`g` followed by digits).
    Group(String),
}

fn user(s: &str) -> Result<u64, ChatError> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ChatError::invalid(
            "conversation id",
            format!("{s:?} is not a user id (1 to 19 digits)"),
        ));
    }
    s.parse()
        .map_err(|_| ChatError::invalid("conversation id", format!("{s:?} is out of range")))
}

impl ChatConversationId {
    /// Parses `A-B`, `A:B` (either order), `g…`, or a bare peer id (which needs `me`).
    ///
    /// # Errors
    /// [`ChatError::Invalid`] for anything else.
    pub fn parse(id: &str, me: Option<&str>) -> Result<Self, ChatError> {
        if let Some(rest) = id.strip_prefix('g') {
            user(rest)?;
            return Ok(ChatConversationId::Group(id.to_string()));
        }
        if let Some((a, b)) = id.split_once(['-', ':']) {
            return Ok(Self::pair(user(a)?, user(b)?));
        }
        let peer = user(id)?;
        match me {
            Some(me) => Ok(Self::pair(user(me)?, peer)),
            None => Err(ChatError::invalid(
                "conversation id",
                format!("{id:?} is a bare user id and our own id is not known"),
            )),
        }
    }

    /// The 1:1 conversation between two users.
    pub fn pair(a: u64, b: u64) -> Self {
        ChatConversationId::OneToOne(a.min(b), a.max(b))
    }

    /// The form signatures use (`min:max`, or the group id).
    pub fn signed(&self) -> String {
        match self {
            ChatConversationId::OneToOne(a, b) => format!("{a}:{b}"),
            ChatConversationId::Group(g) => g.clone(),
        }
    }

    /// The form URL paths use (`min-max`, or the group id).
    pub fn path(&self) -> String {
        match self {
            ChatConversationId::OneToOne(a, b) => format!("{a}-{b}"),
            ChatConversationId::Group(g) => g.clone(),
        }
    }

    /// For a 1:1, the other participant.
    pub fn peer_of(&self, me: &str) -> Option<String> {
        match self {
            ChatConversationId::OneToOne(a, b) => {
                let me: u64 = me.parse().ok()?;
                if *a == me {
                    Some(b.to_string())
                } else if *b == me {
                    Some(a.to_string())
                } else {
                    None
                }
            }
            ChatConversationId::Group(_) => None,
        }
    }
}

impl fmt::Display for ChatConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl fmt::Debug for ChatConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChatConversationId({})", self.path())
    }
}
