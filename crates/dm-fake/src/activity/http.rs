//! Routing and handlers of the activity, webhook and Account Activity endpoints.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use bytes::Bytes;
use http::{HeaderMap, Response};
use http_body_util::{BodyExt, Full};
use serde_json::{Map, Value, json};

use super::{Sub, Webhook, delivery, stream};
use crate::auth::Verdict;
use crate::clock::format_ms;
use crate::dispatch::{Shared, lock};
use crate::log::{AuthKind, Endpoint};
use crate::problem;
use crate::reply::Reply;
use crate::serve::Body;

/// A request the real-time side answered.
pub(crate) struct Handled {
    pub response: Response<Body>,
    pub endpoint: Endpoint,
    pub status: u16,
    pub auth: AuthKind,
}

const PROBLEMS: &str = "https://api.twitter.com/2/problems";

/// The event types a subscription may name (the spec's enum; `chat.conversation_join` is
/// the deprecated alias of `chat.conversation.join`).
const EVENT_TYPES: &[&str] = &[
    "profile.update.bio",
    "profile.update.profile_picture",
    "profile.update.banner_picture",
    "profile.update.screenname",
    "profile.update.geo",
    "profile.update.url",
    "profile.update.verified_badge",
    "profile.update.affiliate_badge",
    "profile.update.handle",
    "news.new",
    "follow.follow",
    "follow.unfollow",
    "spaces.start",
    "spaces.end",
    "broadcast.start",
    "broadcast.end",
    "broadcast.chat",
    "chat.received",
    "chat.sent",
    "chat.conversation.join",
    "chat.conversation.member_added",
    "chat.conversation.member_removed",
    "chat.conversation.admin_added",
    "chat.conversation.admin_removed",
    "chat.update.group_name",
    "chat.update.restrictions",
    "dm.sent",
    "dm.received",
    "dm.indicate_typing",
    "dm.read",
    "post.create",
    "post.delete",
    "post.mention.create",
    "post.reply.create",
    "post.quote.create",
    "post.repost.create",
    "like.create",
    "mute.mute",
    "mute.unmute",
    "block.block",
    "block.unblock",
];

/// Who may call an operation (the spec's security lists).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The app's bearer token only.
    App,
    /// The app's bearer token or OAuth 1.0a.
    AppOrOAuth1,
    /// A user (OAuth 2.0 with these scopes, or OAuth 1.0a).
    User(&'static [&'static str]),
    /// Anyone authenticated.
    Any,
}

fn body_of(reply: Reply) -> Response<Body> {
    let mut b = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        b = b.header(*k, v.as_str());
    }
    b.header("api-version", "2.167")
        .body(
            Full::new(reply.body)
                .map_err(|never| match never {})
                .boxed(),
        )
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).map_err(|n| match n {}).boxed()))
}

/// `400` with a failure reason name (`CrcValidationFailed`, `WebhookIdInvalid`, ...).
fn failure(reason: &str, why: impl Into<String>) -> Reply {
    let why = why.into();
    Reply::problem(
        400,
        &json!({
            "title": "Invalid Request",
            "detail": format!("{reason}: {why}"),
            "type": format!("{PROBLEMS}/invalid-request"),
            "errors": [{"message": format!("{reason}: {why}"), "reason": reason}],
        }),
    )
}

fn client_forbidden() -> Reply {
    Reply::problem(
        403,
        &json!({
            "title": "Client Forbidden",
            "detail": "This request must be made using an approved developer account that is enrolled in the requested endpoint. Learn more by visiting our documentation.",
            "reason": "client-not-enrolled",
            "registration_url": "https://developer.x.com/en/portal/product",
            "required_enrollment": "X Activity API",
            "type": format!("{PROBLEMS}/client-forbidden"),
        }),
    )
}

fn json_ok(v: &Value) -> Reply {
    Reply::json(200, v)
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit())
}

fn parse_id(name: &str, s: &str) -> Result<u64, Reply> {
    if !is_id(s) {
        return Err(Reply::problem(
            400,
            &problem::invalid_request(
                name,
                s,
                format!("The `{name}` query parameter value [{s}] does not match ^[0-9]{{1,19}}$"),
            ),
        ));
    }
    s.parse()
        .map_err(|_| failure("QueryParamInvalid", format!("`{name}` is out of range")))
}

