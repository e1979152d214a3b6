//! `xdm sync --media`: download the media of the stored events into the media folder.
//!
//! Each wanted medium (pending, failed before, or missing from the archive) is downloaded
//! with `Client::download_media` (streamed to a temporary file in the folder, hashed as it
//! arrives, checked against the announced length, renamed to its SHA-256 name) and recorded
//! in the store. A medium the API does not have (404) is recorded as missing, one it no
//! longer serves (410) as expired, any other failure as failed (tried again next time): none
//! stops the sync. Killed at any point, the next run downloads what is not recorded as kept.

use std::io::Write;

use dm_model::{DmResourceId, Media, MediaId};
use dm_store::{MediaDir, MediaFile, MediaStatus};
use dm_stream::Client;
use futures::StreamExt;

use crate::error::CliError;

/// What a media run did.
#[derive(Debug, Default)]
pub(crate) struct MediaSummary {
    pub kept: u64,
    pub unavailable: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// Reports recorded per transaction.
const REPORTS_PER_BATCH: usize = 20;

/// The resource id of a medium: the last path segment of its URL (query dropped).
fn resource_of(url: &str) -> Option<DmResourceId> {
    let path = url.split(['?', '#']).next()?;
    DmResourceId::parse(path.rsplit('/').next()?).ok()
}

/// The URL to name the resource by: the photo's `url`, else the best MP4 variant, else the
/// URL the archive recorded.
fn media_url(file: &MediaFile, media: Option<&Media>) -> Option<String> {
    let from_object = media.and_then(|m| {
        let v = serde_json::to_value(m).ok()?;
        if let Some(u) = v.get("url").and_then(|u| u.as_str()) {
            return Some(u.to_owned());
        }
        let variants = v.get("variants")?.as_array()?;
        variants
            .iter()
            .filter(|x| x.get("content_type").and_then(|c| c.as_str()) == Some("video/mp4"))
            .max_by_key(|x| x.get("bit_rate").and_then(|b| b.as_u64()).unwrap_or(0))
            .and_then(|x| x.get("url")?.as_str().map(str::to_owned))
    });
    from_object.or_else(|| file.url.clone())
}

/// Downloads one medium; the report to record.
async fn fetch(
    client: &Client,
    dir: &MediaDir,
    file: &MediaFile,
    media: Option<&Media>,
) -> MediaFile {
    let failed = |status: MediaStatus, why: String| {
        MediaFile::unavailable(file.key.clone(), file.event_id.clone(), "api", status, why)
    };
    let Some(event_id) = file.event_id.clone() else {
        return failed(MediaStatus::Failed, "no event known for this medium".into());
    };
    let Ok(media_id) = MediaId::parse(file.key.split_once('_').map_or("", |(_, id)| id)) else {
        return failed(
            MediaStatus::Failed,
            format!("`{}` names no media id", file.key),
        );
    };
    let url = media_url(file, media);
    let Some(resource) = url.as_deref().and_then(resource_of) else {
        return failed(
            MediaStatus::Failed,
            "no media URL known yet (sync with the media fields url and variants)".into(),
        );
    };
    let download = match client.download_media(event_id, media_id, resource).await {
        Ok(d) => d,
        Err(e) => {
            let status = match &e {
                dm_stream::Error::Transport(t) => t.as_api().map(|a| a.status.as_u16()),
                _ => None,
            };
            let s = match status {
                Some(404) => MediaStatus::Missing,
                Some(410) => MediaStatus::Expired,
                _ => MediaStatus::Failed,
            };
            return failed(s, crate::error::CliError::from(e).to_string());
        }
    };
    let content_type = download.content_type().map(str::to_owned);
    let expected = download.content_length();
    let mut writer = match dir.writer() {
        Ok(w) => w,
        Err(e) => return failed(MediaStatus::Failed, format!("media folder: {e}")),
    };
    let mut body = download;
    while let Some(chunk) = body.next().await {
        let written = chunk
            .map_err(|e| crate::error::CliError::from(e).to_string())
            .and_then(|c| writer.write_all(&c).map_err(|e| e.to_string()));
        if let Err(why) = written {
            return failed(MediaStatus::Failed, format!("download interrupted: {why}"));
        }
    }
    match writer.finish(content_type.as_deref(), expected) {
        Ok(stored) => MediaFile::present(file.key.clone(), file.event_id.clone(), "api", &stored)
            .with_url(url),
        Err(e) => failed(MediaStatus::Failed, format!("download incomplete: {e}")),
    }
}

/// Downloads every wanted medium of `account`, recording each result through `writer`.
pub(crate) async fn download_all(
    client: &Client,
    store: &dm_store::Store,
    writer: &mut dm_store::Writer,
    dir: &MediaDir,
) -> Result<MediaSummary, CliError> {
    let wanted = store.wanted_media(writer.account()).await?;
    let mut summary = MediaSummary::default();
    let mut batch = dm_store::Batch::new();
    for (file, media) in &wanted {
        if file.key.starts_with("file:") {
            summary.skipped += 1;
            continue;
        }
        let report = fetch(client, dir, file, media.as_ref()).await;
        match report.status {
            MediaStatus::Present => summary.kept += 1,
            MediaStatus::Failed => {
                tracing::warn!(media = %file.key, error = ?report.error, "media download failed");
                summary.failed += 1;
            }
            _ => summary.unavailable += 1,
        }
        batch.media_file(report);
        if batch.media_files_len() >= REPORTS_PER_BATCH {
            writer.apply(std::mem::take(&mut batch)).await?;
        }
    }
    if batch.media_files_len() > 0 {
        writer.apply(batch).await?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_the_last_segment() {
        assert_eq!(
            resource_of("https://ton.twitter.com/dm/1/2/pic-A_1.png")
                .unwrap()
                .as_str(),
            "pic-A_1.png"
        );
        assert_eq!(
            resource_of("https://video.twimg.com/dm_video/1/vid/1280x720/X5.mp4?tag=1")
                .unwrap()
                .as_str(),
            "X5.mp4"
        );
        assert!(resource_of("https://x/a b").is_none());
    }
}
