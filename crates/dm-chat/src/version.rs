//! Key versions: decimal strings (millisecond timestamps, or small counters for public
//! keys), compared numerically, never as text.

use std::cmp::Ordering;
use std::fmt;

use crate::ChatError;

/// A conversation-key or public-key version, ordered by its numeric value.
///
/// ```
/// use dm_chat::KeyVersion;
///
/// let old: KeyVersion = "999".parse()?;
/// let new: KeyVersion = "1796109113705".parse()?;
/// assert!(new > old); // as text, "999" > "1796..."
/// assert_eq!("007".parse::<KeyVersion>()?, "7".parse()?);
/// # Ok::<(), dm_chat::ChatError>(())
/// ```
#[derive(Clone, Eq)]
pub struct KeyVersion(String);

impl KeyVersion {
    /// A version made now: the current time in milliseconds, as the SDK makes them.
    pub fn now() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        KeyVersion(ms.to_string())
    }

    /// The version as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digits(&self) -> &str {
        let t = self.0.trim_start_matches('0');
        if t.is_empty() { "0" } else { t }
    }
}

impl std::str::FromStr for KeyVersion {
    type Err = ChatError;

    fn from_str(s: &str) -> Result<Self, ChatError> {
        if s.is_empty() || s.len() > 40 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChatError::invalid(
                "key version",
                format!("{s:?} is not a decimal number of at most 40 digits"),
            ));
        }
        Ok(KeyVersion(s.to_string()))
    }
}

impl Ord for KeyVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.digits(), other.digits());
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }
}

impl PartialOrd for KeyVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for KeyVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl std::hash::Hash for KeyVersion {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digits().hash(state);
    }
}

impl fmt::Display for KeyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyVersion({})", self.0)
    }
}
