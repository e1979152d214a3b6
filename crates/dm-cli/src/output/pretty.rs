//! The readable chat layout: time, `@username` of the sender, text, attachments and shared
//! Posts, joins and leaves.

use dm_model::{DmEvent, EventKind, Includes, UserId};

/// Whether to use ANSI colours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    pub(crate) fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    pub(crate) fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn cyan(self, s: &str) -> String {
        self.paint("36", s)
    }
    fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }
}

/// `@username`, or the id when the user was not expanded.
fn handle(includes: &Includes, id: &UserId) -> String {
    match includes.user(id).and_then(|u| u.username.as_deref()) {
        Some(name) => format!("@{name}"),
        None => format!("user {id}"),
    }
}

/// The time column: `YYYY-MM-DD HH:MM` (UTC), or blanks without `created_at`.
fn when(event: &DmEvent) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    event
        .created_at
        .as_ref()
        .and_then(|t| t.datetime().format(&f).ok())
        .unwrap_or_else(|| " ".repeat(16))
}

/// The lines of one event. With `conversation`, the conversation id is shown too.
pub(crate) fn lines(
    e: &DmEvent,
    includes: &Includes,
    style: Style,
    conversation: bool,
) -> Vec<String> {
    let mut head = style.dim(&when(e));
    let mut width = 18;
    if conversation {
        let conv = e
            .dm_conversation_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        head.push_str(&format!("  {}", style.dim(&format!("[{conv}]"))));
        width += conv.chars().count() + 4;
    }
    let pad = " ".repeat(width);
    let mut out = Vec::new();
    match e.kind() {
        EventKind::Message { text, sender, .. } => {
            let who = sender
                .map(|s| handle(includes, s))
                .unwrap_or_else(|| "?".into());
            let mut text_lines = text.trim_end().lines();
            let first = text_lines.next().unwrap_or("");
            out.push(format!(
                "{head}  {}  {first}",
                style.cyan(&style.bold(&who))
            ));
            for more in text_lines {
                out.push(format!("{pad}{more}"));
            }
            for media in includes.media_of(e) {
                let kind = media.media_type().to_string();
                let size = match (media.width, media.height) {
                    (Some(w), Some(h)) => format!(" {w}×{h}"),
                    _ => String::new(),
                };
                let url = media
                    .url
                    .as_deref()
                    .or(media.preview_image_url.as_deref())
                    .unwrap_or("");
                out.push(format!(
                    "{pad}{}",
                    style.yellow(&format!("📎 {kind}{size} {url}"))
                ));
            }
            let mut shown = 0;
            for tweet in includes.tweets_of(e) {
                shown += 1;
                let author = tweet
                    .author_id
                    .as_ref()
                    .map(|a| handle(includes, a))
                    .unwrap_or_default();
                let text = tweet.text.as_deref().unwrap_or("");
                out.push(format!(
                    "{pad}{}",
                    style.yellow(&format!("↪ shared a post by {author}: “{text}”"))
                ));
            }
            if shown < e.referenced_tweets.len() {
                for r in e.referenced_tweets.iter().skip(shown) {
                    out.push(format!(
                        "{pad}{}",
                        style.dim(&format!("↪ shared post {} (unavailable)", r.id))
                    ));
                }
            }
        }
        EventKind::Join {
            inviter,
            participants,
        } => {
            let who: Vec<String> = participants.iter().map(|p| handle(includes, p)).collect();
            let line = match inviter {
                Some(i) => format!("→ {} added {}", handle(includes, i), who.join(", ")),
                None => format!("→ {} joined", who.join(", ")),
            };
            out.push(format!("{head}  {}", style.dim(&line)));
        }
        EventKind::Leave { participants } => {
            let who: Vec<String> = participants.iter().map(|p| handle(includes, p)).collect();
            out.push(format!(
                "{head}  {}",
                style.dim(&format!("← {} left", who.join(", ")))
            ));
        }
        _ => out.push(format!(
            "{head}  {}",
            style.dim(&format!("· {} event {}", e.event_type, e.id))
        )),
    }
    out
}
