//! `GET /2/activity/stream`: a long-lived chunked response, one event per `\r\n`-terminated
//! line, keep-alives (`\r\n`) when idle, the backlog first when asked for.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use tokio::sync::mpsc;

use super::{Conn, ConnMsg, StreamBreak};
use crate::clock::parse_ms;
use crate::dispatch::{Shared, lock};
use crate::problem;
use crate::reply::Reply;
use crate::serve::Body;

/// What the stream was asked for.
pub(super) struct Window {
    backfill_minutes: Option<i64>,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
}

/// Parses the stream's query (`backfill_minutes` 0..=5, `start_time`, `end_time`, each once,
/// nothing else). `Err` is a 400.
pub(super) fn parse_window(query: &str, now_ms: i64) -> Result<Window, Reply> {
    let mut w = Window {
        backfill_minutes: None,
        start_ms: None,
        end_ms: None,
    };
    let bad = |k: &str, v: &str, why: String| {
        Err(Reply::problem(400, &problem::invalid_request(k, v, why)))
    };
    let mut seen = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if seen.contains(&k) {
            return bad(&k, &v, format!("The query parameter [{k}] is repeated"));
        }
        seen.push(k.clone());
        match k.as_ref() {
            "backfill_minutes" => match v.parse::<i64>() {
                Ok(n) if (0..=5).contains(&n) => w.backfill_minutes = Some(n),
                _ => {
                    return bad(
                        &k,
                        &v,
                        format!(
                            "The `backfill_minutes` query parameter value [{v}] is not between 0 and 5"
                        ),
                    );
                }
            },
            "start_time" | "end_time" => match parse_ms(&v) {
                Some(ms) if ms >= now_ms - 24 * 3_600_000 => {
                    if k == "start_time" {
                        w.start_ms = Some(ms);
                    } else {
                        w.end_ms = Some(ms);
                    }
                }
                Some(_) => {
                    return bad(
                        &k,
                        &v,
                        format!("The `{k}` query parameter value [{v}] is more than 24 hours ago"),
                    );
                }
                None => {
                    return bad(
                        &k,
                        &v,
                        format!("The `{k}` query parameter value [{v}] is not a valid time"),
                    );
                }
            },
            _ => {
                return bad(
                    &k,
                    &v,
                    format!(
                        "The query parameter [{k}] is not one of [backfill_minutes,start_time,end_time]"
                    ),
                );
            }
        }
    }
    if let (Some(s), Some(e)) = (w.start_ms, w.end_ms)
        && e < s
    {
        return bad(
            "end_time",
            "",
            "The `end_time` query parameter value must be after `start_time`".into(),
        );
    }
    Ok(w)
}

/// `429` when the app already has its maximum of stream connections.
fn too_many_connections() -> Reply {
    Reply::problem(
        429,
        &serde_json::json!({
            "title": "ConnectionException",
            "detail": "This stream is currently at the maximum allowed connection limit.",
            "connection_issue": "TooManyConnections",
            "type": "https://api.x.com/2/problems/streaming-connection",
        }),
    )
}

const OPERATIONAL_DISCONNECT: &[u8] = b"{\"errors\":[{\"title\":\"operational-disconnect\",\"disconnect_type\":\"UpstreamOperationalDisconnect\",\"detail\":\"This stream has been disconnected upstream for operational reasons.\",\"type\":\"https://api.x.com/2/problems/operational-disconnect\"}]}\r\n";

