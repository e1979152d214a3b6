//! [`DownloadMedia`]: the bytes of a media file attached to a legacy DM.

use bytes::Bytes;
use dm_model::{DmEventId, DmResourceId, MediaId};

use super::{ApiRequest, build};
use crate::base_url::BaseUrl;
use crate::error::QueryError;
use crate::operation::Operation;

/// Downloads media attached to a DM
/// (`GET /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}`); the response body is
/// the raw file (`application/octet-stream`). OAuth 2.0 only (`dm.read`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadMedia {
    /// The DM event the media is attached to.
    pub dm_id: DmEventId,
    /// The media.
    pub media_id: MediaId,
    /// The file name, with extension, e.g. `tJg5kUG5RKPi3jNi.jpg`. `.` and `..` are refused
    /// when building the request (they would change the path).
    pub resource_id: DmResourceId,
}

impl ApiRequest for DownloadMedia {
    fn operation(&self) -> Operation {
        Operation::DownloadMedia
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[
                self.dm_id.as_str(),
                self.media_id.as_str(),
                self.resource_id.as_str(),
            ],
            "",
            None,
        )
    }
}
