//! `xdm export --format html --out DIR`: a static site to read the store offline.
//!
//! `DIR/index.html` lists the conversations (participants, counts, last message) with a
//! search box that filters them in the page; `DIR/c/<conversation>.html` shows one as a
//! chat (days as headings, names and initials, links, images, joins and leaves, reactions
//! and edits the archive recorded); `DIR/media/` holds copies of the kept media files.
//! Nothing is loaded from elsewhere (see `output::html` for the escaping and the policy).

use std::collections::HashMap;
use std::path::Path;

use dm_model::{DmEvent, EventType, User};
use dm_store::{Account, Conversation, MediaDir, MediaFile, MediaStatus, Page, Store, StoredEvent};
use maud::{Markup, html};
use serde_json::Value;

use crate::cli::ExportArgs;
use crate::error::CliError;
use crate::output::html::{initials, page, safe_href};

/// Events read per query.
const CHUNK: u32 = 1000;

fn io(what: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::io(what.display(), e)
}

/// Who a user is, for display.
fn display_name(id: &str, users: &HashMap<String, User>) -> String {
    match users.get(id) {
        Some(u) => match (&u.name, &u.username) {
            (Some(n), _) if !n.trim().is_empty() => n.clone(),
            (_, Some(h)) => format!("@{h}"),
            _ => id.to_owned(),
        },
        None => id.to_owned(),
    }
}

/// A file name for a conversation page (ids are digits and `-`).
fn page_name(c: &str) -> String {
    let safe: String = c
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-')
        .collect();
    format!("{safe}.html")
}

fn day_of(e: &DmEvent) -> String {
    e.created_at
        .as_ref()
        .map(|t| t.as_str().get(..10).unwrap_or("").to_owned())
        .unwrap_or_else(|| "undated".into())
}

fn time_of(e: &DmEvent) -> String {
    e.created_at
        .as_ref()
        .and_then(|t| t.as_str().get(11..16).map(str::to_owned))
        .unwrap_or_default()
}

/// Runs the HTML export.
pub(crate) async fn export(
    store: &Store,
    account: &Account,
    args: &ExportArgs,
) -> Result<(), CliError> {
    let Some(out) = &args.out else {
        return Err(CliError::Usage(
            "--format html writes a folder: give it with --out DIR".into(),
        ));
    };
    let media_dir = args
        .media_dir
        .clone()
        .or_else(|| store.default_media_dir())
        .map(MediaDir::open)
        .transpose()
        .map_err(|e| CliError::Local(format!("media folder: {e}")))?;
    std::fs::create_dir_all(out.join("c")).map_err(io(out))?;
    std::fs::create_dir_all(out.join("media")).map_err(io(out))?;
    let files: HashMap<String, MediaFile> = store
        .media_files(account)
        .await?
        .into_iter()
        .map(|(m, _)| (m.key.clone(), m))
        .collect();
    let mut by_event: HashMap<String, Vec<MediaFile>> = HashMap::new();
    for f in files.values() {
        if f.key.starts_with("file:")
            && let Some(id) = &f.event_id
        {
            by_event.entry(id.to_string()).or_default().push(f.clone());
        }
    }
    let conversations = store.conversations(account).await?;
    let mut users: HashMap<String, User> = HashMap::new();
    for c in &conversations {
        for p in &c.participants {
            if let Some(u) = &p.user {
                users.insert(p.id.to_string(), u.clone());
            }
        }
    }
    let owner = owner_id(&conversations);
    let mut copied: HashMap<String, Option<String>> = HashMap::new();
    for c in &conversations {
        let mut events = Vec::new();
        let mut page_req = Page::first(CHUNK);
        loop {
            let p = store.conversation_events(account, &c.id, &page_req).await?;
            events.extend(p.events);
            match p.next {
                Some(n) => page_req = n,
                None => break,
            }
        }
        for s in &events {
            for u in &s.includes.users {
                if let Some(id) = &u.id {
                    users.entry(id.to_string()).or_insert_with(|| u.clone());
                }
            }
        }
        let ctx = Ctx {
            users: &users,
            files: &files,
            by_event: &by_event,
            media_dir: media_dir.as_ref(),
            out,
            owner: owner.as_deref(),
        };
        let html = conversation_page(&ctx, c, &events, &mut copied)?;
        let path = out.join("c").join(page_name(c.id.as_str()));
        std::fs::write(&path, html).map_err(io(&path))?;
    }
    let index = index_page(&conversations, &users, owner.as_deref());
    let path = out.join("index.html");
    std::fs::write(&path, index).map_err(io(&path))?;
    eprintln!(
        "xdm: wrote {} conversation{} to {} (open {})",
        conversations.len(),
        if conversations.len() == 1 { "" } else { "s" },
        out.display(),
        path.display()
    );
    Ok(())
}

