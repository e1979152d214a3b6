//! A generated account archive in the documented format (`docs/archive-format.md`), for
//! tests: one-to-one and group conversations, a conversation split over two parts in the two
//! print styles (≤ 2020 inline arrays and 2021+ one item per line), repeated conversations and
//! messages, media present and missing, reactions, edits, unknown kinds, Unicode and HTML in
//! text, headers, the manifest and the owner's `account.js`.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

/// A valid 1×1 PNG.
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0xB5, 0x1C, 0x0C,
    0x02, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x64, 0x60, 0x00, 0x00,
    0x00, 0x06, 0x00, 0x02, 0x30, 0x81, 0xD0, 0x2F, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

/// The owner.
pub const OWNER: &str = "1000";
/// Bob.
pub const BOB: &str = "2000";
/// Carol.
pub const CAROL: &str = "3000";
/// The one-to-one conversation with Bob.
pub const WITH_BOB: &str = "1000-2000";
/// The one-to-one conversation with Carol.
pub const WITH_CAROL: &str = "1000-3000";
/// The group.
pub const GROUP: &str = "1725438627029057536";
/// A message whose text is HTML (must show as text).
pub const HTML_MESSAGE: &str = "1724551278103494657";
/// The text of [`HTML_MESSAGE`].
pub const HTML_TEXT: &str = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> & <b>bold</b> &lt;kept&gt;";
/// A message with a photo that the archive holds.
pub const PHOTO_MESSAGE: &str = "1724551529761734657";
/// The media key of that photo.
pub const PHOTO_KEY: &str = "3_1724551521373126657";
/// A message with a GIF that the archive lacks.
pub const GIF_MESSAGE: &str = "1725091336686534657";
/// The media key of that GIF.
pub const GIF_KEY: &str = "16_1725091328297926657";
/// A group message with a photo.
pub const GROUP_PHOTO_MESSAGE: &str = "1725442399931334657";
/// A message known only from the headers.
pub const HEADER_ONLY_MESSAGE: &str = "1725785913428934657";
/// A Unicode message (to Carol).
pub const UNICODE_TEXT: &str = "Ünïcödé ✓ 日本語 👩‍👩‍👧 e\u{301}";

/// How arrays are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// ≤ 2020: `[ {`, `}, {`, `[ "a", "b" ]`.
    Inline,
    /// 2021+: one item per line.
    Lines,
}

/// Prints `v` as X's archive does (Jackson's pretty printer: `"key" : value`, two spaces).
pub fn jackson(v: &Value, style: Style) -> String {
    let mut out = String::new();
    print(v, style, 0, &mut out);
    out
}

fn print(v: &Value, style: Style, indent: usize, out: &mut String) {
    match v {
        Value::Object(o) if o.is_empty() => out.push_str("{ }"),
        Value::Object(o) => {
            out.push_str("{\n");
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(" : ");
                print(v, style, indent + 2, out);
            }
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[ ]"),
        Value::Array(a) => match style {
            Style::Inline => {
                out.push_str("[ ");
                for (i, item) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    print(item, style, indent, out);
                }
                out.push_str(" ]");
            }
            Style::Lines => {
                out.push_str("[\n");
                for (i, item) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",\n");
                    }
                    out.push_str(&" ".repeat(indent + 2));
                    print(item, style, indent + 2, out);
                }
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push(']');
            }
        },
        other => out.push_str(&other.to_string()),
    }
}

/// A data file: `window.YTD.<name>.partN = ` and the value (no `;`, no final newline).
pub fn data_file(global: &str, part: u32, v: &Value, style: Style) -> Vec<u8> {
    format!("window.YTD.{global}.part{part} = {}", jackson(v, style)).into_bytes()
}

