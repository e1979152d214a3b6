//! Renders stored events, users, Posts and media as the JSON the API sends.

use serde_json::{Map, Value, json};

use super::texts::{self, MEDIA_TEMPLATES, SHARE_TEMPLATES, TEMPLATES};
use super::{CUSTOM, EventRec, Kind, MediaRec, NONE, Store};
use crate::clock::format_ms;

/// The requested fields and expansions of a lookup (wire strings, already validated).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `dm_event.fields`.
    pub event_fields: Vec<String>,
    /// `expansions`.
    pub expansions: Vec<String>,
    /// `user.fields`.
    pub user_fields: Vec<String>,
    /// `tweet.fields`.
    pub tweet_fields: Vec<String>,
    /// `media.fields`.
    pub media_fields: Vec<String>,
}

/// Each expansion and the `dm_event.fields` value it expands from.
const EXPANDED_FROM: &[(&str, &str)] = &[
    ("sender_id", "sender_id"),
    ("participant_ids", "participant_ids"),
    ("attachments.media_keys", "attachments"),
    ("referenced_tweets.id", "referenced_tweets"),
];

impl Selection {
    /// `dm_event.fields` plus the field each requested expansion expands from: the API
    /// returns `sender_id` for `expansions=sender_id` even when `dm_event.fields` does not
    /// list it (the lookup quickstart's example), and `referenced_tweets` for
    /// `expansions=referenced_tweets.id` (the data dictionary's sample page).
    fn event_fields_with_expanded(&self) -> Vec<String> {
        let mut fields = self.event_fields.clone();
        for (expansion, field) in EXPANDED_FROM {
            if self.expands(expansion) && !has(&fields, field) {
                fields.push((*field).to_owned());
            }
        }
        fields
    }

    fn expands(&self, e: &str) -> bool {
        self.expansions
            .iter()
            .any(|x| x == e || (e == "referenced_tweets.id" && x == "referenced_posts"))
    }
}

fn has(list: &[String], f: &str) -> bool {
    list.iter().any(|x| x == f)
}