fn no_query(query: &str) -> Result<(), Reply> {
    match form_urlencoded::parse(query.as_bytes()).next() {
        Some((k, v)) => Err(Reply::problem(
            400,
            &problem::invalid_request(
                &k,
                &v,
                format!("The query parameter [{k}] is not one of []"),
            ),
        )),
        None => Ok(()),
    }
}

fn json_body(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Reply::problem(
            400,
            &problem::invalid_body("Request body is not valid JSON.".into()),
        )),
    }
}

fn only_keys(m: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), Reply> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Reply::problem(
            400,
            &problem::invalid_body(format!("`{k}` is not a property of {what}")),
        )),
        None => Ok(()),
    }
}

fn string_member(
    m: &Map<String, Value>,
    key: &str,
    min: usize,
    max: usize,
) -> Result<Option<String>, Reply> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if (min..=max).contains(&s.chars().count()) => Ok(Some(s.clone())),
        Some(_) => Err(Reply::problem(
            400,
            &problem::invalid_body(format!(
                "`{key}` must be a string of {min} to {max} characters"
            )),
        )),
    }
}

/// The real-time side's answer to a request, or `None` for a path it does not serve.
pub(crate) async fn serve(
    shared: &Arc<Shared>,
    kill: &Arc<AtomicBool>,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Handled> {
    let segs: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .skip(1)
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (endpoint, family, who) = match (method, segs.as_slice()) {
        (_, ["2", "activity", "stream"]) => (Endpoint::ActivityStream, "activity-stream", Who::App),
        ("POST", ["2", "activity", "subscriptions"]) => (
            Endpoint::ActivitySubscriptions,
            "activity-subscriptions",
            Who::Any,
        ),
        ("GET", ["2", "activity", "subscriptions"]) => (
            Endpoint::ActivitySubscriptions,
            "activity-subscriptions",
            Who::Any,
        ),
        (_, ["2", "activity", "subscriptions", ..]) => (
            Endpoint::ActivitySubscriptions,
            "activity-subscriptions",
            Who::App,
        ),
        ("POST", ["2", "webhooks", "replay"]) => {
            (Endpoint::WebhookReplay, "webhook-replay", Who::App)
        }
        ("GET", ["2", "webhooks"]) => (Endpoint::Webhooks, "webhooks", Who::App),
        (_, ["2", "webhooks", ..]) => (Endpoint::Webhooks, "webhooks", Who::AppOrOAuth1),
        (
            "GET" | "POST",
            [
                "2",
                "account_activity",
                "webhooks",
                _,
                "subscriptions",
                "all",
            ],
        ) => (
            Endpoint::AccountActivity,
            "account-activity",
            Who::User(&["dm.read", "users.read", "dm.write", "tweet.read"]),
        ),
        (_, ["2", "account_activity", ..]) => {
            (Endpoint::AccountActivity, "account-activity", Who::App)
        }
        _ => return None,
    };
    let verdict = shared.verdict(method, path, query, headers, body);
    let auth = match verdict {
        Verdict::User { oauth1: true, .. } => AuthKind::OAuth1,
        Verdict::User { .. } | Verdict::AppOnly => AuthKind::Bearer,
        Verdict::Unauthorized => AuthKind::None,
    };
    let (reply, response) = match authorize(&verdict, who) {
        Err(reply) => (reply, None),
        Ok(()) if !shared.activity.config.enabled => (client_forbidden(), None),
        Ok(()) => {
            let decision = lock(&shared.limiter).check(family);
            if !decision.allowed {
                let r = Reply::problem(429, &problem::generic(429, "Too Many Requests"));
                let r = decision
                    .headers()
                    .into_iter()
                    .fold(r, |r, (k, v)| r.header(k, v));
                (r, None)
            } else {
                let outcome = route(shared, kill, method, &segs, query, body, &verdict).await;
                let add = |r: Reply| {
                    decision
                        .headers()
                        .into_iter()
                        .fold(r, |r, (k, v)| r.header(k, v))
                };
                match outcome {
                    Routed::Reply(r) => (add(r), None),
                    Routed::Stream(b) => {
                        let mut builder = Response::builder()
                            .status(200)
                            .header("content-type", "application/json; charset=utf-8")
                            .header("api-version", "2.167");
                        for (k, v) in decision.headers() {
                            builder = builder.header(k, v);
                        }
                        (Reply::raw(200, "", Bytes::new()), builder.body(b).ok())
                    }
                }
            }
        }
    };
    let status = reply.status;
    let response = response.unwrap_or_else(|| body_of(reply));
    Some(Handled {
        response,
        endpoint,
        status,
        auth,
    })
}

fn authorize(verdict: &Verdict, who: Who) -> Result<(), Reply> {
    let unsupported = |used: &str, supported: &[&str]| {
        Err(Reply::problem(
            403,
            &problem::unsupported_authentication(used, supported),
        ))
    };
    const APP: &str = "OAuth 2.0 Application-Only";
    const USER2: &str = "OAuth 2.0 User Context";
    const USER1: &str = "OAuth 1.0a User Context";
    match (verdict, who) {
        (Verdict::Unauthorized, _) => {
            Err(Reply::problem(401, &problem::generic(401, "Unauthorized")))
        }
        (_, Who::Any) => Ok(()),
        (Verdict::AppOnly, Who::App | Who::AppOrOAuth1) => Ok(()),
        (Verdict::User { oauth1: true, .. }, Who::AppOrOAuth1) => Ok(()),
        (Verdict::User { oauth1: false, .. }, Who::App) => unsupported(USER2, &[APP]),
        (Verdict::User { oauth1: true, .. }, Who::App) => unsupported(USER1, &[APP]),
        (Verdict::User { oauth1: false, .. }, Who::AppOrOAuth1) => {
            unsupported(USER2, &[USER1, APP])
        }
        (Verdict::AppOnly, Who::User(_)) => unsupported(APP, &[USER1, USER2]),
        (
            Verdict::User {
                scopes: Some(s),
                oauth1: false,
            },
            Who::User(needed),
        ) if !needed.iter().all(|n| s.iter().any(|x| x == n)) => {
            Err(Reply::problem(403, &problem::generic(403, "Forbidden")))
        }
        (Verdict::User { .. }, Who::User(_)) => Ok(()),
    }
}

enum Routed {
    Reply(Reply),
    Stream(Body),
}

async fn route(
    shared: &Arc<Shared>,
    kill: &Arc<AtomicBool>,
    method: &str,
    segs: &[&str],
    query: &str,
    body: &[u8],
    verdict: &Verdict,
) -> Routed {
    let now = shared.now_ms();
    let result: Result<Reply, Reply> = match (method, segs) {
        ("GET", ["2", "activity", "stream"]) => {
            return match stream::parse_window(query, now)
                .and_then(|w| stream::open(shared, kill, w, now))
            {
                Ok(b) => Routed::Stream(b),
                Err(r) => Routed::Reply(r),
            };
        }
        ("POST", ["2", "activity", "subscriptions"]) => {
            no_query(query).and_then(|()| create_subscription(shared, body, verdict, now))
        }
        ("GET", ["2", "activity", "subscriptions"]) => list_subscriptions(shared, query),
        ("DELETE", ["2", "activity", "subscriptions"]) => delete_subscriptions(shared, query),
        ("PUT", ["2", "activity", "subscriptions", id]) => no_query(query)
            .and_then(|()| parse_id("subscription_id", id))
            .and_then(|id| update_subscription(shared, id, body, now)),
        ("DELETE", ["2", "activity", "subscriptions", id]) => no_query(query)
            .and_then(|()| parse_id("subscription_id", id))
            .and_then(|id| delete_subscription(shared, id)),
        ("GET", ["2", "webhooks"]) => list_webhooks(shared, query),
        ("POST", ["2", "webhooks"]) => match no_query(query).and_then(|()| json_body(body)) {
            Ok(m) => create_webhook(shared, m, now).await,
            Err(r) => Err(r),
        },
        ("POST", ["2", "webhooks", "replay"]) => {
            no_query(query).and_then(|()| replay(shared, body, now))
        }
        ("PUT", ["2", "webhooks", id]) => {
            match no_query(query).and_then(|()| parse_id("webhook_id", id)) {
                Ok(id) => validate_webhook(shared, id).await,
                Err(r) => Err(r),
            }
        }
        ("DELETE", ["2", "webhooks", id]) => no_query(query)
            .and_then(|()| parse_id("webhook_id", id))
            .and_then(|id| delete_webhook(shared, id)),
        ("GET", ["2", "account_activity", "subscriptions", "count"]) => {
            no_query(query).map(|()| aaa_count(shared))
        }
        (
            m @ ("GET" | "POST"),
            [
                "2",
                "account_activity",
                "webhooks",
                w,
                "subscriptions",
                "all",
            ],
        ) => no_query(query)
            .and_then(|()| parse_id("webhook_id", w))
            .and_then(|w| aaa_subscribe(shared, w, m == "POST", body)),
        (
            "GET",
            [
                "2",
                "account_activity",
                "webhooks",
                w,
                "subscriptions",
                "all",
                "list",
            ],
        ) => no_query(query)
            .and_then(|()| parse_id("webhook_id", w))
            .and_then(|w| aaa_list(shared, w)),
        (
            "DELETE",
            [
                "2",
                "account_activity",
                "webhooks",
                w,
                "subscriptions",
                u,
                "all",
            ],
        ) => no_query(query)
            .and_then(|()| Ok((parse_id("webhook_id", w)?, parse_id("user_id", u)?)))
            .and_then(|(w, u)| aaa_unsubscribe(shared, w, u)),
        _ => Err(Reply::problem(404, &problem::generic(404, "Not Found"))),
    };
    Routed::Reply(result.unwrap_or_else(|r| r))
}

fn me(shared: &Shared) -> u64 {
    shared
        .store
        .read()
        .map(|s| s.me_id())
        .unwrap_or_else(|p| p.into_inner().me_id())
}

fn sub_json(s: &Sub) -> Value {
    let mut filter = Map::new();
    if let Some(u) = s.user_id {
        filter.insert("user_id".into(), json!(u.to_string()));
    }
    if let Some(k) = &s.keyword {
        filter.insert("keyword".into(), json!(k));
    }
    if let Some(d) = &s.direction {
        filter.insert("direction".into(), json!(d));
    }
    let mut o = json!({
        "subscription_id": s.id.to_string(),
        "event_type": s.event_type,
        "filter": filter,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    });
    if let Some(t) = &s.tag {
        o["tag"] = json!(t);
    }
    if let Some(w) = s.webhook_id {
        o["webhook_id"] = json!(w.to_string());
    }
    o
}

fn create_subscription(
    shared: &Arc<Shared>,
    body: &[u8],
    verdict: &Verdict,
    now: i64,
) -> Result<Reply, Reply> {
    let m = json_body(body)?;
    only_keys(
        &m,
        &["event_type", "filter", "tag", "webhook_id"],
        "the request",
    )?;
    let event_type = match m.get("event_type") {
        Some(Value::String(t)) if t == "chat.conversation_join" => {
            "chat.conversation.join".to_owned()
        }
        Some(Value::String(t)) if EVENT_TYPES.contains(&t.as_str()) => t.clone(),
        Some(v) => {
            return Err(Reply::problem(
                400,
                &problem::invalid_body(format!("`event_type` {v} is not one of the event types")),
            ));
        }
        None => {
            return Err(Reply::problem(
                400,
                &problem::invalid_body("`event_type` is required".into()),
            ));
        }
    };
    let Some(Value::Object(filter)) = m.get("filter") else {
        return Err(Reply::problem(
            400,
            &problem::invalid_body("`filter` is required (an object)".into()),
        ));
    };
    only_keys(filter, &["user_id", "keyword", "direction"], "`filter`")?;
    let user_id = match filter.get("user_id") {
        None => None,
        Some(Value::String(u)) if is_id(u) => u.parse::<u64>().ok(),
        Some(_) => {
            return Err(Reply::problem(
                400,
                &problem::invalid_body("`filter.user_id` must match ^[0-9]{1,19}$".into()),
            ));
        }
    };
    let keyword = string_member(filter, "keyword", 1, 150)?;
    let direction = match filter.get("direction") {
        None => None,
        Some(Value::String(d)) if d == "inbound" || d == "outbound" => Some(d.clone()),
        Some(_) => {
            return Err(Reply::problem(
                400,
                &problem::invalid_body("`filter.direction` must be inbound or outbound".into()),
            ));
        }
    };
    let tag = string_member(&m, "tag", 1, 200)?;
    let webhook_id = match m.get("webhook_id") {
        None => None,
        Some(Value::String(w)) if is_id(w) => w.parse::<u64>().ok(),
        Some(_) => {
            return Err(Reply::problem(
                400,
                &problem::invalid_body("`webhook_id` must match ^[0-9]{1,19}$".into()),
            ));
        }
    };
    // Private events: only for the user who authorized the app, with `dm.read`.
    let private = event_type.starts_with("dm.") || event_type.starts_with("chat.");
    if private {
        if user_id != Some(me(shared)) {
            return Err(Reply::problem(
                403,
                &problem::not_authorized(
                    "filter.user_id",
                    &user_id.map(|u| u.to_string()).unwrap_or_default(),
                    "user",
                ),
            ));
        }
        if let Verdict::User {
            scopes: Some(s),
            oauth1: false,
        } = verdict
            && !s.iter().any(|x| x == "dm.read")
        {
            return Err(Reply::problem(403, &problem::generic(403, "Forbidden")));
        }
    }
    let mut st = lock(&shared.activity.state);
    if let Some(w) = webhook_id
        && !st.webhooks.iter().any(|h| h.id == w)
    {
        return Err(failure("WebhookIdInvalid", format!("no webhook {w}")));
    }
    if st.subs.iter().any(|s| {
        s.event_type == event_type
            && s.user_id == user_id
            && s.keyword == keyword
            && s.direction == direction
    }) {
        return Err(Reply::problem(
            409,
            &json!({"title": "Conflict", "detail": "DuplicateSubscriptionFailed: a subscription with this event type and filter exists",
                    "type": format!("{PROBLEMS}/conflict")}),
        ));
    }
    st.next_sub += 1;
    let at = format_ms(now);
    let sub = Sub {
        id: st.next_sub,
        event_type,
        user_id,
        keyword,
        direction,
        tag,
        webhook_id,
        created_at: at.clone(),
        updated_at: at,
    };
    let v = json!({"data": {"subscription": sub_json(&sub)}});
    st.subs.push(sub);
    Ok(json_ok(&v))
}

fn list_subscriptions(shared: &Arc<Shared>, query: &str) -> Result<Reply, Reply> {
    let (mut max, mut offset) = (1000usize, 0usize);
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "max_results" => match v.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => max = n,
                _ => {
                    return Err(Reply::problem(
                        400,
                        &problem::invalid_request(
                            &k,
                            &v,
                            format!(
                                "The `max_results` query parameter value [{v}] is not between 1 and 1000"
                            ),
                        ),
                    ));
                }
            },
            "pagination_token" => match (v.len() >= 16)
                .then(|| usize::from_str_radix(&v, 16).ok())
                .flatten()
            {
                Some(n) => offset = n,
                None => {
                    return Err(Reply::problem(
                        400,
                        &problem::invalid_request(
                            &k,
                            &v,
                            format!(
                                "The `pagination_token` query parameter value [{v}] is not valid"
                            ),
                        ),
                    ));
                }
            },
            _ => {
                return Err(Reply::problem(
                    400,
                    &problem::invalid_request(
                        &k,
                        &v,
                        format!(
                            "The query parameter [{k}] is not one of [max_results,pagination_token]"
                        ),
                    ),
                ));
            }
        }
    }
    let st = lock(&shared.activity.state);
    let page: Vec<Value> = st
        .subs
        .iter()
        .skip(offset)
        .take(max)
        .map(sub_json)
        .collect();
    let mut meta = json!({"result_count": page.len(), "total_subscriptions": st.subs.len()});
    if offset + page.len() < st.subs.len() {
        meta["next_token"] = json!(format!("{:016X}", offset + page.len()));
    }
    Ok(json_ok(&json!({"data": page, "meta": meta})))
}

