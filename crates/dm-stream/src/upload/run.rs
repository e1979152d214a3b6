//! The upload itself: sniff, check, one-shot or initialize → append × N → finalize, then wait
//! for processing.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use dm_model::{
    InitializeUploadRequest, InitializeUploadResponse, MAX_SEGMENT_INDEX, MediaCategory,
    MediaUploadData, MediaUploadResponse, ProcessingState,
};
use dm_query::{
    ApiRequest, AppendUpload, FinalizeUpload, GetUploadStatus, InitializeUpload, UploadMedia,
};
use dm_transport::Auth;

use super::sniff::{self, MediaKind, SNIFF_LEN};
use super::source::{Opened, UploadSource};
use super::{UploadOptions, UploadProgress, UploadedMedia};
use crate::client::Client;
use crate::error::Error;

/// The scope every upload operation needs (OAuth 2.0).
const MEDIA_WRITE: &str = "media.write";

/// The longest single wait between two status checks, whatever `check_after_secs` says.
const MAX_CHECK_AFTER: Duration = Duration::from_secs(60);

pub(super) async fn upload(
    client: &Client,
    source: UploadSource,
    kind: MediaKind,
    options: &UploadOptions,
) -> Result<UploadedMedia, Error> {
    let mut source = source.open().await?;
    if source.len == 0 {
        return Err(Error::UnsupportedMedia {
            reason: format!("{} is empty", source.what),
        });
    }
    let header = source.peek(SNIFF_LEN).await?;
    let format = sniff::sniff(&header).map_err(|why| Error::UnsupportedMedia {
        reason: format!(
            "{} cannot be sent in a DM: {why}; DMs take JPEG, PNG, WebP, GIF, MP4 and MOV",
            source.what
        ),
    })?;
    let category = sniff::category(format, kind).map_err(|why| Error::UnsupportedMedia {
        reason: format!("{}: {why}", source.what),
    })?;
    if let Some(limit) = category.max_bytes()
        && source.len > limit
    {
        return Err(Error::MediaTooLarge {
            size: source.len,
            limit,
            category,
        });
    }
    check_scope(client)?;
    let media_type = format.mime();
    let data = if category == MediaCategory::DmImage {
        one_shot(client, &mut source, &category, options).await?
    } else {
        chunked(client, &mut source, &category, &media_type, options).await?
    };
    let data = wait_for_processing(client, data, options).await?;
    let now = SystemTime::UNIX_EPOCH + client.inner.clock.now_unix();
    let expires_at = data
        .expires_after_secs
        .map(|s| now + Duration::from_secs(u64::try_from(s).unwrap_or(0)));
    Ok(UploadedMedia {
        media_id: data.id,
        media_key: data.media_key,
        category,
        media_type,
        size: source.len,
        expires_at,
    })
}

/// Refuses before sending when the OAuth 2.0 token's known scopes lack `media.write`.
fn check_scope(client: &Client) -> Result<(), Error> {
    if let Some(Auth::OAuth2(token)) = &client.inner.auth
        && let Some(scope) = token.tokens().scope
        && !scope.split_whitespace().any(|s| s == MEDIA_WRITE)
    {
        return Err(Error::MissingScope {
            scope: MEDIA_WRITE,
            granted: Some(scope),
            source: None,
        });
    }
    Ok(())
}

/// Sends one upload request; a 403 that says nothing more is the missing scope.
async fn execute(client: &Client, request: &impl ApiRequest) -> Result<Bytes, Error> {
    match client.execute(request).await {
        Ok(response) => Ok(response.into_body()),
        Err(Error::Transport(e))
            if e.as_api().is_some_and(|api| {
                api.status == http::StatusCode::FORBIDDEN
                    && api.advice() == Some(dm_transport::Advice::CheckDmScopes)
            }) =>
        {
            Err(Error::MissingScope {
                scope: MEDIA_WRITE,
                granted: None,
                source: Some(e),
            })
        }
        Err(e) => Err(e),
    }
}

fn decode_data(body: &[u8], what: &str) -> Result<MediaUploadData, Error> {
    let response: MediaUploadResponse = dm_model::decode(body)?;
    response.data.ok_or_else(|| Error::NoData {
        what: what.to_owned(),
        problems: response.errors,
    })
}

