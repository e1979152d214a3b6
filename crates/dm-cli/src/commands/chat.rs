//! `xdm chat keys init|show`, `chat send`, `chat events`, `chat conversations`: X Chat
//! (end-to-end encrypted) through [`ChatClient`], with the private keys in a key file.
//!
//! The key file is JSON: `user_id`, `public_key_version` and `private_keys` (standard
//! base64 of the 64-byte blob: identity then signing scalar, the format of the official
//! bindings' `export_keys`). It is written atomically, readable by its owner only; its
//! contents never reach logs or error messages.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use dm_chat::{ChatConversationId, KeyVersion, PrivateKeys};
use dm_stream::{ChatClient, ChatEvent, Client};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::{Zeroize, Zeroizing};

use crate::atomic::{read_json, write_atomic};
use crate::cli::{
    ChatEventsArgs, ChatFormat, ChatKeysArg, ChatKeysInitArgs, ChatSendArgs, GlobalOpts,
};
use crate::context::Context;
use crate::error::CliError;
use crate::login::config_dir;

/// The key file's name in the config directory.
const KEY_FILE: &str = "chat-keys.json";

#[derive(Serialize, Deserialize)]
struct KeyFile {
    user_id: String,
    public_key_version: String,
    /// base64 of the 64-byte private key blob.
    private_keys: String,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        self.private_keys.zeroize();
    }
}

/// What a key file holds, parsed.
struct Keys {
    user_id: String,
    version: KeyVersion,
    keys: PrivateKeys,
}

fn key_path(global: &GlobalOpts, arg: &ChatKeysArg) -> Result<PathBuf, CliError> {
    match &arg.keys {
        Some(p) => Ok(p.clone()),
        None => Ok(config_dir(global.config_dir.as_deref())?.join(KEY_FILE)),
    }
}

fn load(path: &Path) -> Result<Keys, CliError> {
    // serde's reason is left out: it could quote part of the file.
    let file: KeyFile = read_json(path, |bad| {
        CliError::Local(format!(
            "{}: not an xdm X Chat key file (at {})",
            path.display(),
            bad.at
        ))
    })?
    .ok_or_else(|| {
        CliError::Usage(format!(
            "no X Chat keys at {}: run `xdm chat keys init` (or pass --keys FILE / XDM_CHAT_KEYS)",
            path.display()
        ))
    })?;
    let bad = |what: &str| CliError::Local(format!("{}: {what}", path.display()));
    let blob = Zeroizing::new(
        dm_chat::b64::decode(&file.private_keys, "private_keys")
            .map_err(|_| bad("`private_keys` is not base64"))?,
    );
    let keys = PrivateKeys::from_blob(&blob)
        .map_err(|_| bad("`private_keys` is not a 64-byte X Chat key blob"))?;
    let version = file
        .public_key_version
        .parse()
        .map_err(|_| bad("`public_key_version` is not a number"))?;
    Ok(Keys {
        user_id: file.user_id.clone(),
        version,
        keys,
    })
}

async fn session(
    global: &GlobalOpts,
    arg: &ChatKeysArg,
) -> Result<(ChatClient, Context), CliError> {
    let keys = load(&key_path(global, arg)?)?;
    let ctx = Context::new(global, 100).await?;
    let chat = ChatClient::new(ctx.client.clone(), keys.user_id, keys.keys, keys.version);
    Ok((chat, ctx))
}

fn conversation(me: &str, raw: &str) -> Result<ChatConversationId, CliError> {
    ChatConversationId::parse(raw, Some(me))
        .map_err(|e| CliError::Usage(format!("--conversation {raw}: {e}")))
}