fn update_subscription(
    shared: &Arc<Shared>,
    id: u64,
    body: &[u8],
    now: i64,
) -> Result<Reply, Reply> {
    let m = json_body(body)?;
    only_keys(&m, &["tag", "webhook_id"], "the request")?;
    let tag = string_member(&m, "tag", 1, 200)?;
    let webhook = match m.get("webhook_id") {
        None => None,
        Some(Value::String(w)) if is_id(w) => w.parse::<u64>().ok(),
        Some(_) => {
            return Err(Reply::problem(
                400,
                &problem::invalid_body("`webhook_id` must match ^[0-9]{1,19}$".into()),
            ));
        }
    };
    let mut st = lock(&shared.activity.state);
    if let Some(w) = webhook
        && !st.webhooks.iter().any(|h| h.id == w)
    {
        return Err(failure("WebhookIdInvalid", format!("no webhook {w}")));
    }
    let total = st.subs.len();
    let Some(sub) = st.subs.iter_mut().find(|s| s.id == id) else {
        return Err(Reply::problem(
            404,
            &problem::not_found("subscription_id", &id.to_string(), "subscription"),
        ));
    };
    if tag.is_some() {
        sub.tag = tag;
    }
    if webhook.is_some() {
        sub.webhook_id = webhook;
    }
    sub.updated_at = format_ms(now);
    Ok(json_ok(
        &json!({"data": {"subscription": sub_json(sub), "total_subscriptions": total}}),
    ))
}

