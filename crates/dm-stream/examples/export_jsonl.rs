//! Export every DM event of the last 30 days to a JSONL file: one line per event, the
//! event's JSON as the API sent it with the users, media and Posts it references under
//! `"includes"` (the same records `xdm events --format jsonl` writes).
//!
//! ```text
//! XDM_ACCESS_TOKEN=...   # an OAuth 2.0 user token (dm.read tweet.read users.read)
//! cargo run -p dm-stream --example export_jsonl -- dms.jsonl
//! ```
//!
//! The file is written next to its final name and renamed when complete, so an interrupted
//! export never leaves a truncated file behind. `tests/examples.rs` runs this file against
//! the sandbox.

use std::error::Error as StdError;
use std::io::Write;
use std::path::Path;

use dm_model::record::RecordWriter;
use dm_stream::Client;
use futures::TryStreamExt;

/// Writes every event of the last 30 days, newest first, as JSONL to `out`; returns how many.
///
/// # Errors
///
/// A final error of the lookup (credentials, access, network after the retries), or of the
/// writer.
pub async fn export(client: &Client, out: &mut impl Write) -> Result<usize, Box<dyn StdError>> {
    let mut records = RecordWriter::new();
    let mut line = Vec::new();
    let mut written = 0;
    // `public_fields()`: every field a user token may read; pages are fetched one ahead.
    let mut pages = client.all_events().public_fields().pages();
    while let Some(page) = pages.try_next().await? {
        for event in page.events() {
            line.clear();
            records.write(event.event(), event.includes(), &mut line);
            line.push(b'\n');
            out.write_all(&line)?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(written)
}

/// Exports to `path` through a temporary file in the same folder, renamed when complete.
///
/// # Errors
///
/// As [`export`], or the file could not be created or renamed.
pub async fn export_to(client: &Client, path: &Path) -> Result<usize, Box<dyn StdError>> {
    let partial = path.with_extension("jsonl.partial");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
    let written = export(client, &mut file).await?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path)?;
    Ok(written)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dms.jsonl".to_owned());
    let client = Client::builder()
        .base_url(std::env::var("XDM_BASE_URL").unwrap_or_else(|_| "https://api.x.com".into()))
        .bearer_token(std::env::var("XDM_ACCESS_TOKEN").map_err(|_| "set XDM_ACCESS_TOKEN")?)
        .build()?;
    let written = export_to(&client, Path::new(&path)).await?;
    eprintln!("export_jsonl: {written} events written to {path}");
    Ok(())
}