/// The account owner: the user in every one-to-one conversation id (when there is one).
fn owner_id(conversations: &[Conversation]) -> Option<String> {
    let mut common: Option<Vec<String>> = None;
    for c in conversations {
        if let dm_model::ConversationKind::OneToOne { low, high } = c.id.kind() {
            let pair = vec![low.to_string(), high.to_string()];
            common = Some(match common {
                None => pair,
                Some(v) => v.into_iter().filter(|x| pair.contains(x)).collect(),
            });
        }
    }
    common.filter(|v| v.len() == 1).and_then(|mut v| v.pop())
}

struct Ctx<'a> {
    users: &'a HashMap<String, User>,
    files: &'a HashMap<String, MediaFile>,
    by_event: &'a HashMap<String, Vec<MediaFile>>,
    media_dir: Option<&'a MediaDir>,
    out: &'a Path,
    owner: Option<&'a str>,
}

fn participants_line(
    c: &Conversation,
    users: &HashMap<String, User>,
    owner: Option<&str>,
) -> String {
    let names: Vec<String> = c
        .participants
        .iter()
        .filter(|p| Some(p.id.as_str()) != owner || c.participants.len() == 1)
        .map(|p| display_name(p.id.as_str(), users))
        .collect();
    if names.is_empty() {
        c.id.to_string()
    } else {
        names.join(", ")
    }
}

fn index_page(
    conversations: &[Conversation],
    users: &HashMap<String, User>,
    owner: Option<&str>,
) -> String {
    let body = html! {
        input #q type="search" placeholder="Search conversations (names, last message)" autocomplete="off";
        p.meta { span #shown { (conversations.len()) } " of " (conversations.len()) " conversations" }
        ul.convs {
            @for c in conversations {
                @let who = participants_line(c, users, owner);
                @let last = c.last_message.as_ref().and_then(|m| m.event.text.clone()).unwrap_or_default();
                @let search = format!("{who} {} {last}", c.id).to_lowercase();
                li data-search=(search) {
                    a href={ "c/" (page_name(c.id.as_str())) } { (who) }
                    div.meta {
                        (c.messages) " messages · " (c.events) " events"
                        @if let Some(t) = &c.last_at { " · last " (t.as_str().get(..16).unwrap_or("").replace('T', " ")) }
                    }
                    @if !last.is_empty() { div.text { (last.chars().take(140).collect::<String>()) } }
                }
            }
        }
    };
    page(
        "Direct Messages",
        html! { h1 { "Direct Messages" } },
        body,
        true,
    )
}

/// Copies a kept media file into the site; its path relative to a conversation page.
fn site_media(
    ctx: &Ctx<'_>,
    f: &MediaFile,
    copied: &mut HashMap<String, Option<String>>,
) -> Option<String> {
    if f.status != MediaStatus::Present {
        return None;
    }
    let file = f.file.as_deref()?;
    if let Some(done) = copied.get(file) {
        return done.clone();
    }
    let result = (|| {
        let src = ctx.media_dir?.path_of(file)?;
        let name = src.file_name()?.to_string_lossy().into_owned();
        let dst = ctx.out.join("media").join(&name);
        if !dst.exists() && std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).ok()?;
        }
        Some(format!("../media/{name}"))
    })();
    copied.insert(file.to_owned(), result.clone());
    result
}

/// The text of a message with its URL entities as links (media links left out: the media
/// show instead).
fn message_text(e: &DmEvent) -> Markup {
    let text = e.text.as_deref().unwrap_or("");
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, Option<String>, String)> = Vec::new();
    for u in e.url_entities() {
        let (Some(start), Some(end)) = (u.start, u.end) else {
            continue;
        };
        let (start, end) = (start as usize, end as usize);
        if start >= end || end > chars.len() || spans.iter().any(|s| start < s.1 && s.0 < end) {
            continue;
        }
        let shown: String = chars[start..end].iter().collect();
        if u.url.as_deref().is_some_and(|x| x != shown) {
            continue;
        }
        let media = u.media_key.is_some()
            || u.expanded_url
                .as_deref()
                .is_some_and(|x| x.contains("/messages/media/"));
        let target = u
            .expanded_url
            .clone()
            .or(u.url.clone())
            .filter(|h| safe_href(h));
        let label = if media {
            String::new()
        } else {
            u.display_url.clone().unwrap_or(shown)
        };
        spans.push((start, end, if media { None } else { target }, label));
    }
    spans.sort_by_key(|s| s.0);
    let mut at = 0;
    html! {
        span.text {
            @for (start, end, href, label) in &spans {
                (chars[at..*start].iter().collect::<String>())
                @if let Some(h) = href { a href=(h) rel="noopener noreferrer" { (label) } } @else { (label) }
                ({ at = *end; "" })
            }
            (chars[at.min(chars.len())..].iter().collect::<String>())
        }
    }
}

