//! Import: X's account archive ("Download your data", as the `.zip` or its unpacked folder)
//! or the project's own JSONL, merged into a store with what the API sync keeps.
//!
//! What each member of the archive becomes is written down in
//! [`docs/archive-format.md`](https://github.com/xdm-rs/xdm/blob/main/docs/archive-format.md)
//! (in the repository; the format notes and their sources are in
//! `spec/x-archive-dm-format.md`). In short:
//!
//! | archive | store |
//! |---|---|
//! | `data/direct-messages[-partN].js`, `data/direct-messages-group[-partN].js` | every item an event; one-to-one / group by file |
//! | `data/direct-message[-group]-headers[-partN].js` | messages not in the full files, without text |
//! | `messageCreate`, `welcomeMessageCreate` | `MessageCreate` with the item's `id`, `text` verbatim, `senderId`, the conversation, `createdAt`, `urls` as `entities.urls` (start/end found in the text), each `mediaUrls` as `attachments.media_keys` + a media object |
//! | `joinConversation` (the owner joined), `participantsJoin` | `ParticipantsJoin` (`sender_id` = `initiatingUserId`) with a made id |
//! | `participantsLeave` | `ParticipantsLeave` with a made id |
//! | `conversationNameUpdate`, `reactionCreate` (≤ 2020), any other kind | an event of type `ConversationNameUpdate`, `ReactionCreate`, … with a made id |
//! | every item, verbatim | beside its event ([`StoredEvent::archive`](crate::StoredEvent::archive)): reactions, edit history, unknown members are kept there |
//! | `data/direct_messages[_group]_media/<id>-<name>` | copied into the media folder (content-addressed), recorded in [`crate::MediaFile`] |
//! | `data/account.js` | the owner: a user (id, handle, name) |
//! | `data/manifest.js` | the files it lists must be there (a missing part is refused) |
//!
//! Made ids are described in [`crate::synthetic`]. Items repeated (within or across files and
//! parts) are kept once; the file and conversation order does not matter.
//!
//! # Merging and safety
//!
//! - Events the store holds already (same id, from the API or an earlier import) are not
//!   stored again: the API's JSON is kept and the archive's record is added beside it; an
//!   event made from the archive gives way to the API's when a sync brings it (see
//!   [`Batch::push_sourced`](crate::Batch::push_sourced)). Importing twice, or an archive and a
//!   sync in either order, give the same store.
//! - Everything is read and checked before anything is written: a truncated zip, a file that
//!   is not an archive, a malformed part (named, with line and column), an entry that would
//!   escape the archive folder (zip slip, named) are refused with the store untouched. The
//!   events are then written in batches of [`ImportOptions::batch_events`], one transaction
//!   each, under the account's writer lease: a killed import leaves whole batches, and
//!   importing again finishes it with the same result.

mod jsonl;
mod map;
mod part;
mod source;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dm_model::{DmConversationId, DmEvent, DmEventId, Includes, Media, User, UserId};
use serde_json::Value;

pub use jsonl::{ARCHIVE_MEMBER, SOURCE_MEMBER};

use crate::{ARCHIVE, Account, Applied, Batch, MediaDir, MediaFile, MediaStatus, Store};
use map::{Context, Id, MediaRef};
use source::Source;