fn delete_subscription(shared: &Arc<Shared>, id: u64) -> Result<Reply, Reply> {
    let mut st = lock(&shared.activity.state);
    let before = st.subs.len();
    st.subs.retain(|s| s.id != id);
    if st.subs.len() == before {
        return Err(Reply::problem(
            404,
            &problem::not_found("subscription_id", &id.to_string(), "subscription"),
        ));
    }
    Ok(json_ok(
        &json!({"data": {"deleted": true}, "meta": {"total_subscriptions": st.subs.len()}}),
    ))
}

fn delete_subscriptions(shared: &Arc<Shared>, query: &str) -> Result<Reply, Reply> {
    let mut ids: Option<String> = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k != "ids" || ids.is_some() {
            return Err(Reply::problem(
                400,
                &problem::invalid_request(
                    &k,
                    &v,
                    format!("The query parameter [{k}] is not one of [ids]"),
                ),
            ));
        }
        ids = Some(v.into_owned());
    }
    let Some(ids) = ids else {
        return Err(Reply::problem(
            400,
            &problem::invalid_request("ids", "", "The `ids` query parameter is required".into()),
        ));
    };
    let list: Vec<&str> = ids.split(',').collect();
    if list.is_empty() || list.len() > 100 || list.iter().any(|i| !is_id(i)) {
        return Err(Reply::problem(
            400,
            &problem::invalid_request(
                "ids",
                &ids,
                "The `ids` query parameter must be 1 to 100 ids matching ^[0-9]{1,19}$".into(),
            ),
        ));
    }
    let mut st = lock(&shared.activity.state);
    let (mut data, mut errors) = (Vec::new(), Vec::new());
    for i in list {
        let id: u64 = i.parse().unwrap_or(0);
        let before = st.subs.len();
        st.subs.retain(|s| s.id != id);
        if st.subs.len() < before {
            data.push(json!({"deleted": true, "subscription_id": i}));
        } else {
            errors.push(json!({"message": format!("subscription {i} does not exist"), "reason": "SubscriptionNotFound", "subscription_id": i}));
        }
    }
    let mut v = json!({"data": data, "meta": {"total_subscriptions": st.subs.len()}});
    if !errors.is_empty() {
        v["errors"] = json!(errors);
    }
    Ok(json_ok(&v))
}