/// Opens a stream connection: the backlog the window asks for, then (unless the window has
/// an end) every new event, with keep-alives. `Err` is the error reply.
pub(super) fn open(
    shared: &Arc<Shared>,
    kill: &Arc<AtomicBool>,
    window: Window,
    now_ms: i64,
) -> Result<Body, Reply> {
    let hub = &shared.activity;
    let (tx, rx) = mpsc::unbounded_channel();
    let (backlog, id, ends) = {
        let mut st = lock(&hub.state);
        st.conns.retain(|c| !c.tx.is_closed());
        if st.conns.len() >= hub.config.max_stream_connections {
            return Err(too_many_connections());
        }
        let from = match (window.start_ms, window.backfill_minutes) {
            (Some(s), _) => Some(s),
            (None, Some(m)) => Some(now_ms - m * 60_000),
            (None, None) => None,
        };
        let backlog: Vec<Bytes> = match from {
            Some(from) => st
                .log
                .iter()
                .filter(|l| l.at_ms >= from && window.end_ms.is_none_or(|e| l.at_ms <= e))
                .map(|l| l.line.clone())
                .collect(),
            None => Vec::new(),
        };
        let ends = window.end_ms.is_some();
        st.next_conn += 1;
        let id = st.next_conn;
        st.stats.stream_connections += 1;
        if !ends {
            st.conns.push(Conn { id, tx });
        }
        (backlog, id, ends)
    };
    let (body_tx, body_rx) = mpsc::channel::<Result<Frame<Bytes>, io::Error>>(64);
    let task = Task {
        shared: shared.clone(),
        kill: kill.clone(),
        id,
        keepalive: hub.config.keepalive,
        out: body_tx,
    };
    tokio::spawn(task.run(backlog, (!ends).then_some(rx)));
    let frames = futures::stream::unfold(body_rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(StreamBody::new(frames).boxed())
}

struct Task {
    shared: Arc<Shared>,
    kill: Arc<AtomicBool>,
    id: u64,
    keepalive: Duration,
    out: mpsc::Sender<Result<Frame<Bytes>, io::Error>>,
}

impl Task {
    async fn send(&self, bytes: Bytes) -> bool {
        self.out.send(Ok(Frame::data(bytes))).await.is_ok()
    }

    /// Resets the connection after what was sent is flushed.
    async fn reset(&self) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.kill.store(true, Ordering::SeqCst);
        let _ = self
            .out
            .send(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "dm-fake: stream broken on purpose",
            )))
            .await;
    }

    async fn run(self, backlog: Vec<Bytes>, live: Option<mpsc::UnboundedReceiver<ConnMsg>>) {
        self.serve(backlog, live).await;
        let mut st = lock(&self.shared.activity.state);
        st.conns.retain(|c| c.id != self.id);
    }

    async fn serve(&self, backlog: Vec<Bytes>, live: Option<mpsc::UnboundedReceiver<ConnMsg>>) {
        for line in backlog {
            if !self.send(line).await {
                return;
            }
        }
        let Some(mut live) = live else {
            return; // a window with an end: the response ends once it is served
        };
        let mut cut_next = false;
        loop {
            let msg = tokio::select! {
                m = tokio::time::timeout(self.keepalive, live.recv()) => m,
                _ = self.out.closed() => return,
            };
            match msg {
                Err(_) => {
                    if !self.send(Bytes::from_static(b"\r\n")).await {
                        return;
                    }
                }
                Ok(None) => return,
                Ok(Some(ConnMsg::Line(line))) if cut_next => {
                    let half = line.slice(..line.len() / 2);
                    let _ = self.send(half).await;
                    self.reset().await;
                    return;
                }
                Ok(Some(ConnMsg::Line(line))) => {
                    if !self.send(line).await {
                        return;
                    }
                }
                Ok(Some(ConnMsg::Break(how))) => match how {
                    StreamBreak::Reset => {
                        self.reset().await;
                        return;
                    }
                    StreamBreak::CutLine => cut_next = true,
                    StreamBreak::Stall(d) => {
                        tokio::select! {
                            _ = tokio::time::sleep(d) => {}
                            _ = self.out.closed() => return,
                        }
                        self.reset().await;
                        return;
                    }
                    StreamBreak::OperationalDisconnect => {
                        let _ = self.send(Bytes::from_static(OPERATIONAL_DISCONNECT)).await;
                        return;
                    }
                },
            }
        }
    }
}