/// A message item (2021+ members; `reactions`/`urls` left out in the ≤ 2020 style).
#[allow(clippy::too_many_arguments)]
fn message(
    id: &str,
    from: &str,
    to: Option<&str>,
    text: &str,
    at: &str,
    urls: Value,
    media: Value,
    style: Style,
) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(to) = to {
        m.insert("recipientId".into(), json!(to));
    }
    if style == Style::Lines {
        m.insert("reactions".into(), json!([]));
        m.insert("urls".into(), urls);
    }
    m.insert("text".into(), json!(text));
    m.insert("mediaUrls".into(), media);
    m.insert("senderId".into(), json!(from));
    m.insert("id".into(), json!(id));
    m.insert("createdAt".into(), json!(at));
    json!({ "messageCreate": m })
}

/// The files of the sample archive, by path (`data/...`).
pub fn sample_files() -> Vec<(String, Vec<u8>)> {
    let photo_url = format!(
        "https://ton.twitter.com/dm/{PHOTO_MESSAGE}/{}/pic-A_1.png",
        &PHOTO_KEY[2..]
    );
    let gif_url = format!("https://video.twimg.com/dm_gif/{}/Gif-x.mp4", &GIF_KEY[3..]);
    let group_photo_url =
        format!("https://ton.twitter.com/dm/{GROUP_PHOTO_MESSAGE}/1725442391542726657/g.png");
    // Part 0, ≤ 2020 style: Bob (newest first), with an old top-level reaction, then Carol.
    let part0 = json!([
        {"dmConversation": {"conversationId": WITH_BOB, "messages": [
            message(PHOTO_MESSAGE, OWNER, Some(BOB), " https://t.co/pic1", "2023-11-14T22:15:00.000Z",
                json!([]), json!([photo_url]), Style::Inline),
            {"reactionCreate": {"senderId": BOB, "reactionKey": "like", "eventId": "1724551026445254657", "createdAt": "2023-11-14T22:14:30.500Z"}},
            message(HTML_MESSAGE, BOB, Some(OWNER), HTML_TEXT, "2023-11-14T22:14:00.000Z",
                json!([]), json!([]), Style::Inline),
            message("1724551026445254657", OWNER, Some(BOB), "Hello Bob 👋 window.YTD.direct_messages.part0 = [ ]", "2023-11-14T22:13:00.000Z",
                json!([]), json!([]), Style::Inline),
        ]}},
        {"dmConversation": {"conversationId": WITH_CAROL, "messages": [
            message("1724713849326534657", CAROL, Some(OWNER), UNICODE_TEXT, "2023-11-15T09:00:00.000Z",
                json!([]), json!([]), Style::Inline),
            {"welcomeMessageCreate": {"recipientId": OWNER, "text": "Welcome! How can we help?", "mediaUrls": [], "senderId": CAROL, "id": "1724713597668294657", "createdAt": "2023-11-15T08:59:00.000Z"}},
        ]}},
    ]);
    // Part 1, 2021+ style: Bob again (a repeated conversation id; the photo message repeated),
    // newer messages with a link, reactions and edits, a GIF the archive lacks.
    let part1 = json!([
        {"dmConversation": {"conversationId": WITH_BOB, "messages": [
            message(GIF_MESSAGE, BOB, Some(OWNER), "look https://t.co/gif1", "2023-11-16T10:00:00.000Z",
                json!([{"url": "https://t.co/gif1", "expanded": format!("https://twitter.com/messages/media/{GIF_MESSAGE}"), "display": "pic.twitter.com/gif1"}]),
                json!([gif_url]), Style::Lines),
            {"messageCreate": {
                "recipientId": BOB,
                "reactions": [{"senderId": BOB, "reactionKey": "excited", "eventId": "1725076488850374657", "createdAt": "2023-11-16T09:01:00.000Z"}],
                "urls": [
                    {"url": "https://t.co/a1", "expanded": "https://example.com/a?x=1&y=2", "display": "example.com/a?x=1…"},
                    {"url": "https://t.co/a1", "expanded": "https://example.com/a?x=1&y=2", "display": "example.com/a?x=1…"}
                ],
                "text": "See https://t.co/a1 and again https://t.co/a1 — ok?",
                "mediaUrls": [],
                "senderId": OWNER,
                "id": "1725076237192134657",
                "createdAt": "2023-11-16T09:00:00.000Z",
                "editHistory": [{"editedText": "See https://t.co/a1", "createdAtSec": "1700125200"}]
            }},
            message(PHOTO_MESSAGE, OWNER, Some(BOB), " https://t.co/pic1", "2023-11-14T22:15:00.000Z",
                json!([{"url": "https://t.co/pic1", "expanded": format!("https://twitter.com/messages/media/{PHOTO_MESSAGE}"), "display": "pic.twitter.com/pic1"}]),
                json!([photo_url]), Style::Lines),
        ]}},
    ]);
    // Groups, 2021+ style, newest first.
    let groups = json!([
        {"dmConversation": {"conversationId": GROUP, "messages": [
            {"pollCreate": {"senderId": BOB, "question": "Where?", "createdAt": "2023-11-17T12:00:00.000Z"}},
            {"conversationNameUpdate": {"initiatingUserId": BOB, "name": "Trip 🏔 <b>", "createdAt": "2023-11-17T11:00:00.000Z"}},
            {"participantsLeave": {"userIds": [CAROL], "createdAt": "2023-11-17T10:00:00.000Z"}},
            {"participantsJoin": {"initiatingUserId": BOB, "userIds": ["4000"], "createdAt": "2023-11-17T09:30:00.000Z"}},
            message(GROUP_PHOTO_MESSAGE, BOB, None, " https://t.co/g1", "2023-11-17T09:15:00.000Z",
                json!([{"url": "https://t.co/g1", "expanded": format!("https://twitter.com/messages/media/{GROUP_PHOTO_MESSAGE}"), "display": "pic.twitter.com/g1"}]),
                json!([group_photo_url]), Style::Lines),
            message("1725438627029057539", CAROL, None, "Hi all, the group is here", "2023-11-17T09:00:00.500Z",
                json!([]), json!([]), Style::Lines),
            {"joinConversation": {"initiatingUserId": BOB, "participantsSnapshot": [BOB, OWNER, CAROL], "createdAt": "2023-11-17T09:00:00.500Z"}},
        ]}},
    ]);
    let headers = json!([
        {"dmConversation": {"conversationId": WITH_BOB, "messages": [
            {"messageCreate": {"id": HEADER_ONLY_MESSAGE, "senderId": BOB, "recipientId": OWNER, "createdAt": "2023-11-18T08:00:00.000Z"}},
            {"messageCreate": {"id": "1724551026445254657", "senderId": OWNER, "recipientId": BOB, "createdAt": "2023-11-14T22:13:00.000Z"}},
        ]}},
    ]);
    let group_headers = json!([
        {"dmConversation": {"conversationId": GROUP, "messages": [
            {"messageCreate": {"id": "1725438627029057539", "senderId": CAROL, "createdAt": "2023-11-17T09:00:00.500Z"}},
            {"joinConversation": {"initiatingUserId": BOB, "participantsSnapshot": [BOB, OWNER, CAROL], "createdAt": "2023-11-17T09:00:00.500Z"}},
        ]}},
    ]);
    let manifest = json!({"userInfo": {"accountId": OWNER, "userName": "alice"},
    "dataTypes": {
        "directMessages": {"mediaDirectory": "data/direct_messages_media", "files": [
            {"fileName": "data/direct-messages.js", "globalName": "YTD.direct_messages.part0", "count": "2"},
            {"fileName": "data/direct-messages-part1.js", "globalName": "YTD.direct_messages.part1", "count": "1"}]},
        "directMessagesGroup": {"mediaDirectory": "data/direct_messages_group_media", "files": [
            {"fileName": "data/direct-messages-group.js", "globalName": "YTD.direct_messages_group.part0", "count": "1"}]},
        "directMessageHeaders": {"files": [
            {"fileName": "data/direct-message-headers.js", "globalName": "YTD.direct_message_headers.part0", "count": "1"}]},
        "directMessageGroupHeaders": {"files": [
            {"fileName": "data/direct-message-group-headers.js", "globalName": "YTD.direct_message_group_headers.part0", "count": "1"}]}
    }});
    let account = json!([{"account": {"email": "a@example.com", "createdVia": "web", "username": "alice",
        "accountId": OWNER, "createdAt": "2015-03-30T10:38:02.103Z", "accountDisplayName": "Alice <A.>"}}]);
    vec![
        (
            "data/manifest.js".into(),
            format!(
                "window.__THAR_CONFIG = {}",
                jackson(&manifest, Style::Inline)
            )
            .into_bytes(),
        ),
        (
            "data/account.js".into(),
            data_file("account", 0, &account, Style::Lines),
        ),
        (
            "data/direct-messages.js".into(),
            data_file("direct_messages", 0, &part0, Style::Inline),
        ),
        (
            "data/direct-messages-part1.js".into(),
            data_file("direct_messages", 1, &part1, Style::Lines),
        ),
        (
            "data/direct-messages-group.js".into(),
            data_file("direct_messages_group", 0, &groups, Style::Lines),
        ),
        (
            "data/direct-message-headers.js".into(),
            data_file("direct_message_headers", 0, &headers, Style::Lines),
        ),
        (
            "data/direct-message-group-headers.js".into(),
            data_file(
                "direct_message_group_headers",
                0,
                &group_headers,
                Style::Inline,
            ),
        ),
        (
            "data/direct-message-mute.js".into(),
            b"window.YTD.direct_message_mute.part0 = [ ]".to_vec(),
        ),
        (
            format!("data/direct_messages_media/{PHOTO_MESSAGE}-pic-A_1.png"),
            PNG_1X1.to_vec(),
        ),
        (
            format!("data/direct_messages_group_media/{GROUP_PHOTO_MESSAGE}-g.png"),
            PNG_1X1.to_vec(),
        ),
    ]
}