/// Why an import failed. Nothing was written to the store in any case but [`Store`]
/// (a database error while writing: batches committed before it stay, and importing again
/// completes them).
///
/// [`Store`]: ImportError::Store
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The path is neither an account archive nor JSONL.
    #[error(
        "{path} is not X's account archive (a .zip or its folder, with data/direct-messages.js) \
         nor a JSONL file written by xdm: {reason}"
    )]
    NotAnArchive {
        /// The path.
        path: String,
        /// What was found.
        reason: String,
    },
    /// The zip is truncated or damaged.
    #[error("{path} is a truncated or damaged zip: {reason}")]
    BadZip {
        /// The zip.
        path: String,
        /// What the zip reader said.
        reason: String,
    },
    /// An entry of the zip cannot be read (damaged).
    #[error("{path}: the entry {entry} is damaged: {reason}")]
    BadEntry {
        /// The zip.
        path: String,
        /// The entry.
        entry: String,
        /// Why.
        reason: String,
    },
    /// An entry's name would escape the folder it is unpacked into.
    #[error(
        "{path}: the entry `{entry}` would be written outside the archive folder (zip slip); \
         the archive is refused"
    )]
    ZipSlip {
        /// The zip or folder.
        path: String,
        /// The offending name.
        entry: String,
    },
    /// A file the manifest lists is not there.
    #[error("{path}: {file} is listed in the manifest but missing (an incomplete archive)")]
    MissingPart {
        /// The archive.
        path: String,
        /// The missing file.
        file: String,
    },
    /// A data file is not the JSON it should be.
    #[error("{file} line {line} column {column}: {reason}")]
    Malformed {
        /// The file (its path in the archive, or the JSONL file).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A value in a data file is not what the format allows.
    #[error("{file}: {path}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// Where in it (a JSON path, e.g. `[3].dmConversation.messages[5].messageCreate.id`).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A media file could not be copied into the media folder.
    #[error("cannot copy {file} into the media folder {dir}: {reason}")]
    Media {
        /// The archive file.
        file: String,
        /// The media folder.
        dir: String,
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::Error),
}

impl ImportError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> ImportError {
        ImportError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

/// What is being imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportKind {
    /// X's account archive, zipped.
    ArchiveZip,
    /// X's account archive, unpacked.
    ArchiveFolder,
    /// xdm's JSONL.
    Jsonl,
}

/// How far an import is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportProgress {
    /// Reading and checking: `done` of `total` bytes.
    Reading {
        /// Bytes read.
        done: u64,
        /// Bytes to read.
        total: u64,
    },
    /// Writing: `done` of `total` events.
    Writing {
        /// Events written.
        done: u64,
        /// Events to write.
        total: u64,
    },
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(ImportProgress) + Send + Sync>;

/// Options of [`import`].
#[derive(Clone)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Where to copy the archive's media files (none: not copied).
    pub media_dir: Option<MediaDir>,
    /// Events per transaction.
    pub batch_events: usize,
    /// How long to wait for the account's writer lease.
    pub wait: Duration,
    /// Called as the import goes.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("media_dir", &self.media_dir)
            .field("batch_events", &self.batch_events)
            .finish_non_exhaustive()
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            media_dir: None,
            batch_events: 1000,
            wait: Duration::from_secs(10),
            progress: None,
        }
    }
}

impl ImportOptions {
    /// Copies media files into `dir`.
    pub fn media_dir(mut self, dir: MediaDir) -> Self {
        self.media_dir = Some(dir);
        self
    }

    /// Reports progress to `f`.
    pub fn progress(mut self, f: impl Fn(ImportProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    fn report(&self, p: ImportProgress) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportSummary {
    /// What was imported (`None` only for an empty summary).
    pub kind: Option<ImportKind>,
    /// Data files read.
    pub files: usize,
    /// Conversations the events belong to.
    pub conversations: usize,
    /// Events read (each once).
    pub events: u64,
    /// Events stored for the first time.
    pub new_events: u64,
    /// Events the store held already (left as they were, the archive's record added).
    pub already_present: u64,
    /// Events held already to which the archive's record was added.
    pub archive_added: u64,
    /// Items the archive repeats (kept once).
    pub repeated: u64,
    /// Media files copied (or found already) in the media folder.
    pub media_copied: u64,
    /// Media the archive refers to but does not hold.
    pub media_missing: u64,
    /// Media not copied because no media folder was given.
    pub media_skipped: u64,
}

impl ImportSummary {
    fn add(&mut self, a: &Applied) {
        self.new_events += a.new_events;
        self.already_present += a.existing_events;
        self.archive_added += a.archive_added;
    }
}

/// One event ready to write.
struct Prepared {
    event: DmEvent,
    media: Vec<Media>,
    archive: Value,
    source: String,
    includes: Option<Includes>,
    files: Vec<MediaRef>,
}

/// Imports `path` (an account archive `.zip` or folder, or xdm JSONL) into `account` of
/// `store`. See the [module docs](self).
///
/// # Errors
///
/// [`ImportError`]: the input is refused before anything is written, or the store fails.
pub async fn import(
    store: &Store,
    account: &Account,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let kind = detect(path)?;
    let p = path.to_owned();
    let opts = options.clone();
    if kind == ImportKind::Jsonl {
        let summary = blocking(move || check_jsonl(&p, &opts)).await?;
        return write_jsonl(store, account, path, options, summary).await;
    }
    let (source, read) = blocking(move || read_archive(&p, kind, &opts)).await?;
    write_archive(store, account, options, source, read).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ImportError> + Send + 'static,
) -> Result<T, ImportError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ImportError::Io {
            path: String::new(),
            reason: format!("the import task failed: {e}"),
        })?
}

/// What `path` is, from its first bytes.
fn detect(path: &Path) -> Result<ImportKind, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::io(path, e))?;
    if meta.is_dir() {
        return Ok(ImportKind::ArchiveFolder);
    }
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .map_err(|e| ImportError::io(path, e))?;
    if head.starts_with(b"PK") {
        return Ok(ImportKind::ArchiveZip);
    }
    let first = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|i| head.get(i..));
    match first {
        Some([b'{', ..]) => Ok(ImportKind::Jsonl),
        Some(_) => Err(ImportError::NotAnArchive {
            path: path.display().to_string(),
            reason: "it is neither a zip nor JSON lines".into(),
        }),
        None => Err(ImportError::NotAnArchive {
            path: path.display().to_string(),
            reason: "it is empty".into(),
        }),
    }
}