fn webhook_json(w: &Webhook, fields: &[String]) -> Value {
    let all =
        json!({"created_at": w.created_at, "id": w.id.to_string(), "url": w.url, "valid": w.valid});
    if fields.is_empty() {
        return all;
    }
    let mut o = Map::new();
    for (k, v) in all.as_object().into_iter().flatten() {
        if k == "id" || fields.iter().any(|f| f == k) {
            o.insert(k.clone(), v.clone());
        }
    }
    Value::Object(o)
}

fn list_webhooks(shared: &Arc<Shared>, query: &str) -> Result<Reply, Reply> {
    let mut fields = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k != "webhook_config.fields" || !fields.is_empty() {
            return Err(Reply::problem(
                400,
                &problem::invalid_request(
                    &k,
                    &v,
                    format!("The query parameter [{k}] is not one of [webhook_config.fields]"),
                ),
            ));
        }
        for f in v.split(',') {
            if !["created_at", "id", "url", "valid"].contains(&f) || fields.iter().any(|x| x == f) {
                return Err(Reply::problem(
                    400,
                    &problem::invalid_request(
                        &k,
                        f,
                        format!(
                            "The `webhook_config.fields` query parameter value [{f}] is not one of [created_at,id,url,valid]"
                        ),
                    ),
                ));
            }
            fields.push(f.to_owned());
        }
    }
    let st = lock(&shared.activity.state);
    let data: Vec<Value> = st
        .webhooks
        .iter()
        .map(|w| webhook_json(w, &fields))
        .collect();
    Ok(json_ok(
        &json!({"data": data, "meta": {"result_count": data.len()}}),
    ))
}