/// `xdm chat keys init`.
pub(crate) async fn keys_init(global: &GlobalOpts, a: &ChatKeysInitArgs) -> Result<(), CliError> {
    let path = key_path(global, &a.keys)?;
    if path.exists() && !a.force {
        return Err(CliError::Usage(format!(
            "{} already holds X Chat keys: keep them (history is encrypted to them), or pass \
             --force to replace them",
            path.display()
        )));
    }
    let ctx = Context::new(global, 100).await?;
    let chat = register(&ctx.client).await?;
    let blob = chat.1.to_blob();
    let file = KeyFile {
        user_id: chat.0.user_id().to_owned(),
        public_key_version: chat.0.own_keys().version().to_string(),
        private_keys: dm_chat::b64::encode(&blob),
    };
    let bytes = Zeroizing::new(
        serde_json::to_vec_pretty(&file).map_err(|e| CliError::Local(e.to_string()))?,
    );
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir.display(), e))?;
    }
    write_atomic(&path, &bytes).map_err(|e| CliError::io(path.display(), e))?;
    print_keys(&chat.0, &path);
    Ok(())
}

/// Generates keys and registers them; returns the session and a copy of the keys to store.
async fn register(client: &Client) -> Result<(ChatClient, PrivateKeys), CliError> {
    let keys = PrivateKeys::generate();
    let copy = PrivateKeys::from_blob(&keys.to_blob())
        .map_err(|e| CliError::Local(format!("key blob: {e}")))?;
    let chat = ChatClient::register(client.clone(), keys).await?;
    Ok((chat, copy))
}

fn print_keys(chat: &ChatClient, path: &Path) {
    let own = chat.own_keys();
    let v = json!({
        "user_id": chat.user_id(),
        "public_key_version": own.version().to_string(),
        "fingerprint": own.keys().fingerprint(),
        "public_key": own.keys().identity.to_spki_base64(),
        "signing_public_key": own.keys().signing.to_spki_base64(),
        "key_file": path.display().to_string(),
    });
    if std::io::stdout().is_terminal() {
        println!(
            "X Chat keys of user {} (version {})\n  fingerprint {}\n  key file    {}",
            v["user_id"].as_str().unwrap_or(""),
            v["public_key_version"].as_str().unwrap_or(""),
            v["fingerprint"].as_str().unwrap_or(""),
            path.display()
        );
    } else {
        println!("{v}");
    }
}

/// `xdm chat keys show`.
pub(crate) fn keys_show(global: &GlobalOpts, a: &ChatKeysArg) -> Result<(), CliError> {
    let path = key_path(global, a)?;
    let keys = load(&path)?;
    // No client is needed to show the public part; this one never sends a request.
    let client = Client::builder()
        .base_url(global.base_url.clone())
        .build()
        .map_err(|e| CliError::Usage(format!("{e} (check --base-url)")))?;
    let chat = ChatClient::new(client, keys.user_id, keys.keys, keys.version);
    print_keys(&chat, &path);
    Ok(())
}

/// `xdm chat send`.
pub(crate) async fn send(global: &GlobalOpts, a: &ChatSendArgs) -> Result<(), CliError> {
    let (chat, _ctx) = session(global, &a.keys).await?;
    let conv = match (&a.to, &a.conversation) {
        (Some(user), _) => conversation(chat.user_id(), user.as_str())?,
        (None, Some(c)) => conversation(chat.user_id(), c)?,
        (None, None) => {
            return Err(CliError::Usage(
                "give --to USER_ID or --conversation ID".into(),
            ));
        }
    };
    let sent = match &a.file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| CliError::io(path.display(), e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".into());
            chat.send_file(&conv, &bytes, &name, a.text.as_deref())
                .await?
        }
        None => {
            let text = a.text.as_deref().unwrap_or_default();
            if text.is_empty() {
                return Err(CliError::Usage("the message text is empty".into()));
            }
            chat.send_text(&conv, text).await?
        }
    };
    let v = json!({
        "conversation_id": sent.conversation.path(),
        "message_id": sent.message_id,
        "sequence_id": sent.sequence_id,
        "conversation_key_version": sent.key_version.to_string(),
    });
    if std::io::stdout().is_terminal() {
        println!(
            "Sent (encrypted) to {}: {}",
            sent.conversation.path(),
            sent.message_id
        );
    } else {
        println!("{v}");
    }
    Ok(())
}

