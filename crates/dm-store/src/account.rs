//! [`Account`]: the name one account's DMs are kept under.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The name of an account in a store (the CLI's `--account`, default `default`).
///
/// 1 to 64 characters of `A-Z a-z 0-9 _ . @ -`, so it can name a lock file.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Account(String);

impl Account {
    /// The longest name accepted.
    pub const MAX_LEN: usize = 64;

    /// Validates `name`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAccount`] when `name` is empty, too long or has other characters.
    pub fn new(name: &str) -> Result<Self, Error> {
        let ok = (1..=Self::MAX_LEN).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-'));
        if ok {
            Ok(Account(name.to_owned()))
        } else {
            Err(Error::InvalidAccount {
                name: name.chars().take(Self::MAX_LEN + 1).collect(),
            })
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Account {
    /// The account named `default`.
    fn default() -> Self {
        Account("default".to_owned())
    }
}

impl FromStr for Account {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Account::new(s)
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Account({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["default", "work", "me@x", "a.b-c_d", &"a".repeat(64)] {
            assert_eq!(Account::new(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "a b", "a/b", "../x", "é", &"a".repeat(65), "a\0"] {
            let e = Account::new(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidAccount { .. }), "{bad}");
        }
        assert_eq!(Account::default().as_str(), "default");
    }
}