async fn create_webhook(
    shared: &Arc<Shared>,
    m: Map<String, Value>,
    now: i64,
) -> Result<Reply, Reply> {
    let Some(url) = string_member(&m, "url", 1, 200)? else {
        return Err(Reply::problem(
            400,
            &problem::invalid_body("`url` is required".into()),
        ));
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(failure(
            "UrlValidationFailed",
            format!("`{url}` is not an http(s) URL"),
        ));
    }
    if lock(&shared.activity.state)
        .webhooks
        .iter()
        .any(|w| w.url == url)
    {
        return Err(failure(
            "DuplicateUrlFailed",
            format!("`{url}` is already registered"),
        ));
    }
    delivery::crc_check(shared, &url)
        .await
        .map_err(|why| failure("CrcValidationFailed", why))?;
    let queue = delivery::start_worker(shared.clone(), url.clone());
    let mut st = lock(&shared.activity.state);
    st.next_webhook += 1;
    let w = Webhook {
        id: st.next_webhook,
        url,
        valid: true,
        created_at: format_ms(now),
        queue,
        delivered: Default::default(),
    };
    let v = json!({"data": webhook_json(&w, &[])});
    st.webhooks.push(w);
    Ok(json_ok(&v))
}

async fn validate_webhook(shared: &Arc<Shared>, id: u64) -> Result<Reply, Reply> {
    let url = lock(&shared.activity.state)
        .webhooks
        .iter()
        .find(|w| w.id == id)
        .map(|w| w.url.clone())
        .ok_or_else(|| failure("WebhookIdInvalid", format!("no webhook {id}")))?;
    let valid = delivery::crc_check(shared, &url).await.is_ok();
    let mut st = lock(&shared.activity.state);
    if let Some(w) = st.webhooks.iter_mut().find(|w| w.id == id) {
        w.valid = valid;
    }
    Ok(json_ok(&json!({"data": {"valid": valid}})))
}

