//! `xdm demo`: the real client against an in-process sandbox over loopback HTTP.

use std::collections::HashMap;
use std::time::Instant;

use dm_stream::ResolvedEvent;
use dm_transport::Auth;
use futures::StreamExt;

use super::style_for_stdout;
use crate::cli::{DemoArgs, GlobalOpts};
use crate::context::{Context, start_sandbox};
use crate::error::CliError;
use crate::output::pretty::{self, Style};
use crate::progress::Progress;

/// One conversation's events, oldest first.
struct Conversation {
    id: String,
    events: Vec<ResolvedEvent>,
}

fn header(conv: &Conversation, names: &HashMap<String, String>, me: &str, style: Style) -> String {
    let mut people: Vec<String> = Vec::new();
    for ev in &conv.events {
        let e = ev.event();
        for id in e.sender_id.iter().chain(&e.participant_ids) {
            let id = id.to_string();
            if id != me && !people.contains(&id) {
                people.push(id);
            }
        }
    }
    let handles: Vec<String> = people
        .iter()
        .map(|id| {
            names
                .get(id)
                .map_or_else(|| format!("user {id}"), |n| format!("@{n}"))
        })
        .collect();
    let group = !conv.id.contains('-');
    let title = if group {
        format!("Group {} · {}", conv.id, handles.join(", "))
    } else {
        format!(
            "{} ↔ you",
            handles.first().cloned().unwrap_or_else(|| conv.id.clone())
        )
    };
    let n = conv.events.len();
    style.bold(&format!(
        "━━ {title} · {n} event{} ━━",
        if n == 1 { "" } else { "s" }
    ))
}

/// Runs `xdm demo`.
pub(crate) async fn run(global: &GlobalOpts, args: &DemoArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let server = start_sandbox(args.seed, args.events, true).await?;
    let me = server.me().to_string();
    let total = server.dataset().event_ids(&dm_fake::Scope::All).len() as u64;
    let ctx = Context::with_auth(
        server.base_url().to_owned(),
        Auth::bearer(server.token().to_owned()),
        None,
        100,
    )?;
    if !global.quiet {
        eprintln!(
            "xdm demo: a sandbox API on {} with {total} events in the last 30 days; paging \
             GET /2/dm_events with every field a user token may read",
            server.base_url()
        );
    }
    let progress = Progress::new(&ctx.client, &ctx.policy, Some(total), global.quiet);
    let mut pages = ctx
        .client
        .all_events()
        .public_fields()
        .max_results(100)
        .pages();
    let mut conversations: Vec<Conversation> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut count = 0usize;
    while let Some(page) = pages.next().await {
        let page = page?;
        for user in &page.includes().users {
            if let (Some(id), Some(name)) = (&user.id, &user.username) {
                names.insert(id.to_string(), name.clone());
            }
        }
        progress.inc(page.len() as u64);
        for event in page.events() {
            count += 1;
            let id = event
                .event()
                .dm_conversation_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            match conversations.iter_mut().find(|c| c.id == id) {
                Some(c) => c.events.push(event),
                None => conversations.push(Conversation {
                    id,
                    events: vec![event],
                }),
            }
        }
    }
    progress.finish();

    let style = style_for_stdout();
    let mut out = String::new();
    // Newest-first lookup: conversations appear by latest activity; show each oldest first.
    for conv in &mut conversations {
        conv.events.reverse();
        out.push('\n');
        out.push_str(&header(conv, &names, &me, style));
        out.push('\n');
        let shown = if args.per_conversation == 0 {
            conv.events.len()
        } else {
            args.per_conversation.min(conv.events.len())
        };
        let hidden = conv.events.len() - shown;
        if hidden > 0 {
            out.push_str(&style.dim(&format!(
                "  … {hidden} earlier event{}",
                if hidden == 1 { "" } else { "s" }
            )));
            out.push('\n');
        }
        for event in conv.events.iter().skip(hidden) {
            for line in pretty::lines(event.event(), event.includes(), style, false) {
                out.push_str("  ");
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    let stats = ctx.client.stack().stats();
    out.push('\n');
    out.push_str(&style.bold("Summary"));
    out.push('\n');
    out.push_str(&format!(
        "  events: {count}  conversations: {}  requests: {}  rate-limit waits: {} ({:.1} s)  elapsed: {:.1} s\n",
        conversations.len(),
        stats.requests_sent,
        stats.rate_limit_waits,
        stats.rate_limit_wait_time.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    ));
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::io("stdout", e)),
        _ => Ok(()),
    }
}
