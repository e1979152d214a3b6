//! The five upload operations, and the refusal a DM send gets for media it may not attach.

use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value, json};

use super::form::{self, Form, Member};
use super::segments::{Incomplete, Segments};
use super::{Rec, UploadRoute, Uploads, is_async, kind_of, limit_of, media_key};
use crate::params;
use crate::problem;
use crate::reply::Reply;

/// The categories the one-shot upload accepts (`MediaUploadRequest.media_category`).
const ONE_SHOT_CATEGORIES: &[&str] = &[
    "tweet_image",
    "tweet_video",
    "tweet_gif",
    "dm_image",
    "dm_video",
    "dm_gif",
    "subtitles",
];

/// The categories initialize accepts (`InitializeMediaUploadRequest.media_category`).
const CATEGORIES: &[&str] = &[
    "amplify_video",
    "tweet_gif",
    "tweet_image",
    "tweet_video",
    "dm_gif",
    "dm_image",
    "dm_video",
    "subtitles",
];

/// `InitializeMediaUploadRequest.media_type`.
const MEDIA_TYPES: &[&str] = &[
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "text/srt",
    "text/vtt",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
    "model/gltf-binary",
    "model/vnd.usdz+zip",
];

/// The largest `total_bytes` the spec allows.
const MAX_TOTAL_BYTES: u64 = 17_179_869_184;

/// The 403 a DM send gets for an attachment it may not use (uploaded by another user, with a
/// Post category, expired, unknown), exactly as the API words it (reference §2.9).
pub(crate) fn attach_refused() -> Value {
    json!({
        "title": "Forbidden",
        "detail": "You are not permitted to attach this media to a DM event.",
        "type": "about:blank",
        "status": 403,
    })
}

fn bad(parameter: &str, value: &str, message: String) -> Reply {
    Reply::problem(400, &problem::invalid_request(parameter, value, message))
}

fn bad_body(message: String) -> Reply {
    Reply::problem(400, &problem::invalid_body(message))
}

/// Runs one upload operation for `user` at `now_ms`.
pub(crate) fn handle(
    uploads: &mut Uploads,
    route: &UploadRoute,
    query: &str,
    headers: &HeaderMap,
    body: &Bytes,
    user: u64,
    now_ms: i64,
) -> Reply {
    let result = match route {
        UploadRoute::OneShot => {
            no_query(query).and_then(|()| one_shot(uploads, headers, body, user, now_ms))
        }
        UploadRoute::Initialize => {
            no_query(query).and_then(|()| initialize(uploads, body, user, now_ms))
        }
        UploadRoute::Append(id) => {
            no_query(query).and_then(|()| append(uploads, id, headers, body, user, now_ms))
        }
        UploadRoute::Finalize(id) => {
            no_query(query).and_then(|()| finalize(uploads, id, user, now_ms))
        }
        UploadRoute::Status => status(uploads, query, user, now_ms),
    };
    result.unwrap_or_else(|r| r)
}

fn no_query(query: &str) -> Result<(), Reply> {
    match form_urlencoded::parse(query.as_bytes()).next() {
        Some((k, v)) => Err(bad(
            &k,
            &v,
            format!("The query parameter [{k}] is not one of []"),
        )),
        None => Ok(()),
    }
}

