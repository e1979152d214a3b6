//! [`QueryWarning`]: parameters the API accepts but ignores.

/// A parameter the API accepts but that cannot have any effect, because the expansion that
/// would produce the objects it describes is missing (reference §2.1, DOCS-2022).
///
/// Queries report these through `warnings()`; in strict mode (`strict(true)`) encoding
/// refuses them with [`QueryError::Ineffective`](crate::QueryError::Ineffective).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum QueryWarning {
    /// `user.fields` without `expansions=sender_id` or `participant_ids`.
    #[error(
        "`user.fields` has no effect without `expansions=sender_id` or `expansions=participant_ids`"
    )]
    UserFieldsWithoutUserExpansion,
    /// `media.fields` without `expansions=attachments.media_keys`.
    #[error("`media.fields` has no effect without `expansions=attachments.media_keys`")]
    MediaFieldsWithoutMediaExpansion,
    /// `tweet.fields` without `expansions=referenced_tweets.id`.
    #[error("`tweet.fields` has no effect without `expansions=referenced_tweets.id`")]
    TweetFieldsWithoutTweetExpansion,
}

impl QueryWarning {
    /// The parameter that has no effect, e.g. `user.fields`.
    pub fn param(self) -> &'static str {
        match self {
            QueryWarning::UserFieldsWithoutUserExpansion => "user.fields",
            QueryWarning::MediaFieldsWithoutMediaExpansion => "media.fields",
            QueryWarning::TweetFieldsWithoutTweetExpansion => "tweet.fields",
        }
    }
}
