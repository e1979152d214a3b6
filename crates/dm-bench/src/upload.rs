//! The file the upload scenario sends: generated on the fly, never committed.

use std::io::Write as _;
use std::path::Path;

/// Writes `len` bytes that start like an MP4 (`ftyp mp42`) and go on pseudo-randomly, 1 MiB
/// at a time (the writer never holds the file).
///
/// # Errors
///
/// The file cannot be created or written.
pub fn write_video(path: &Path, len: u64) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let head = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";
    let mut block = vec![0u8; 1024 * 1024];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut written = 0u64;
    while written < len {
        for word in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes()[..word.len()]);
        }
        if written == 0 {
            block[..head.len()].copy_from_slice(head);
        }
        let n = usize::try_from((len - written).min(block.len() as u64)).unwrap_or(0);
        file.write_all(&block[..n])?;
        written += n as u64;
    }
    file.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_the_size_asked_for_starting_with_ftyp() {
        let dir = std::env::temp_dir().join(format!("dm-bench-test-{}", std::process::id()));
        super::write_video(&dir, 3 * 1024 * 1024 + 5).unwrap();
        let bytes = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(bytes.len(), 3 * 1024 * 1024 + 5);
        assert_eq!(&bytes[4..12], b"ftypmp42");
    }
}