async fn one_shot(
    client: &Client,
    source: &mut Opened,
    category: &MediaCategory,
    options: &UploadOptions,
) -> Result<MediaUploadData, Error> {
    // At most 5 MiB (checked above): read whole.
    let len = usize::try_from(source.len).unwrap_or(usize::MAX);
    let media = source.chunk(len).await?;
    let body = execute(client, &UploadMedia::new(media, category.clone())).await?;
    let data = decode_data(&body, "uploaded media")?;
    options.report(UploadProgress::Uploading {
        sent: source.len,
        total: source.len,
    });
    Ok(data)
}

async fn chunked(
    client: &Client,
    source: &mut Opened,
    category: &MediaCategory,
    media_type: &dm_model::MediaMimeType,
    options: &UploadOptions,
) -> Result<MediaUploadData, Error> {
    let total = source.len;
    let body = InitializeUploadRequest::new(media_type.clone(), total, category.clone())
        .map_err(|e| Error::Unexpected(e.to_string()))?;
    let answer = execute(client, &InitializeUpload { body }).await?;
    let init: InitializeUploadResponse = dm_model::decode(&answer)?;
    let Some(session) = init.data else {
        return Err(Error::NoData {
            what: "upload session".into(),
            problems: init.errors,
        });
    };
    let id = session.id;
    // At most 1,000 segments.
    let segments = u64::from(MAX_SEGMENT_INDEX) + 1;
    let min_chunk = usize::try_from(total.div_ceil(segments)).unwrap_or(usize::MAX);
    let chunk_size = options.chunk_size.max(min_chunk);
    let mut sent = 0u64;
    let mut index = 0u32;
    options.report(UploadProgress::Uploading { sent, total });
    while sent < total {
        let chunk = source.chunk(chunk_size).await?;
        let len = chunk.len() as u64;
        // The stack retries a segment on a transient error: appending it again at its
        // index replaces it, so a retry cannot duplicate or corrupt it.
        execute(client, &AppendUpload::new(id.clone(), index, chunk)).await?;
        sent += len;
        index += 1;
        options.report(UploadProgress::Uploading { sent, total });
    }
    // Not repeated automatically: it may not be safe to finalize twice.
    let body = execute(client, &FinalizeUpload { media_id: id }).await?;
    decode_data(&body, "finalized media")
}

async fn wait_for_processing(
    client: &Client,
    mut data: MediaUploadData,
    options: &UploadOptions,
) -> Result<MediaUploadData, Error> {
    let started = Instant::now();
    loop {
        let Some(info) = data.processing_info.clone() else {
            return Ok(data); // nothing to wait for
        };
        let state = info.state.clone().unwrap_or(ProcessingState::Succeeded);
        options.report(UploadProgress::Processing {
            state: state.clone(),
            percent: info.progress_percent,
        });
        match state {
            ProcessingState::Succeeded => return Ok(data),
            ProcessingState::Failed => {
                return Err(Error::ProcessingFailed {
                    media_id: data.id,
                    detail: failure_detail(&info),
                });
            }
            _ => {}
        }
        // The API's interval (1 s when it gives none, as the official sample does).
        let secs = info.check_after_secs.unwrap_or(1).max(0);
        let wait = Duration::from_secs(u64::try_from(secs).unwrap_or(0)).min(MAX_CHECK_AFTER);
        if started.elapsed() + wait > options.max_processing_wait {
            return Err(Error::ProcessingTimeout {
                media_id: data.id,
                waited: started.elapsed(),
            });
        }
        tokio::time::sleep(wait).await;
        let body = execute(
            client,
            &GetUploadStatus {
                media_id: data.id.clone(),
            },
        )
        .await?;
        let id = data.id.clone();
        data = decode_data(&body, &format!("status of media {id}"))?;
    }
}

/// What the API said about a failure, if anything (older answers carried an `error` object).
fn failure_detail(info: &dm_model::ProcessingInfo) -> Option<String> {
    let error = info.extra.get("error")?;
    let text = |k: &str| error.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    text("message")
        .or_else(|| text("name"))
        .or_else(|| Some(error.to_string()))
}