/// Only the members `allowed` (the spec sets `additionalProperties: false`).
fn only(form: &Form, allowed: &[&str]) -> Result<(), Reply> {
    match form.members.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad_body(format!(
            "`{k}` is not a known property; allowed: {}",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

fn media_bytes(form: &Form) -> Result<Bytes, Reply> {
    match form.members.get("media") {
        Some(Member::Bytes(b)) if !b.is_empty() => Ok(b.clone()),
        Some(Member::Bytes(_)) => Err(bad_body("`media` is empty".into())),
        Some(_) => Err(bad_body(
            "`media` must be the file: raw bytes in a multipart body, base64 in a JSON body".into(),
        )),
        None => Err(bad_body("`media` is required".into())),
    }
}

fn too_large(category: &str, size: u64) -> Result<(), Reply> {
    match limit_of(category) {
        Some(limit) if size > limit => Err(bad(
            "media",
            &size.to_string(),
            format!("File size exceeds {limit} bytes (the limit for {category})"),
        )),
        _ => Ok(()),
    }
}

fn owned<'a>(
    uploads: &'a mut Uploads,
    id: &str,
    user: u64,
    now_ms: i64,
) -> Result<(u64, &'a mut Rec), Reply> {
    let n = params::numeric_id("id", id).map_err(|p| Reply::problem(400, &p))?;
    match uploads.media.get_mut(&n) {
        Some(rec) if rec.owner == user => {
            if now_ms >= rec.expires_ms {
                return Err(bad(
                    "id",
                    id,
                    format!("The media id [{id}] has expired: upload the file again"),
                ));
            }
            Ok((n, rec))
        }
        // Another user's upload is not found, like an unknown one.
        _ => Err(Reply::problem(404, &problem::not_found("id", id, "media"))),
    }
}

/// The `data` of the one-shot, finalize (`fresh`: processing has just started, so it is
/// `pending` even when it takes no time) and status answers.
fn data(uploads: &Uploads, id: u64, rec: &Rec, now_ms: i64, fresh: bool) -> Value {
    let mut d = Map::new();
    d.insert("id".into(), json!(id.to_string()));
    d.insert("media_key".into(), json!(media_key(id, &rec.category)));
    d.insert("size".into(), json!(rec.segments.received()));
    d.insert(
        "expires_after_secs".into(),
        json!(((rec.expires_ms - now_ms) / 1000).max(0)),
    );
    let processing = uploads
        .processing(rec, now_ms)
        .map(|p| if fresh { ("pending", 0) } else { p });
    if let Some((state, percent)) = processing {
        let mut info = Map::new();
        info.insert("state".into(), json!(state));
        if !matches!(state, "succeeded" | "failed") {
            info.insert(
                "check_after_secs".into(),
                json!(uploads.config.check_after_secs),
            );
        }
        info.insert("progress_percent".into(), json!(percent));
        d.insert("processing_info".into(), Value::Object(info));
    }
    match kind_of(&rec.category) {
        0 if rec.category != "subtitles" => {
            let image_type = rec
                .media_type
                .clone()
                .unwrap_or_else(|| "image/jpeg".into());
            d.insert(
                "image".into(),
                json!({"image_type": image_type, "w": 1200, "h": 675}),
            );
        }
        1 if processing.is_some_and(|(s, _)| s == "succeeded") => {
            d.insert("video".into(), json!({"video_type": "video/mp4"}));
        }
        _ => {}
    }
    json!({ "data": d })
}

/// Marks `rec` finalized with its hash, starting processing for videos and GIFs.
fn complete(
    uploads: &mut Uploads,
    rec: &mut Rec,
    digest: [u8; 32],
    bytes: Option<Bytes>,
    now_ms: i64,
) {
    rec.sha256 = Some(digest);
    rec.bytes = bytes;
    rec.finalized_ms = Some(now_ms);
    if is_async(&rec.category) && uploads.fail_next > 0 {
        uploads.fail_next -= 1;
        rec.fails = true;
    }
}

fn owners(list: &[&str]) -> Result<Vec<u64>, Reply> {
    list.iter()
        .map(|o| {
            params::numeric_id("additional_owners", o.trim()).map_err(|p| Reply::problem(400, &p))
        })
        .collect()
}

fn one_shot(
    uploads: &mut Uploads,
    headers: &HeaderMap,
    body: &Bytes,
    user: u64,
    now_ms: i64,
) -> Result<Reply, Reply> {
    let form = form::parse(headers, body).map_err(bad_body)?;
    only(&form, &["media", "media_category", "additional_owners"])?;
    let media = media_bytes(&form)?;
    let category = form
        .text("media_category")
        .ok_or_else(|| bad_body("`media_category` is required".into()))?
        .to_owned();
    if !ONE_SHOT_CATEGORIES.contains(&category.as_str()) {
        return Err(bad(
            "media_category",
            &category,
            format!(
                "`media_category` must be one of [{}]",
                ONE_SHOT_CATEGORIES.join(", ")
            ),
        ));
    }
    // A comma-separated string in this body (an array in initialize's).
    let additional_owners = match form.members.get("additional_owners") {
        None => Vec::new(),
        Some(Member::Text(t)) => owners(&t.split(',').collect::<Vec<_>>())?,
        Some(_) => {
            return Err(bad_body(
                "`additional_owners` must be a comma-separated string".into(),
            ));
        }
    };
    too_large(&category, media.len() as u64)?;
    let id = uploads.next_id(now_ms);
    let keep = media.len() as u64 <= uploads.config.keep_bytes_up_to;
    let mut segments = Segments::new(keep);
    segments.put(0, media);
    let (digest, bytes) = segments
        .finish()
        .map_err(|_| bad_body("`media` is empty".into()))?;
    let mut rec = Rec {
        owner: user,
        additional_owners,
        category,
        media_type: None,
        declared: None,
        expires_ms: now_ms + uploads.config.lifetime.as_millis() as i64,
        segments,
        finalized_ms: None,
        sha256: None,
        bytes: None,
        fails: false,
    };
    complete(uploads, &mut rec, digest, bytes, now_ms);
    let answer = data(uploads, id, &rec, now_ms, true);
    uploads.media.insert(id, rec);
    Ok(Reply::json(200, &answer))
}

fn initialize(uploads: &mut Uploads, body: &Bytes, user: u64, now_ms: i64) -> Result<Reply, Reply> {
    let v: Value = if body.is_empty() {
        return Err(bad_body("The request body is required".into()));
    } else {
        serde_json::from_slice(body)
            .map_err(|e| bad_body(format!("The request body is not valid JSON: {e}")))?
    };
    let Value::Object(obj) = v else {
        return Err(bad_body("The request body must be a JSON object".into()));
    };
    let allowed = [
        "media_type",
        "total_bytes",
        "media_category",
        "shared",
        "additional_owners",
    ];
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad_body(format!(
            "`{k}` is not a known property; allowed: {}",
            allowed.join(", ")
        )));
    }
    let text = |k: &str| -> Result<Option<String>, Reply> {
        match obj.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad_body(format!("`{k}` must be a string"))),
        }
    };
    let media_type = text("media_type")?;
    if let Some(t) = &media_type
        && !MEDIA_TYPES.contains(&t.as_str())
    {
        return Err(bad(
            "media_type",
            t,
            format!("`media_type` must be one of [{}]", MEDIA_TYPES.join(", ")),
        ));
    }
    // Without a category the API assumes a Post (MEDIA-BP).
    let category = match text("media_category")? {
        Some(c) if CATEGORIES.contains(&c.as_str()) => c,
        Some(c) => {
            return Err(bad(
                "media_category",
                &c,
                format!(
                    "`media_category` must be one of [{}]",
                    CATEGORIES.join(", ")
                ),
            ));
        }
        None => match media_type.as_deref() {
            Some(t) if t.starts_with("video/") => "tweet_video".to_owned(),
            Some("image/gif") => "tweet_gif".to_owned(),
            _ => "tweet_image".to_owned(),
        },
    };
    let declared = match obj.get("total_bytes") {
        None => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(n) if n <= MAX_TOTAL_BYTES => Some(n),
            _ => {
                return Err(bad(
                    "total_bytes",
                    &n.to_string(),
                    format!("`total_bytes` must be an integer between 0 and {MAX_TOTAL_BYTES}"),
                ));
            }
        },
        Some(_) => return Err(bad_body("`total_bytes` must be an integer".into())),
    };
    if let Some(n) = declared {
        too_large(&category, n)?;
    }
    if !matches!(obj.get("shared"), None | Some(Value::Bool(_))) {
        return Err(bad_body("`shared` must be a boolean".into()));
    }
    let additional_owners = match obj.get("additional_owners") {
        None => Vec::new(),
        Some(Value::Array(a)) => {
            let ids: Option<Vec<&str>> = a.iter().map(Value::as_str).collect();
            owners(&ids.ok_or_else(|| {
                bad_body("`additional_owners` must be an array of user ids".into())
            })?)?
        }
        Some(_) => {
            return Err(bad_body(
                "`additional_owners` must be an array of user ids".into(),
            ));
        }
    };
    let id = uploads.next_id(now_ms);
    let keep = declared.is_some_and(|n| n <= uploads.config.keep_bytes_up_to);
    let lifetime = uploads.config.lifetime.as_millis() as i64;
    uploads.media.insert(
        id,
        Rec {
            owner: user,
            additional_owners,
            category: category.clone(),
            media_type,
            declared,
            expires_ms: now_ms + lifetime,
            segments: Segments::new(keep),
            finalized_ms: None,
            sha256: None,
            bytes: None,
            fails: false,
        },
    );
    Ok(Reply::json(
        200,
        &json!({"data": {"id": id.to_string(), "media_key": media_key(id, &category), "expires_after_secs": lifetime / 1000}}),
    ))
}

