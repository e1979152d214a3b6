//! Stored conversations and search hits: the table, CSV rows and JSON objects of
//! `xdm conversations`, and the lines of `xdm search` in the readable layout.

use dm_model::record::record_value;
use dm_model::{DmEvent, Includes, Timestamp};
use dm_store::{Conversation, SearchHit};
use serde_json::{Value, json};

use super::pretty::Style;

/// The CSV header of `xdm conversations`.
pub(crate) const CSV_HEADER: [&str; 7] = [
    "dm_conversation_id",
    "participants",
    "messages",
    "events",
    "first_at",
    "last_at",
    "last_message",
];

/// `@username` of each participant (the id when the user is not stored), space-separated.
fn participants(c: &Conversation) -> String {
    c.participants
        .iter()
        .map(|p| match p.username() {
            Some(name) => format!("@{name}"),
            None => p.id.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn time(t: Option<&Timestamp>) -> String {
    t.map(|t| t.as_str().to_owned()).unwrap_or_default()
}

/// `YYYY-MM-DD HH:MM` (UTC).
fn minute(t: Option<&Timestamp>) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.and_then(|t| t.datetime().format(&f).ok())
        .unwrap_or_default()
}

/// The last message's text on one line, at most `max` characters.
fn preview(c: &Conversation, max: usize) -> String {
    let text = c
        .last_message
        .as_ref()
        .and_then(|m| m.event.text.as_deref())
        .unwrap_or("");
    one_line(text, max)
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= max {
        flat.to_owned()
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The table of `xdm conversations`: most recent first, one line each.
pub(crate) fn table(list: &[Conversation], style: Style) -> String {
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|c| {
            [
                c.id.to_string(),
                participants(c),
                c.messages.to_string(),
                minute(c.last_at.as_ref()),
                preview(c, 60),
            ]
        })
        .collect();
    let head = [
        "CONVERSATION",
        "PARTICIPANTS",
        "MESSAGES",
        "LAST",
        "LAST MESSAGE",
    ];
    let mut widths = head.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                if i == 2 {
                    // Counts align right.
                    out.push_str(&" ".repeat(pad));
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(pad));
                }
                out.push_str("  ");
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = style.bold(&line(head));
    out.push('\n');
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
        out.push('\n');
    }
    out
}

/// One CSV row of `xdm conversations`.
pub(crate) fn csv_row(c: &Conversation) -> [String; 7] {
    [
        c.id.to_string(),
        participants(c),
        c.messages.to_string(),
        c.events.to_string(),
        time(c.first_at.as_ref()),
        time(c.last_at.as_ref()),
        c.last_message
            .as_ref()
            .and_then(|m| m.event.text.clone())
            .unwrap_or_default(),
    ]
}

/// The JSON object of a conversation: its id, participants (id, username, name), counts,
/// first and last times, and its last message as a record (`xdm events` JSONL shape).
pub(crate) fn json(c: &Conversation) -> Value {
    let participants: Vec<Value> = c
        .participants
        .iter()
        .map(|p| {
            let mut o = json!({"id": p.id.to_string()});
            if let Some(u) = p.username() {
                o["username"] = json!(u);
            }
            if let Some(n) = p.name() {
                o["name"] = json!(n);
            }
            o
        })
        .collect();
    let mut o = json!({
        "dm_conversation_id": c.id.to_string(),
        "participants": participants,
        "messages": c.messages,
        "events": c.events,
    });
    if let Some(t) = &c.first_at {
        o["first_at"] = json!(t.as_str());
    }
    if let Some(t) = &c.last_at {
        o["last_at"] = json!(t.as_str());
    }
    if let Some(m) = &c.last_message {
        o["last_message"] = record_value(&m.event, &m.includes);
    }
    o
}

fn who(event: &DmEvent, includes: &Includes) -> String {
    match (includes.sender_of(event), &event.sender_id) {
        (Some(u), _) if u.username.is_some() => format!("@{}", u.username.as_deref().unwrap_or("")),
        (_, Some(id)) => format!("user {id}"),
        _ => "?".to_owned(),
    }
}

/// A search hit in the readable layout: time, conversation, sender, and the snippet with its
/// matches highlighted (bold on a terminal, `«»` otherwise).
pub(crate) fn search_hit(hit: &SearchHit, style: Style) -> String {
    let e = &hit.stored.event;
    let (open, close) = if style.color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("«", "»")
    };
    let snippet = hit.snippet.marked(open, close).replace(['\n', '\r'], " ");
    let conversation = e
        .dm_conversation_id
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    format!(
        "{}  {}  {}  {snippet}\n",
        style.dim(&minute(e.created_at.as_ref())),
        style.dim(&format!("[{conversation}]")),
        style.bold(&who(e, &hit.stored.includes)),
    )
}