fn rfc3339(msec: Option<&str>) -> Option<String> {
    let ms: i128 = msec?.parse().ok()?;
    time::OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// `xdm chat events`.
pub(crate) async fn events(global: &GlobalOpts, a: &ChatEventsArgs) -> Result<(), CliError> {
    let (chat, ctx) = session(global, &a.keys).await?;
    let convs = match (&a.with, &a.conversation) {
        (Some(u), _) => vec![conversation(chat.user_id(), u.as_str())?],
        (None, Some(c)) => vec![conversation(chat.user_id(), c)?],
        (None, None) => all_conversations(&ctx.client)
            .await?
            .iter()
            .map(|c| conversation(chat.user_id(), c))
            .collect::<Result<_, _>>()?,
    };
    let format = a.format.unwrap_or(if std::io::stdout().is_terminal() {
        ChatFormat::Pretty
    } else {
        ChatFormat::Jsonl
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut rejected = 0usize;
    let io = |e: std::io::Error| CliError::io("stdout", e);
    for conv in &convs {
        let mut history = std::pin::pin!(chat.history(conv));
        while let Some(event) = history.try_next().await? {
            match event {
                ChatEvent::Message(m) => {
                    let created = rfc3339(m.created_at_msec.as_deref());
                    match format {
                        ChatFormat::Jsonl => writeln!(
                            out,
                            "{}",
                            json!({
                                "id": m.sequence_id,
                                "message_id": m.message_id,
                                "conversation_id": m.conversation.path(),
                                "sender_id": m.sender_id,
                                "created_at": created,
                                "text": m.text(),
                                "verified": true,
                            })
                        )
                        .map_err(io)?,
                        ChatFormat::Pretty => writeln!(
                            out,
                            "{}  {}: {}",
                            created.as_deref().unwrap_or("?"),
                            m.sender_id,
                            m.text().unwrap_or("(no text)")
                        )
                        .map_err(io)?,
                    }
                }
                ChatEvent::Rejected(r) => {
                    rejected += 1;
                    if format == ChatFormat::Jsonl {
                        writeln!(
                            out,
                            "{}",
                            json!({
                                "id": r.id,
                                "conversation_id": conv.path(),
                                "sender_id": r.sender_id,
                                "created_at": rfc3339(r.created_at_msec.as_deref()),
                                "verified": false,
                                "error": r.reason,
                            })
                        )
                        .map_err(io)?;
                    }
                    eprintln!(
                        "xdm: event {} in {} (claimed sender {}) does not verify: {}",
                        r.id.as_deref().unwrap_or("?"),
                        conv.path(),
                        r.sender_id.as_deref().unwrap_or("?"),
                        r.reason
                    );
                }
                _ => {}
            }
        }
    }
    out.flush().map_err(io)?;
    if rejected > 0 {
        return Err(CliError::Unverified(format!(
            "{rejected} event(s) did not verify and were not shown"
        )));
    }
    Ok(())
}

async fn all_conversations(client: &Client) -> Result<Vec<String>, CliError> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client.chat_conversations(Some(100), token.clone()).await?;
        ids.extend(page.data.into_iter().filter_map(|c| c.id));
        match page.meta.next_token {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(ids),
        }
    }
}

/// `xdm chat conversations`.
pub(crate) async fn conversations(global: &GlobalOpts) -> Result<(), CliError> {
    let ctx = Context::new(global, 100).await?;
    let mut token = None;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let io = |e: std::io::Error| CliError::io("stdout", e);
    loop {
        let page = ctx
            .client
            .chat_conversations(Some(100), token.clone())
            .await?;
        for c in &page.data {
            let line = serde_json::to_string(c).map_err(|e| CliError::Local(e.to_string()))?;
            writeln!(out, "{line}").map_err(io)?;
        }
        match page.meta.next_token {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => break,
        }
    }
    out.flush().map_err(io)
}