fn delete_webhook(shared: &Arc<Shared>, id: u64) -> Result<Reply, Reply> {
    let mut st = lock(&shared.activity.state);
    let before = st.webhooks.len();
    st.webhooks.retain(|w| w.id != id);
    if st.webhooks.len() == before {
        return Err(failure("WebhookIdInvalid", format!("no webhook {id}")));
    }
    st.aaa.retain(|(w, _)| *w != id);
    Ok(json_ok(&json!({"data": {"deleted": true}})))
}

/// `yyyymmddhhmm` (UTC) → Unix milliseconds.
fn replay_time(s: &str) -> Option<i64> {
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<u16>().ok();
    let month = time::Month::try_from(u8::try_from(n(4, 6)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::from(n(0, 4)?), month, u8::try_from(n(6, 8)?).ok()?)
            .ok()?;
    let t = time::Time::from_hms(
        u8::try_from(n(8, 10)?).ok()?,
        u8::try_from(n(10, 12)?).ok()?,
        0,
    )
    .ok()?;
    Some((date.with_time(t).assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
}

fn replay(shared: &Arc<Shared>, body: &[u8], now: i64) -> Result<Reply, Reply> {
    let m = json_body(body)?;
    only_keys(&m, &["webhook_id", "from_date", "to_date"], "the request")?;
    let get = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(webhook), Some(from), Some(to)) =
        (get("webhook_id"), get("from_date"), get("to_date"))
    else {
        return Err(Reply::problem(
            400,
            &problem::invalid_body("`webhook_id`, `from_date` and `to_date` are required".into()),
        ));
    };
    if !is_id(&webhook) {
        return Err(failure(
            "WebhookIdInvalid",
            format!("`{webhook}` is not a webhook id"),
        ));
    }
    let (Some(from_ms), Some(to_ms)) = (replay_time(&from), replay_time(&to)) else {
        return Err(failure(
            "QueryParamInvalid",
            "`from_date` and `to_date` must be yyyymmddhhmm (UTC)",
        ));
    };
    if to_ms < from_ms || from_ms < now - 24 * 3_600_000 || from_ms > now {
        return Err(failure(
            "QueryParamInvalid",
            "the window must lie within the last 24 hours and end after it starts",
        ));
    }
    let webhook_id: u64 = webhook.parse().unwrap_or(0);
    let mut st = lock(&shared.activity.state);
    st.next_job += 1;
    let job = st.next_job.to_string();
    let hub = &shared.activity;
    let mut replayed = Vec::new();
    let Some(w) = st.webhooks.iter().find(|w| w.id == webhook_id) else {
        return Err(failure(
            "WebhookIdInvalid",
            format!("no webhook {webhook_id}"),
        ));
    };
    // Both bounds inclusive, to the minute.
    for (at, body) in &w.delivered {
        if *at >= from_ms && *at < to_ms + 60_000 {
            replayed.push(body.clone());
        }
    }
    let queue = w.queue.clone();
    for mut body in replayed {
        // A replay is a new delivery: X Activity API events get a new uuid.
        if body.pointer("/data/event_uuid").is_some() {
            body["data"]["event_uuid"] = json!(hub.uuid(&mut st));
        }
        let _ = queue.send(Bytes::from(serde_json::to_vec(&body).unwrap_or_default()));
    }
    let done = json!({"replay_job_status": {"webhook_id": webhook, "job_state": "Complete",
        "job_state_description": "Job completed successfully", "job_id": job}});
    let _ = queue.send(Bytes::from(serde_json::to_vec(&done).unwrap_or_default()));
    Ok(json_ok(
        &json!({"data": {"job_id": job, "created_at": format_ms(now)}}),
    ))
}

fn aaa_count(shared: &Arc<Shared>) -> Reply {
    let st = lock(&shared.activity.state);
    let mut users: Vec<u64> = st.aaa.iter().map(|(_, u)| *u).collect();
    users.sort_unstable();
    users.dedup();
    json_ok(
        &json!({"data": {"account_name": "dm-fake-account", "provisioned_count": "3",
        "subscriptions_count_all": users.len().to_string(), "subscriptions_count_direct_messages": "0"}}),
    )
}

fn aaa_subscribe(
    shared: &Arc<Shared>,
    webhook: u64,
    create: bool,
    body: &[u8],
) -> Result<Reply, Reply> {
    let me = me(shared);
    let st = lock(&shared.activity.state);
    if !st.webhooks.iter().any(|w| w.id == webhook) {
        return Err(failure("WebhookIdInvalid", format!("no webhook {webhook}")));
    }
    let subscribed = st.aaa.contains(&(webhook, me));
    if !create {
        return Ok(json_ok(&json!({"data": {"subscribed": subscribed}})));
    }
    drop(st);
    json_body(body)?;
    let mut st = lock(&shared.activity.state);
    if st.aaa.contains(&(webhook, me)) {
        return Err(failure(
            "DuplicateSubscriptionFailed",
            format!("user {me} is already subscribed"),
        ));
    }
    st.aaa.push((webhook, me));
    Ok(json_ok(&json!({"data": {"subscribed": true}})))
}

fn aaa_list(shared: &Arc<Shared>, webhook: u64) -> Result<Reply, Reply> {
    let st = lock(&shared.activity.state);
    let Some(w) = st.webhooks.iter().find(|w| w.id == webhook) else {
        return Err(failure("WebhookIdInvalid", format!("no webhook {webhook}")));
    };
    let subs: Vec<Value> = st
        .aaa
        .iter()
        .filter(|(h, _)| *h == webhook)
        .map(|(_, u)| json!({"user_id": u.to_string()}))
        .collect();
    Ok(json_ok(
        &json!({"data": {"application_id": "29893711", "webhook_id": webhook.to_string(),
        "webhook_url": w.url, "subscriptions": subs}}),
    ))
}

fn aaa_unsubscribe(shared: &Arc<Shared>, webhook: u64, user: u64) -> Result<Reply, Reply> {
    let mut st = lock(&shared.activity.state);
    if !st.webhooks.iter().any(|w| w.id == webhook) {
        return Err(failure("WebhookIdInvalid", format!("no webhook {webhook}")));
    }
    let before = st.aaa.len();
    st.aaa.retain(|s| *s != (webhook, user));
    if st.aaa.len() == before {
        return Err(failure(
            "SubscriptionNotFound",
            format!("user {user} is not subscribed"),
        ));
    }
    Ok(json_ok(&json!({"data": {"subscribed": false}})))
}
