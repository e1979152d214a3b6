//! Delivery: reads the request, runs it through [`Shared`], then writes the response
//! (gzip, latency, and the body-level faults: reset, truncation, slow chunks, drop).

use std::io::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};

use crate::config::FaultKind;
use crate::dispatch::{Outcome, Shared, lock};
use crate::log::{AuthKind, RequestRecord};
use crate::problem;
use crate::reply::Reply;
use crate::routes::Route;

/// The response body type.
pub(crate) type Body = BoxBody<Bytes, io::Error>;

/// Request bodies above this size are refused with 413.
const MAX_BODY: usize = 1 << 20;

/// The body limit of the upload endpoints: a 5 MiB image or an 8 MiB segment, base64-encoded
/// in JSON, with room to spare.
const MAX_UPLOAD_BODY: usize = 16 << 20;

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(body).ok()?;
    enc.finish().ok().map(Bytes::from)
}

fn full(b: Bytes) -> Body {
    Full::new(b).map_err(|never| match never {}).boxed()
}

fn stream_body(chunks: Vec<Bytes>, delay: Duration, then_fail: Option<Arc<AtomicBool>>) -> Body {
    let state = (chunks.into_iter(), delay, then_fail, false);
    let s = futures::stream::unfold(state, |(mut it, delay, fail, done)| async move {
        if done {
            return None;
        }
        match it.next() {
            Some(c) => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Some((Ok(Frame::data(c)), (it, delay, fail, false)))
            }
            None => match fail {
                Some(kill) => {
                    // Let hyper flush what was sent (it writes when the body is pending),
                    // then fail the body: the connection closes (or resets) mid-body.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    kill.store(true, Ordering::SeqCst);
                    Some((
                        Err(io::Error::new(
                            io::ErrorKind::ConnectionReset,
                            "dm-fake: injected fault",
                        )),
                        (it, delay, None, true),
                    ))
                }
                None => None,
            },
        }
    });
    StreamBody::new(s).boxed()
}

/// Serves one request. `Err` drops the connection without a response.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    kill: Arc<AtomicBool>,
    req: Request<Incoming>,
) -> Result<Response<Body>, io::Error> {
    let (parts, incoming) = req.into_parts();
    let route = Route::parse(parts.method.as_str(), parts.uri.path());
    let limit = if matches!(
        route,
        Route::Upload(_) | Route::Chat(crate::chat::ChatRoute::MediaAppend(_))
    ) {
        MAX_UPLOAD_BODY
    } else {
        MAX_BODY
    };
    let body = match http_body_util::Limited::new(incoming, limit)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            let r = Reply::problem(413, &problem::generic(413, "Payload Too Large"));
            return Response::builder()
                .status(413)
                .header("content-type", "application/problem+json")
                .body(full(r.body))
                .map_err(io::Error::other);
        }
        Err(e) => return Err(io::Error::other(e)),
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    if let Some(h) = crate::activity::serve(
        &shared,
        &kill,
        &method,
        &path,
        &query,
        &parts.headers,
        &body,
    )
    .await
    {
        let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        shared.record(RequestRecord {
            seq,
            method,
            path,
            query,
            endpoint: h.endpoint,
            status: h.status,
            auth: h.auth,
            fault: None,
            body_len: body.len(),
            gzip: false,
        });
        return Ok(h.response);
    }
    let endpoint = route.endpoint();
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let authz = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let outcome = match &route {
        Route::Authorize => Outcome {
            reply: lock(&shared.oauth2).authorize(&query),
            fault: None,
            auth: AuthKind::None,
        },
        Route::Token => Outcome {
            reply: lock(&shared.oauth2).token(authz.as_deref(), &body),
            fault: None,
            auth: AuthKind::None,
        },
        Route::Revoke => Outcome {
            reply: lock(&shared.oauth2).revoke(authz.as_deref(), &body),
            fault: None,
            auth: AuthKind::None,
        },
        Route::Unknown => Outcome {
            reply: Reply::problem(404, &problem::generic(404, "Not Found")),
            fault: None,
            auth: AuthKind::None,
        },
        _ => shared.dm(&route, &method, &path, &query, &parts.headers, &body),
    };
    let Outcome { reply, fault, auth } = outcome;
    let latency = lock(&shared.faults).config.base_latency;
    let extra = match &fault {
        Some(FaultKind::Latency(d)) => *d,
        _ => Duration::ZERO,
    };
    if !(latency + extra).is_zero() {
        tokio::time::sleep(latency + extra).await;
    }
    let wants_gzip = parts
        .headers
        .get(http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().split(';').next() == Some("gzip"))
        });
    let mut body_bytes = reply.body.clone();
    let mut gzipped = false;
    if wants_gzip
        && !body_bytes.is_empty()
        && let Some(z) = gzip(&body_bytes)
    {
        body_bytes = z;
        gzipped = true;
    }
    let dropped = matches!(
        fault,
        Some(FaultKind::DropAfterRequestBody | FaultKind::DropRequestBody)
    );
    let status = if dropped { 0 } else { reply.status };
    shared.record(RequestRecord {
        seq,
        method,
        path,
        query,
        endpoint,
        status,
        auth,
        fault: fault.as_ref().map(FaultKind::name),
        body_len: body.len(),
        gzip: gzipped,
    });
    if dropped {
        kill.store(true, Ordering::SeqCst);
        return Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "dm-fake: dropped after reading the request body",
        ));
    }
    let len = body_bytes.len();
    let half = body_bytes.slice(..len / 2);
    let http_body = match &fault {
        Some(FaultKind::ResetMidBody) => {
            stream_body(vec![half], Duration::ZERO, Some(kill.clone()))
        }
        Some(FaultKind::TruncatedBody) => stream_body(
            vec![half],
            Duration::ZERO,
            Some(Arc::new(AtomicBool::new(false))),
        ),
        Some(FaultKind::SlowBody(delay)) => {
            let step = (len / 8).max(1);
            let chunks = (0..len)
                .step_by(step)
                .map(|i| body_bytes.slice(i..(i + step).min(len)))
                .collect();
            stream_body(chunks, *delay, None)
        }
        _ => full(body_bytes),
    };
    let mut builder = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        builder = builder.header(*k, v.as_str());
    }
    if gzipped {
        builder = builder
            .header("content-encoding", "gzip")
            .header("vary", "accept-encoding");
    }
    if matches!(
        fault,
        Some(FaultKind::ResetMidBody | FaultKind::TruncatedBody | FaultKind::SlowBody(_))
    ) {
        builder = builder.header("content-length", len.to_string());
    }
    builder = builder.header("api-version", "2.166");
    builder.body(http_body).map_err(io::Error::other)
}