/// The segment index of an append body (for targeted faults), if it parses.
pub(crate) fn segment_of(headers: &HeaderMap, body: &Bytes) -> Option<u32> {
    let form = form::parse(headers, body).ok()?;
    form.text("segment_index")?.trim().parse().ok()
}

fn append(
    uploads: &mut Uploads,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
    user: u64,
    now_ms: i64,
) -> Result<Reply, Reply> {
    let form = form::parse(headers, body).map_err(bad_body)?;
    only(&form, &["media", "segment_index"])?;
    let media = media_bytes(&form)?;
    let index = match form.text("segment_index") {
        Some(t) => match t.trim().parse::<u32>() {
            Ok(n) if n <= 999 => n,
            _ => {
                return Err(bad(
                    "segment_index",
                    t,
                    "`segment_index` must be an integer between 0 and 999".into(),
                ));
            }
        },
        None => return Err(bad_body("`segment_index` is required".into())),
    };
    let (_, rec) = owned(uploads, id, user, now_ms)?;
    if rec.finalized_ms.is_some() {
        return Err(bad(
            "id",
            id,
            format!("The upload [{id}] is already finalized"),
        ));
    }
    rec.segments.put(index, media);
    let received = rec.segments.received();
    if let Some(declared) = rec.declared
        && received > declared
    {
        return Err(bad(
            "segment_index",
            &index.to_string(),
            format!(
                "The segments add up to {received} bytes, more than the {declared} `total_bytes` given at initialize"
            ),
        ));
    }
    Ok(Reply::json(
        200,
        &json!({"data": {"expires_at": rec.expires_ms / 1000}}),
    ))
}

