//! The one error type of the bench helpers.

/// Why a benchmark helper failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// The sandbox could not start.
    #[error("sandbox: {0}")]
    Sandbox(#[from] dm_fake::StartError),
    /// A URL or request could not be built.
    #[error("request: {0}")]
    Request(String),
    /// The HTTP exchange failed.
    #[error("http: {0}")]
    Http(String),
    /// The server answered with a status other than 200.
    #[error("status {status} for `{path_and_query}`")]
    Status {
        /// The status.
        status: u16,
        /// What was asked.
        path_and_query: String,
    },
    /// A body did not decode.
    #[error("decode: {0}")]
    Decode(#[from] serde_json::Error),
    /// A body did not decode into `dm_model` types.
    #[error("typed decode: {0}")]
    TypedDecode(#[from] dm_model::DecodeError),
    /// A real-time scenario failed.
    #[error("{0}")]
    Other(String),
}