/// Which DM file a name is: `(group, headers, part number)`.
fn dm_file(file_name: &str) -> Option<(bool, bool, u32)> {
    let stem = file_name.strip_suffix(".js")?;
    let (base, part) = match stem.rsplit_once("-part") {
        Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
            (b, n.parse().ok()?)
        }
        _ => (stem, 0),
    };
    match base {
        "direct-messages" => Some((false, false, part)),
        "direct-messages-group" => Some((true, false, part)),
        "direct-message-headers" => Some((false, true, part)),
        "direct-message-group-headers" => Some((true, true, part)),
        _ => None,
    }
}

/// Splits `a/b/c` into (`a/b/`, `c`).
fn split_name(name: &str) -> (&str, &str) {
    match name.rfind('/') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => ("", name),
    }
}

/// The archive read and mapped, ready to write.
struct ReadArchive {
    events: Vec<Prepared>,
    owner: Option<User>,
    summary: ImportSummary,
}

fn read_archive(
    path: &Path,
    kind: ImportKind,
    opts: &ImportOptions,
) -> Result<(Source, ReadArchive), ImportError> {
    let mut src = match kind {
        ImportKind::ArchiveZip => Source::zip(path)?,
        _ => Source::dir(path)?,
    };
    let shown = src.display();
    // The DM files, found by name; the data folder is theirs (`data/`, or `x/data/`).
    let mut files: Vec<(bool, bool, u32, String)> = src
        .names()
        .iter()
        .filter_map(|n| {
            let (_, f) = split_name(n);
            dm_file(f).map(|(g, h, p)| (h, g, p, n.clone()))
        })
        .collect();
    let data = match files
        .iter()
        .map(|f| split_name(&f.3).0)
        .min_by_key(|d| d.len())
    {
        Some(d) => d.to_owned(),
        None => {
            let has = |f: &str| {
                src.names()
                    .iter()
                    .any(|n| split_name(n).1 == f && split_name(n).0.ends_with("data/"))
            };
            if has("manifest.js") || has("account.js") {
                String::from("data/")
            } else {
                return Err(ImportError::NotAnArchive {
                    path: shown,
                    reason:
                        "no data/direct-messages*.js, data/manifest.js or data/account.js in it"
                            .into(),
                });
            }
        }
    };
    files.retain(|f| split_name(&f.3).0 == data);
    // Full files first (their copy of a message wins over the headers'), one-to-one before
    // groups, parts in order.
    files.sort();
    let root = data.strip_suffix("data/").unwrap_or("").to_owned();
    check_manifest(&mut src, &shown, &data, &root)?;
    let owner = read_owner(&mut src, &data)?;

    let total: u64 = files.iter().map(|f| src.size(&f.3).unwrap_or(0)).sum();
    let mut done = 0u64;
    let mut parsed: Vec<(bool, bool, String, Vec<Value>)> = Vec::new();
    for (headers, group, _, name) in &files {
        let bytes = src.read(name)?;
        done += bytes.len() as u64;
        let entries: Vec<Value> = part::parse(name, &bytes)?;
        drop(bytes);
        parsed.push((*group, *headers, name.clone(), entries));
        opts.report(ImportProgress::Reading { done, total });
    }
    // The owner: account.js, else the one user in every one-to-one conversation id.
    let owner_id = owner.as_ref().and_then(|u| u.id.clone()).or_else(|| {
        let mut common: Option<BTreeSet<UserId>> = None;
        for (_, _, _, entries) in &parsed {
            for e in entries {
                let id = e
                    .pointer("/dmConversation/conversationId")
                    .and_then(Value::as_str)
                    .and_then(|c| DmConversationId::parse(c).ok());
                if let Some(dm_model::ConversationKind::OneToOne { low, high }) =
                    id.as_ref().map(DmConversationId::kind)
                {
                    let pair: BTreeSet<UserId> = [low, high].into();
                    common = Some(match common {
                        None => pair,
                        Some(c) => c.intersection(&pair).cloned().collect(),
                    });
                }
            }
        }
        common
            .filter(|c| c.len() == 1)
            .and_then(|c| c.into_iter().next())
    });
    let ctx = Context {
        owner: owner_id.as_ref(),
        data: &data,
    };

    let mut summary = ImportSummary {
        kind: Some(kind),
        files: parsed.len(),
        ..ImportSummary::default()
    };
    let mut real: HashMap<DmEventId, usize> = HashMap::new();
    let mut made: HashMap<(String, String), usize> = HashMap::new();
    let mut mapped: Vec<(map::Mapped, DmConversationId)> = Vec::new();
    let mut conversations = BTreeSet::new();
    for (group, headers, name, entries) in &parsed {
        for (i, entry) in entries.iter().enumerate() {
            let at = |member: &str| map::At {
                file: name,
                path: format!("[{i}].dmConversation{member}"),
            };
            let conv = entry
                .get("dmConversation")
                .and_then(Value::as_object)
                .ok_or_else(|| ImportError::Invalid {
                    file: name.clone(),
                    path: format!("[{i}]"),
                    reason: "not a `{\"dmConversation\": {...}}` entry".into(),
                })?;
            let conv_id = match conv.get("conversationId") {
                Some(Value::String(s)) => {
                    DmConversationId::parse(s).map_err(|e| ImportError::Invalid {
                        file: name.clone(),
                        path: format!("[{i}].dmConversation.conversationId"),
                        reason: e.to_string(),
                    })?
                }
                _ => {
                    return Err(ImportError::Invalid {
                        file: name.clone(),
                        path: format!("[{i}].dmConversation.conversationId"),
                        reason: "missing or not a string".into(),
                    });
                }
            };
            let messages = match conv.get("messages") {
                Some(Value::Array(m)) => m.as_slice(),
                None | Some(Value::Null) => &[],
                Some(_) => {
                    return Err(ImportError::Invalid {
                        file: name.clone(),
                        path: format!("[{i}].dmConversation.messages"),
                        reason: "not an array".into(),
                    });
                }
            };
            conversations.insert(conv_id.clone());
            for (j, item) in messages.iter().enumerate() {
                let m = map::item(
                    &ctx,
                    &at(&format!(".messages[{j}]")),
                    &conv_id,
                    *group,
                    *headers,
                    item,
                )?;
                let seen = match &m.id {
                    Id::Real(id) => real.contains_key(id),
                    Id::Made { key, .. } => {
                        made.contains_key(&(conv_id.as_str().to_owned(), key.clone()))
                    }
                };
                if seen {
                    summary.repeated += 1;
                    continue;
                }
                let index = mapped.len();
                match &m.id {
                    Id::Real(id) => {
                        real.insert(id.clone(), index);
                    }
                    Id::Made { key, .. } => {
                        made.insert((conv_id.as_str().to_owned(), key.clone()), index);
                    }
                }
                mapped.push((m, conv_id.clone()));
            }
        }
    }
    summary.conversations = conversations.len();
    let ids = assign_ids(&mapped);
    let mut events = Vec::with_capacity(mapped.len());
    for ((m, _), id) in mapped.into_iter().zip(ids) {
        let event = map::event(m.json, &id)?;
        events.push(Prepared {
            event,
            media: m.media,
            archive: m.archive,
            source: ARCHIVE.to_owned(),
            includes: None,
            files: m.files,
        });
    }
    events.sort_by(|a, b| {
        (
            crate::synthetic::order_key(&a.event.id),
            a.event.id.as_str(),
        )
            .cmp(&(
                crate::synthetic::order_key(&b.event.id),
                b.event.id.as_str(),
            ))
    });
    summary.events = events.len() as u64;
    Ok((
        src,
        ReadArchive {
            events,
            owner,
            summary,
        },
    ))
}