fn media_block(
    ctx: &Ctx<'_>,
    s: &StoredEvent,
    copied: &mut HashMap<String, Option<String>>,
) -> Markup {
    let mut items: Vec<MediaFile> = s
        .event
        .media_keys()
        .iter()
        .map(|k| {
            ctx.files
                .get(k.as_str())
                .cloned()
                .unwrap_or_else(|| MediaFile::pending(k.to_string(), None))
        })
        .collect();
    if let Some(extra) = ctx.by_event.get(s.event.id.as_str()) {
        items.extend(extra.iter().cloned());
    }
    html! {
        @for f in &items {
            @let alt = s.includes.media.iter().find(|m| m.media_key.as_ref().is_some_and(|k| k.as_str() == f.key))
                .and_then(|m| serde_json::to_value(m).ok())
                .and_then(|v| v.get("alt_text").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "attached media".to_owned());
            @match site_media(ctx, f, copied) {
                Some(src) => {
                    @if f.content_type.as_deref().is_some_and(|t| t.starts_with("video/")) {
                        video controls src=(src) {}
                    } @else {
                        img src=(src) alt=(alt) loading="lazy";
                    }
                }
                None => {
                    div.missing { "[media " (f.status.as_str()) @if let Some(e) = &f.error { ": " (e) } "]" }
                }
            }
        }
    }
}

/// Reactions and edits the archive recorded for a message.
fn archive_notes(s: &StoredEvent, users: &HashMap<String, User>) -> Markup {
    let item = s
        .archive
        .as_ref()
        .and_then(|a| a.as_object())
        .and_then(|o| o.values().next());
    let reactions: Vec<String> = item
        .and_then(|i| i.get("reactions"))
        .and_then(Value::as_array)
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    let key = r
                        .get("reactionKey")
                        .and_then(Value::as_str)
                        .unwrap_or("reaction");
                    let who = r
                        .get("senderId")
                        .and_then(Value::as_str)
                        .map(|id| display_name(id, users))
                        .unwrap_or_default();
                    format!("{key} ({who})")
                })
                .collect()
        })
        .unwrap_or_default();
    let edits = item
        .and_then(|i| i.get("editHistory"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    html! {
        @if !reactions.is_empty() { div.reactions { "Reactions: " (reactions.join(", ")) } }
        @if edits > 0 { div.meta { "edited (" (edits) " earlier version" @if edits > 1 { "s" } " kept)" } }
    }
}

/// A line for an event that is not a message.
fn system_line(s: &StoredEvent, users: &HashMap<String, User>) -> String {
    let e = &s.event;
    let who = e
        .sender_id
        .as_ref()
        .map(|id| display_name(id.as_str(), users));
    let names = e
        .participant_ids
        .iter()
        .map(|id| display_name(id.as_str(), users))
        .collect::<Vec<_>>()
        .join(", ");
    let item = s
        .archive
        .as_ref()
        .and_then(|a| a.as_object())
        .and_then(|o| o.iter().next());
    match &e.event_type {
        EventType::ParticipantsJoin => match who {
            Some(w) => format!("{w} added {names}"),
            None => format!("{names} joined"),
        },
        EventType::ParticipantsLeave => format!("{names} left"),
        other => {
            let t = other.to_string();
            let detail = item.map(|(_, v)| v);
            match t.as_str() {
                "ConversationNameUpdate" => format!(
                    "{} renamed the conversation to “{}”",
                    who.unwrap_or_else(|| "someone".into()),
                    detail
                        .and_then(|d| d.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                "ReactionCreate" => format!(
                    "{} reacted {} to a message",
                    who.unwrap_or_else(|| "someone".into()),
                    detail
                        .and_then(|d| d.get("reactionKey"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                _ => format!("{}{t}", who.map(|w| format!("{w}: ")).unwrap_or_default()),
            }
        }
    }
}

fn conversation_page(
    ctx: &Ctx<'_>,
    c: &Conversation,
    events: &[StoredEvent],
    copied: &mut HashMap<String, Option<String>>,
) -> Result<String, CliError> {
    let title = participants_line(c, ctx.users, ctx.owner);
    let mut day = String::new();
    let body = html! {
        p.meta { (c.messages) " messages · conversation " (c.id) }
        @for s in events {
            @let d = day_of(&s.event);
            @if d != day {
                h2.day { (d) }
                ({ day = d.clone(); "" })
            }
            @if s.event.event_type == EventType::MessageCreate {
                @let sender = s.event.sender_id.as_ref().map(|i| i.to_string()).unwrap_or_default();
                @let name = display_name(&sender, ctx.users);
                @let mine = ctx.owner == Some(sender.as_str());
                div.msg.me[mine] id={ "m" (s.event.id) } {
                    div.avatar title=(name) { (initials(&name)) }
                    div.bubble {
                        div.who { (name) " " span.meta { (time_of(&s.event)) } }
                        (message_text(&s.event))
                        (media_block(ctx, s, copied))
                        (archive_notes(s, ctx.users))
                    }
                }
            } @else {
                div.system id={ "e" (s.event.id) } { (system_line(s, ctx.users)) " " span.meta { (time_of(&s.event)) } }
            }
        }
    };
    Ok(page(
        &title,
        html! { a href="../index.html" { "← All conversations" } h1 { (title) } },
        body,
        false,
    ))
}