fn pick(full: &Map<String, Value>, defaults: &[&str], requested: &[String]) -> Value {
    let mut out = Map::new();
    for (k, v) in full {
        if defaults.contains(&k.as_str()) || has(requested, k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

impl Store {
    /// The text of an event, if it has one.
    pub(crate) fn text_of(&self, e: &EventRec) -> Option<String> {
        if e.text == NONE {
            return None;
        }
        if e.text & CUSTOM != 0 {
            return self.texts.get((e.text & !CUSTOM) as usize).cloned();
        }
        let index = (e.text & 0x00FF_FFFF) as usize;
        let table = match e.text >> 24 {
            1 => MEDIA_TEMPLATES,
            2 => SHARE_TEMPLATES,
            _ => TEMPLATES,
        };
        Some(texts::render(table, index, e.id, &texts::tco(e.id)))
    }

    fn media_key(&self, m: &MediaRec) -> String {
        if let Some(Value::String(k)) = m.raw.as_ref().and_then(|r| r.get("media_key")) {
            return k.clone();
        }
        let prefix = match m.kind {
            1 => 7,
            2 => 16,
            _ => 3,
        };
        format!("{prefix}_{}", m.media_id)
    }

    /// The full media object.
    pub(crate) fn media_full(&self, m: &MediaRec) -> Map<String, Value> {
        if let Some(raw) = &m.raw {
            return (**raw).clone();
        }
        let key = self.media_key(m);
        let mut o = Map::new();
        o.insert("media_key".into(), json!(key));
        o.insert(
            "type".into(),
            json!(
                ["photo", "video", "animated_gif"]
                    .get(m.kind as usize)
                    .copied()
                    .unwrap_or("photo")
            ),
        );
        o.insert("width".into(), json!(m.width));
        o.insert("height".into(), json!(m.height));
        if m.kind == 0 {
            o.insert(
                "url".into(),
                json!(format!("https://ton.twimg.com/dm/{}/photo.jpg", m.media_id)),
            );
            o.insert("alt_text".into(), json!("A photo 📷 with \"alt\" text"));
        } else {
            o.insert(
                "preview_image_url".into(),
                json!(format!(
                    "https://pbs.twimg.com/dm_video_preview/{}/img.jpg",
                    m.media_id
                )),
            );
            o.insert(
                "variants".into(),
                json!([{"bit_rate": 832000, "content_type": "video/mp4", "url": format!("https://video.twimg.com/dm_video/{}/vid/640x360/v.mp4", m.media_id)},
                       {"content_type": "application/x-mpegURL", "url": format!("https://video.twimg.com/dm_video/{}/pl/v.m3u8", m.media_id)}]),
            );
            if m.kind == 1 {
                o.insert("duration_ms".into(), json!(m.duration_ms));
                o.insert(
                    "public_metrics".into(),
                    json!({"view_count": m.media_id % 1000}),
                );
            }
        }
        o
    }

    fn entities(&self, e: &EventRec, text: &str) -> Option<Value> {
        let chars: Vec<char> = text.chars().collect();
        let (mut urls, mut hashtags, mut mentions) = (Vec::new(), Vec::new(), Vec::new());
        let mut i = 0;
        while i < chars.len() {
            let rest: String = chars.iter().skip(i).take(8).collect();
            let boundary = i == 0 || chars.get(i - 1).is_some_and(|c| c.is_whitespace());
            if rest.starts_with("https://") || rest.starts_with("http://") {
                let end = (i..chars.len())
                    .find(|j| chars.get(*j).is_some_and(|c| c.is_whitespace()))
                    .unwrap_or(chars.len());
                let url: String = chars.get(i..end).unwrap_or_default().iter().collect();
                let mut u = json!({"start": i, "end": end, "url": url, "expanded_url": url, "display_url": url.trim_start_matches("https://").trim_start_matches("http://")});
                if url.starts_with("https://t.co/") {
                    if let Some(t) = self.tweets.get(e.tweet as usize) {
                        let author = t
                            .object
                            .get("author_id")
                            .and_then(Value::as_str)
                            .and_then(|a| a.parse::<u64>().ok());
                        let uname = author
                            .and_then(|a| self.user_by_id.get(&a))
                            .and_then(|i| self.users.get(*i as usize))
                            .and_then(|u| u.profile.get("username").and_then(Value::as_str))
                            .unwrap_or("i");
                        let expanded = format!("https://twitter.com/{uname}/status/{}", t.id);
                        u["display_url"] = json!(format!(
                            "{}…",
                            expanded
                                .trim_start_matches("https://")
                                .chars()
                                .take(26)
                                .collect::<String>()
                        ));
                        u["expanded_url"] = json!(expanded);
                    } else if let Some(m) = self.media.get(e.media as usize) {
                        u["expanded_url"] =
                            json!(format!("https://twitter.com/messages/media/{}", e.id));
                        u["display_url"] = json!("pic.twitter.com/media");
                        u["media_key"] = json!(self.media_key(m));
                    }
                }
                urls.push(u);
                i = end;
                continue;
            }
            let c = chars.get(i).copied().unwrap_or(' ');
            if boundary && (c == '#' || c == '@') {
                let end = (i + 1..chars.len())
                    .find(|j| {
                        !chars
                            .get(*j)
                            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                    })
                    .unwrap_or(chars.len());
                if end > i + 1 {
                    let word: String = chars.get(i + 1..end).unwrap_or_default().iter().collect();
                    if c == '#' && !word.chars().all(|c| c.is_ascii_digit()) {
                        hashtags.push(json!({"start": i, "end": end, "tag": word}));
                    } else if c == '@'
                        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && word.len() <= 15
                    {
                        mentions.push(json!({"start": i, "end": end, "username": word}));
                    }
                }
                i = end.max(i + 1);
                continue;
            }
            i += 1;
        }
        let mut o = Map::new();
        for (k, v) in [
            ("urls", urls),
            ("hashtags", hashtags),
            ("mentions", mentions),
        ] {
            if !v.is_empty() {
                o.insert(k.into(), Value::Array(v));
            }
        }
        (!o.is_empty()).then_some(Value::Object(o))
    }

    /// The event with every field.
    pub(crate) fn event_full(&self, e: &EventRec) -> Map<String, Value> {
        let mut o = Map::new();
        o.insert("id".into(), json!(e.id.to_string()));
        o.insert("event_type".into(), json!(e.kind.wire()));
        let text = self.text_of(e);
        if let Some(t) = &text {
            o.insert("text".into(), json!(t));
        }
        if let Some(c) = self.convs.get(e.conv as usize) {
            o.insert("dm_conversation_id".into(), json!(c.id));
        }
        o.insert("created_at".into(), json!(format_ms(self.created_ms(e))));
        if e.sender != NONE {
            o.insert(
                "sender_id".into(),
                json!(self.user_id(e.sender).to_string()),
            );
        }
        if e.kind != Kind::Message {
            let ids: Vec<String> = self
                .participants(e)
                .iter()
                .map(|p| self.user_id(*p).to_string())
                .collect();
            o.insert("participant_ids".into(), json!(ids));
        }
        if let Some(m) = self.media.get(e.media as usize) {
            o.insert(
                "attachments".into(),
                json!({"media_keys": [self.media_key(m)]}),
            );
        }
        if let Some(t) = self.tweets.get(e.tweet as usize) {
            o.insert(
                "referenced_tweets".into(),
                json!([{"id": t.id.to_string()}]),
            );
        }
        if let Some(t) = &text
            && let Some(ents) = self.entities(e, t)
        {
            o.insert("entities".into(), ents);
        }
        o
    }

    /// Renders events (by index) with their includes and partial errors, as
    /// `(data, includes, errors)`.
    pub(crate) fn render_events(
        &self,
        idxs: &[u32],
        sel: &Selection,
    ) -> (Vec<Value>, Map<String, Value>, Vec<Value>) {
        let mut data = Vec::with_capacity(idxs.len());
        let (mut users, mut user_seen) = (Vec::new(), std::collections::HashSet::new());
        let (mut tweets, mut tweet_seen) = (Vec::new(), std::collections::HashSet::new());
        let (mut media, mut media_seen) = (Vec::new(), std::collections::HashSet::new());
        let mut errors = Vec::new();
        let mut add_user = |s: &Store, u: u32, users: &mut Vec<Value>| {
            if user_seen.insert(u)
                && let Some(rec) = s.users.get(u as usize)
            {
                users.push(pick(
                    &rec.profile,
                    &["id", "name", "username"],
                    &sel.user_fields,
                ));
            }
        };
        for i in idxs {
            let Some(e) = self.events.get(*i as usize) else {
                continue;
            };
            let full = self.event_full(e);
            let defaults: &[&str] = match e.kind {
                Kind::Message => &["id", "event_type", "text"],
                _ => &["id", "event_type", "participant_ids"],
            };
            data.push(pick(&full, defaults, &sel.event_fields_with_expanded()));
            if sel.expands("sender_id") && e.sender != NONE {
                add_user(self, e.sender, &mut users);
            }
            if sel.expands("participant_ids") {
                for p in self.participants(e) {
                    add_user(self, p, &mut users);
                }
            }
            if sel.expands("attachments.media_keys")
                && let Some(m) = self.media.get(e.media as usize)
                && media_seen.insert(e.media)
            {
                media.push(pick(
                    &self.media_full(m),
                    &["media_key", "type"],
                    &sel.media_fields,
                ));
            }
            if sel.expands("referenced_tweets.id")
                && let Some(t) = self.tweets.get(e.tweet as usize)
                && tweet_seen.insert(e.tweet)
            {
                if t.available {
                    tweets.push(pick(
                        &t.object,
                        &["id", "text", "edit_history_tweet_ids"],
                        &sel.tweet_fields,
                    ));
                } else {
                    errors.push(crate::problem::tweet_not_found(t.id));
                }
            }
        }
        let mut includes = Map::new();
        for (k, v) in [("users", users), ("tweets", tweets), ("media", media)] {
            if !v.is_empty() {
                includes.insert(k.into(), Value::Array(v));
            }
        }
        (data, includes, errors)
    }
}