/// Writes `files` under `dir`.
///
/// # Panics
///
/// When a file cannot be written (tests only).
pub fn write_dir(files: &[(String, Vec<u8>)], dir: &Path) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

/// Writes `files` as a zip at `path` (deflated), entries named as given.
///
/// # Panics
///
/// When the zip cannot be written (tests only).
pub fn write_zip(files: &[(String, Vec<u8>)], path: &Path) {
    let file = std::fs::File::create(path).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options).expect("start entry");
        zip.write_all(bytes).expect("write entry");
    }
    zip.finish().expect("finish zip");
}

/// The API's version of some of the sample's messages, as a page (`data` + `includes`): the
/// HTML message, the photo message (with the API's richer media object) and one message the
/// archive does not have.
pub fn api_page() -> Value {
    json!({
        "data": [
            {"id": "1726540888148934657", "event_type": "MessageCreate", "text": "After the archive",
             "sender_id": BOB, "dm_conversation_id": WITH_BOB, "created_at": "2023-11-20T10:00:00.000Z"},
            {"id": PHOTO_MESSAGE, "event_type": "MessageCreate", "text": " https://t.co/pic1",
             "sender_id": OWNER, "dm_conversation_id": WITH_BOB, "created_at": "2023-11-14T22:15:00.000Z",
             "attachments": {"media_keys": [PHOTO_KEY]},
             "entities": {"urls": [{"start": 1, "end": 18, "url": "https://t.co/pic1",
                 "expanded_url": format!("https://twitter.com/messages/media/{PHOTO_MESSAGE}"),
                 "display_url": "pic.twitter.com/pic1", "media_key": PHOTO_KEY}]}},
            {"id": HTML_MESSAGE, "event_type": "MessageCreate", "text": HTML_TEXT,
             "sender_id": BOB, "dm_conversation_id": WITH_BOB, "created_at": "2023-11-14T22:14:00.000Z"}
        ],
        "includes": {
            "users": [{"id": BOB, "name": "Bob <B>", "username": "bob"},
                      {"id": OWNER, "name": "Alice from the API", "username": "alice"}],
            "media": [{"media_key": PHOTO_KEY, "type": "photo", "width": 1, "height": 1,
                       "url": "https://ton.twimg.com/dm/photo.png"}]
        },
        "meta": {"result_count": 3}
    })
}