/// The ids of the mapped items: their own, or made (colliding made ids resolved in the order
/// of the items' JSON, so the same items always get the same ids).
fn assign_ids(mapped: &[(map::Mapped, DmConversationId)]) -> Vec<DmEventId> {
    let mut out: Vec<Option<DmEventId>> = vec![None; mapped.len()];
    let mut made: Vec<usize> = Vec::new();
    let mut taken: BTreeSet<DmEventId> = BTreeSet::new();
    for (i, (m, _)) in mapped.iter().enumerate() {
        match &m.id {
            Id::Real(id) => {
                taken.insert(id.clone());
                out[i] = Some(id.clone());
            }
            Id::Made { .. } => made.push(i),
        }
    }
    made.sort_by(|&a, &b| {
        let key = |i: usize| match &mapped[i].0.id {
            Id::Made { key, .. } => (mapped[i].0.time_ms, mapped[i].1.as_str(), key.as_str()),
            Id::Real(_) => (0, "", ""),
        };
        key(a).cmp(&key(b))
    });
    for i in made {
        let (m, _) = &mapped[i];
        let Id::Made { hash, .. } = &m.id else {
            continue;
        };
        let mut h = *hash;
        let mut id = crate::synthetic::make_id(m.time_ms, h);
        while taken.contains(&id) {
            h = crate::synthetic::next_hash(h);
            id = crate::synthetic::make_id(m.time_ms, h);
        }
        taken.insert(id.clone());
        out[i] = Some(id);
    }
    out.into_iter()
        .map(|o| o.expect("every item has an id"))
        .collect()
}