fn finalize(uploads: &mut Uploads, id: &str, user: u64, now_ms: i64) -> Result<Reply, Reply> {
    let (n, rec) = owned(uploads, id, user, now_ms)?;
    if rec.finalized_ms.is_some() {
        return Err(bad(
            "id",
            id,
            format!("The upload [{id}] is already finalized"),
        ));
    }
    let received = rec.segments.received();
    if let Some(declared) = rec.declared
        && declared != received
    {
        return Err(bad(
            "id",
            id,
            format!(
                "The segments add up to {received} bytes, not the {declared} `total_bytes` given at initialize"
            ),
        ));
    }
    too_large(&rec.category, received)?;
    let (digest, bytes) = match rec.segments.finish() {
        Ok(done) => done,
        Err(Incomplete::Empty) => return Err(bad("id", id, "No segment was appended".into())),
        Err(Incomplete::Missing(k)) => {
            return Err(bad(
                "id",
                id,
                format!("Segment {k} is missing: segments are 0, 1, 2, ... without a gap"),
            ));
        }
        Err(Incomplete::Replaced(k)) => {
            return Err(bad(
                "id",
                id,
                format!(
                    "Segment {k} was replaced by different bytes after later segments (the sandbox keeps no bytes of large uploads, so it cannot rebuild the file)"
                ),
            ));
        }
    };
    let mut rec = uploads
        .media
        .remove(&n)
        .ok_or_else(|| Reply::problem(404, &problem::not_found("id", id, "media")))?;
    let keep = received <= uploads.config.keep_bytes_up_to;
    complete(uploads, &mut rec, digest, bytes.filter(|_| keep), now_ms);
    let answer = data(uploads, n, &rec, now_ms, true);
    uploads.media.insert(n, rec);
    Ok(Reply::json(200, &answer))
}

fn status(uploads: &mut Uploads, query: &str, user: u64, now_ms: i64) -> Result<Reply, Reply> {
    let mut media_id = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "media_id" if media_id.is_none() => media_id = Some(v.into_owned()),
            "command" if v == "STATUS" => {}
            "command" => return Err(bad("command", &v, "`command` must be STATUS".into())),
            other => {
                return Err(bad(
                    other,
                    &v,
                    format!("The query parameter [{other}] is not one of [media_id, command]"),
                ));
            }
        }
    }
    let id =
        media_id.ok_or_else(|| bad_body("The `media_id` query parameter is required".into()))?;
    let (n, rec) = owned(uploads, &id, user, now_ms)?;
    if rec.finalized_ms.is_none() || !is_async(&rec.category) {
        // No processing to report (xurl #18 saw this answer for an image).
        return Err(Reply::problem(
            400,
            &json!({"errors": [{"message": "BadRequest: Not found"}], "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request"}),
        ));
    }
    let _ = n;
    let uploads_ro: &Uploads = uploads;
    let rec = uploads_ro
        .media
        .get(&n)
        .ok_or_else(|| Reply::problem(404, &problem::not_found("id", &id, "media")))?;
    Ok(Reply::json(200, &data(uploads_ro, n, rec, now_ms, false)))
}
