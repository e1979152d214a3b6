//! What a file is, from its first bytes (its name is never trusted), and the DM category and
//! MIME type it is uploaded with.

use dm_model::{MediaCategory, MediaMimeType};

/// How many leading bytes are read to tell the type.
pub(crate) const SNIFF_LEN: usize = 512;

/// The kind of media to upload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaKind {
    /// From the file's first bytes: JPEG, PNG and WebP are images, GIF an animated GIF, MP4
    /// and MOV videos.
    #[default]
    Auto,
    /// An image (`dm_image`, at most 5 MiB, one request): JPEG, PNG, WebP, or a still GIF.
    Image,
    /// An animated GIF (`dm_gif`, at most 15 MiB, chunked, processed).
    AnimatedGif,
    /// A video (`dm_video`, at most 512 MiB, chunked, processed): MP4 or MOV.
    Video,
}

/// A file type xdm can upload for a DM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Mp4,
    Mov,
}

impl Format {
    pub(crate) fn mime(self) -> MediaMimeType {
        match self {
            Format::Jpeg => MediaMimeType::ImageJpeg,
            Format::Png => MediaMimeType::ImagePng,
            Format::Webp => MediaMimeType::ImageWebp,
            Format::Gif => MediaMimeType::ImageGif,
            Format::Mp4 => MediaMimeType::VideoMp4,
            Format::Mov => MediaMimeType::VideoQuicktime,
        }
    }
}

/// The format of `header`, or what it looks like instead.
pub(crate) fn sniff(header: &[u8]) -> Result<Format, String> {
    let Some(kind) = infer::get(header) else {
        return Err("its type is not recognised from its first bytes".into());
    };
    Ok(match kind.mime_type() {
        "image/jpeg" => Format::Jpeg,
        "image/png" => Format::Png,
        "image/webp" => Format::Webp,
        "image/gif" => Format::Gif,
        "video/mp4" | "video/x-m4v" => Format::Mp4,
        "video/quicktime" => Format::Mov,
        other => return Err(format!("it is {other}")),
    })
}

/// The DM category for `format` uploaded as `kind`, or why that does not fit.
pub(crate) fn category(format: Format, kind: MediaKind) -> Result<MediaCategory, String> {
    use Format as F;
    use MediaKind as K;
    match (kind, format) {
        (K::Auto | K::Image, F::Jpeg | F::Png | F::Webp) | (K::Image, F::Gif) => {
            Ok(MediaCategory::DmImage)
        }
        (K::Auto | K::AnimatedGif, F::Gif) => Ok(MediaCategory::DmGif),
        (K::Auto | K::Video, F::Mp4 | F::Mov) => Ok(MediaCategory::DmVideo),
        (kind, format) => Err(format!("a {format:?} file cannot be uploaded as {kind:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 0x18];
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(brand);
        v.extend_from_slice(&[0; 12]);
        v
    }

    #[test]
    fn sniffs_the_dm_formats_from_their_first_bytes() {
        let cases: &[(Vec<u8>, Format)] = &[
            (
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F'],
                Format::Jpeg,
            ),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), Format::Png),
            (b"RIFF\x10\0\0\0WEBPVP8 ".to_vec(), Format::Webp),
            (b"GIF89a\x01\0\x01\0".to_vec(), Format::Gif),
            (b"GIF87a\x01\0\x01\0".to_vec(), Format::Gif),
            (ftyp(b"isom"), Format::Mp4),
            (ftyp(b"mp42"), Format::Mp4),
            (ftyp(b"M4V "), Format::Mp4),
            (ftyp(b"qt  "), Format::Mov),
        ];
        for (bytes, format) in cases {
            assert_eq!(sniff(bytes), Ok(*format), "{bytes:?}");
        }
        assert!(sniff(b"%PDF-1.7").unwrap_err().contains("application/pdf"));
        assert!(sniff(b"hello").is_err());
        assert!(sniff(b"").is_err());
    }

    #[test]
    fn categories_are_always_dm_ones() {
        for format in [
            Format::Jpeg,
            Format::Png,
            Format::Webp,
            Format::Gif,
            Format::Mp4,
            Format::Mov,
        ] {
            for kind in [
                MediaKind::Auto,
                MediaKind::Image,
                MediaKind::AnimatedGif,
                MediaKind::Video,
            ] {
                if let Ok(c) = category(format, kind) {
                    assert!(c.is_dm(), "{format:?} {kind:?}");
                }
            }
        }
        assert_eq!(
            category(Format::Gif, MediaKind::Auto),
            Ok(MediaCategory::DmGif)
        );
        assert_eq!(
            category(Format::Gif, MediaKind::Image),
            Ok(MediaCategory::DmImage)
        );
        assert!(category(Format::Mp4, MediaKind::Image).is_err());
        assert!(category(Format::Png, MediaKind::Video).is_err());
    }
}