/// Checks that the files the manifest lists for DMs are there.
fn check_manifest(
    src: &mut Source,
    shown: &str,
    data: &str,
    root: &str,
) -> Result<(), ImportError> {
    let name = format!("{data}manifest.js");
    if !src.contains(&name) {
        return Ok(());
    }
    let bytes = src.read(&name)?;
    let manifest: Value = part::parse(&name, &bytes)?;
    for kind in [
        "directMessages",
        "directMessagesGroup",
        "directMessageHeaders",
        "directMessageGroupHeaders",
    ] {
        let listed = manifest
            .pointer(&format!("/dataTypes/{kind}/files"))
            .and_then(Value::as_array);
        for f in listed.into_iter().flatten() {
            if let Some(file) = f.get("fileName").and_then(Value::as_str) {
                let file = file.trim_start_matches("./");
                if !src.contains(&format!("{root}{file}")) {
                    return Err(ImportError::MissingPart {
                        path: shown.to_owned(),
                        file: file.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The owner from `account.js`, when there.
fn read_owner(src: &mut Source, data: &str) -> Result<Option<User>, ImportError> {
    let name = format!("{data}account.js");
    if !src.contains(&name) {
        return Ok(None);
    }
    let bytes = src.read(&name)?;
    let v: Value = part::parse(&name, &bytes)?;
    let Some(a) = v.pointer("/0/account").and_then(Value::as_object) else {
        return Ok(None);
    };
    let Some(id) = a
        .get("accountId")
        .and_then(Value::as_str)
        .and_then(|s| UserId::parse(s).ok())
    else {
        return Ok(None);
    };
    let mut user = serde_json::Map::new();
    user.insert("id".into(), Value::String(id.to_string()));
    if let Some(u) = a.get("username").and_then(Value::as_str) {
        user.insert("username".into(), Value::String(u.to_owned()));
    }
    if let Some(n) = a.get("accountDisplayName").and_then(Value::as_str) {
        user.insert("name".into(), Value::String(n.to_owned()));
    }
    Ok(serde_json::from_value(Value::Object(user)).ok())
}

/// Copies the media files of `events` into the media folder; the reports to record.
fn copy_media(
    src: &mut Source,
    dir: Option<&MediaDir>,
    events: &[Prepared],
    summary: &mut ImportSummary,
) -> Result<Vec<MediaFile>, ImportError> {
    let mut out = Vec::new();
    for p in events {
        for r in &p.files {
            let Some(dir) = dir else {
                summary.media_skipped += 1;
                continue;
            };
            let found = r.candidates.iter().find(|c| src.contains(c)).cloned();
            let id = Some(p.event.id.clone());
            let report = match found {
                Some(name) => {
                    let stored = src.with_reader(&name, |reader| dir.store_reader(reader))?;
                    summary.media_copied += 1;
                    MediaFile::present(r.key.clone(), id, ARCHIVE, &stored)
                }
                None => {
                    summary.media_missing += 1;
                    let (_, file) = split_name(&r.candidates[0]);
                    MediaFile::unavailable(
                        r.key.clone(),
                        id,
                        ARCHIVE,
                        MediaStatus::Missing,
                        format!("not in the archive ({file})"),
                    )
                }
            };
            out.push(report.with_url(Some(r.url.clone())));
        }
    }
    Ok(out)
}

async fn write_archive(
    store: &Store,
    account: &Account,
    options: &ImportOptions,
    source: Source,
    read: ReadArchive,
) -> Result<ImportSummary, ImportError> {
    let ReadArchive {
        events,
        owner,
        mut summary,
    } = read;
    let total = events.len() as u64;
    let mut writer = store.writer(account, options.wait).await?;
    let source = Arc::new(Mutex::new(source));
    let mut done = 0u64;
    let mut rest = events;
    let mut first = true;
    while !rest.is_empty() || first {
        let tail = rest.split_off(rest.len().min(options.batch_events.max(1)));
        let chunk = std::mem::replace(&mut rest, tail);
        let mut batch = Batch::new();
        batch.source(ARCHIVE);
        if first && let Some(u) = &owner {
            batch.users([u])?;
        }
        first = false;
        // Media files first: a batch is committed only with its files in place.
        let (chunk, reports, s) = {
            let src = Arc::clone(&source);
            let dir = options.media_dir.clone();
            let mut s = summary.clone();
            blocking(move || {
                let mut src = src.lock().map_err(|_| ImportError::Io {
                    path: String::new(),
                    reason: "the archive reader failed".into(),
                })?;
                let reports =
                    copy_media(&mut src, dir.as_ref(), &chunk, &mut s).map_err(|e| {
                        match (e, &dir) {
                            (ImportError::Io { path, reason }, Some(d)) => ImportError::Media {
                                file: path,
                                dir: d.root().display().to_string(),
                                reason,
                            },
                            (e, _) => e,
                        }
                    })?;
                Ok((chunk, reports, s))
            })
            .await?
        };
        summary = s;
        for p in &chunk {
            let mut includes = p.includes.clone().unwrap_or_default();
            includes.media.extend(p.media.iter().cloned());
            batch.push_sourced(&p.event, &includes, &p.source, Some(&p.archive))?;
        }
        for r in reports {
            batch.media_file(r);
        }
        let applied = writer.apply(batch).await?;
        summary.add(&applied);
        done += chunk.len() as u64;
        options.report(ImportProgress::Writing { done, total });
    }
    Ok(summary)
}

/// Reads the whole JSONL file once to check it (nothing written).
fn check_jsonl(path: &Path, opts: &ImportOptions) -> Result<ImportSummary, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let shown = path.display().to_string();
    let mut conversations = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut repeated = 0u64;
    let count = jsonl::read_all(
        &shown,
        std::io::BufReader::new(file),
        |r| {
            if let Some(c) = &r.event.dm_conversation_id {
                conversations.insert(c.clone());
            }
            if !ids.insert(r.event.id.clone()) {
                repeated += 1;
            }
            Ok(())
        },
        |done| opts.report(ImportProgress::Reading { done, total }),
    )?;
    Ok(ImportSummary {
        kind: Some(ImportKind::Jsonl),
        files: 1,
        conversations: conversations.len(),
        events: count - repeated,
        repeated,
        ..ImportSummary::default()
    })
}

async fn write_jsonl(
    store: &Store,
    account: &Account,
    path: &Path,
    options: &ImportOptions,
    mut summary: ImportSummary,
) -> Result<ImportSummary, ImportError> {
    let mut writer = store.writer(account, options.wait).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<jsonl::Record>, ImportError>>(2);
    let p = path.to_owned();
    let batch_events = options.batch_events.max(1);
    let reader = tokio::task::spawn_blocking(move || {
        let shown = p.display().to_string();
        let run = || -> Result<(), ImportError> {
            let file = std::fs::File::open(&p).map_err(|e| ImportError::io(&p, e))?;
            let mut chunk = Vec::with_capacity(batch_events);
            jsonl::read_all(
                &shown,
                std::io::BufReader::new(file),
                |r| {
                    chunk.push(r);
                    if chunk.len() >= batch_events {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(batch_events));
                        if tx.blocking_send(Ok(full)).is_err() {
                            return Err(ImportError::Io {
                                path: shown.clone(),
                                reason: "the writer stopped".into(),
                            });
                        }
                    }
                    Ok(())
                },
                |_| {},
            )?;
            if !chunk.is_empty() {
                let _ = tx.blocking_send(Ok(chunk));
            }
            Ok(())
        };
        if let Err(e) = run() {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let total = summary.events + summary.repeated;
    let mut done = 0u64;
    while let Some(chunk) = rx.recv().await {
        let chunk = chunk?;
        let mut batch = Batch::new();
        for r in &chunk {
            batch.push_sourced(&r.event, &r.includes, &r.source, r.archive.as_ref())?;
        }
        let applied = writer.apply(batch).await?;
        summary.add(&applied);
        done += chunk.len() as u64;
        options.report(ImportProgress::Writing { done, total });
    }
    let _ = reader.await;
    // Records repeated in the file were counted as present by the batches.
    summary.already_present = summary.already_present.saturating_sub(summary.repeated);
    Ok(summary)
}

/// The JSONL members xdm adds to a record for an event the API did not give as it is:
/// [`ARCHIVE_MEMBER`] (the account archive's record, when an archive had the event) and
/// [`SOURCE_MEMBER`] (`"archive"` when the event's JSON was made from the archive,
/// `"realtime"` when converted from a real-time delivery), so that an import of the export
/// still lets the API's JSON replace it. Empty for an event from the API alone.
pub fn record_members(stored: &crate::StoredEvent) -> BTreeMap<&'static str, Value> {
    let mut out = BTreeMap::new();
    if let Some(a) = &stored.archive {
        out.insert(ARCHIVE_MEMBER, a.clone());
    }
    if crate::batch::is_derived(&stored.source) {
        out.insert(SOURCE_MEMBER, Value::String(stored.source.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dm_file_names() {
        assert_eq!(dm_file("direct-messages.js"), Some((false, false, 0)));
        assert_eq!(dm_file("direct-messages-part2.js"), Some((false, false, 2)));
        assert_eq!(dm_file("direct-messages-group.js"), Some((true, false, 0)));
        assert_eq!(
            dm_file("direct-messages-group-part1.js"),
            Some((true, false, 1))
        );
        assert_eq!(dm_file("direct-message-headers.js"), Some((false, true, 0)));
        assert_eq!(
            dm_file("direct-message-group-headers-part3.js"),
            Some((true, true, 3))
        );
        assert_eq!(dm_file("direct-message-mute.js"), None);
        assert_eq!(dm_file("direct-messages-partx.js"), None);
        assert_eq!(dm_file("tweets.js"), None);
    }
}
