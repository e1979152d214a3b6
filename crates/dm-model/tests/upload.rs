//! The media upload types against the spec's shapes and the reference's examples.

mod common;

use common::round_trip;
use dm_model::{
    AppendUploadResponse, InitializeUploadRequest, InitializeUploadResponse, MAX_TOTAL_BYTES,
    MediaCategory, MediaMimeType, MediaUploadResponse, ProcessingState, UploadBodyError, decode,
};
use serde_json::json;

#[test]
fn the_reference_examples_round_trip() {
    // §2.3, an image (xurl issue #18).
    let image: MediaUploadResponse = round_trip(
        "one-shot image",
        &json!({"data":{"id":"1900544781383569409","media_key":"3_1900544781383569409","size":117807,
                "expires_after_secs":86400,"image":{"image_type":"image/jpeg","w":1266,"h":793}}}),
    );
    let data = image.data.unwrap();
    assert_eq!(data.id, "1900544781383569409");
    assert_eq!(
        data.media_key.as_ref().unwrap().media_id_part(),
        "1900544781383569409"
    );
    assert_eq!(data.size, Some(117_807));
    let img = data.image.as_ref().unwrap();
    assert_eq!((img.w, img.h), (Some(1266), Some(793)));
    assert_eq!(data.processing_info, None);
    assert_eq!(
        data.state(),
        None,
        "no processing_info: nothing to wait for"
    );

    // §2.4, initialize and finalize.
    let init: InitializeUploadResponse = round_trip(
        "initialize",
        &json!({"data": {"id": "1880028106020515840", "media_key": "13_1880028106020515840", "expires_after_secs": 1295999}}),
    );
    assert_eq!(init.data.unwrap().expires_after_secs, Some(1_295_999));
    let fin: MediaUploadResponse = round_trip(
        "finalize",
        &json!({"data": {"id": "1880028106020515840", "media_key": "13_1880028106020515840", "size": 1048576,
                "expires_after_secs": 86400, "processing_info": {"state": "pending", "check_after_secs": 1}}}),
    );
    let d = fin.data.unwrap();
    assert_eq!(d.state(), Some(&ProcessingState::Pending));
    assert_eq!(d.processing_info.unwrap().check_after_secs, Some(1));

    let append: AppendUploadResponse =
        round_trip("append", &json!({"data": {"expires_at": 1793577600}}));
    assert_eq!(append.data.unwrap().expires_at, Some(1_793_577_600));
    let empty: AppendUploadResponse = round_trip("empty append", &json!({}));
    assert!(empty.data.is_none());
}

#[test]
fn every_processing_state_and_newer_ones_decode() {
    for (wire, state) in [
        ("pending", ProcessingState::Pending),
        ("in_progress", ProcessingState::InProgress),
        ("succeeded", ProcessingState::Succeeded),
        ("failed", ProcessingState::Failed),
        ("uploading", ProcessingState::Other("uploading".into())),
    ] {
        let r: MediaUploadResponse = round_trip(
            wire,
            &json!({"data": {"id": "1", "processing_info": {"state": wire, "progress_percent": 40, "check_after_secs": 5}}}),
        );
        let d = r.data.unwrap();
        assert_eq!(d.state(), Some(&state));
        assert_eq!(state.is_final(), matches!(wire, "succeeded" | "failed"));
        assert_eq!(d.processing_info.unwrap().progress_percent, Some(40));
    }
}

#[test]
fn unknown_members_are_kept_losslessly() {
    let r: MediaUploadResponse = round_trip(
        "unknown members",
        &json!({
            "data": {"id": "7", "processing_info": {"state": "failed", "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}},
                     "video": {"video_type": "video/mp4", "fps": 30}, "new_member": [1, 2]},
            "errors": [{"title": "Partial", "detail": "x"}],
            "meta": {"later": true}
        }),
    );
    let d = r.data.as_ref().unwrap();
    assert_eq!(d.extra["new_member"], json!([1, 2]));
    let info = d.processing_info.as_ref().unwrap();
    assert_eq!(info.extra["error"]["message"], "Unsupported video format");
    assert_eq!(r.errors.len(), 1);
    assert!(r.extra.contains_key("meta"));
}

#[test]
fn a_response_without_an_id_names_the_path() {
    let e = decode::<MediaUploadResponse>(br#"{"data": {"size": 5}}"#).unwrap_err();
    assert_eq!(e.path(), "data");
    assert!(e.message().contains("id"), "{e}");
    let e = decode::<MediaUploadResponse>(br#"{"data": {"id": "12a"}}"#).unwrap_err();
    assert_eq!(e.path(), "data.id");
    let e = decode::<MediaUploadResponse>(br#"{"data": {"id": "1", "size": "big"}}"#).unwrap_err();
    assert_eq!(e.path(), "data.size");
}

#[test]
fn categories_are_an_open_enum_with_dm_rules() {
    assert_eq!(MediaCategory::ALL.len(), 8);
    for c in MediaCategory::ALL {
        assert_eq!(&MediaCategory::from_wire(c.as_str()), c);
        assert_eq!(c.is_dm(), c.as_str().starts_with("dm_"), "{c}");
    }
    assert_eq!(
        MediaCategory::from_wire("dm_sticker"),
        MediaCategory::Other("dm_sticker".into())
    );
    assert!(!MediaCategory::from_wire("dm_sticker").is_dm());
    assert_eq!(MediaCategory::DmImage.max_bytes(), Some(5_242_880));
    assert_eq!(MediaCategory::DmGif.max_bytes(), Some(15_728_640));
    assert_eq!(MediaCategory::DmVideo.max_bytes(), Some(536_870_912));
    assert_eq!(MediaCategory::Subtitles.max_bytes(), None);
    assert!(!MediaCategory::AmplifyVideo.one_shot_allowed());
    assert!(MediaCategory::DmGif.one_shot_allowed());
    assert_eq!(MediaMimeType::ALL.len(), 15);
    assert_eq!(
        serde_json::to_value(MediaMimeType::VideoQuicktime).unwrap(),
        "video/quicktime"
    );
}

#[test]
fn initialize_bodies_validate() {
    let body =
        InitializeUploadRequest::new(MediaMimeType::ImageGif, 10, MediaCategory::DmGif).unwrap();
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"media_type": "image/gif", "total_bytes": 10, "media_category": "dm_gif"})
    );
    let shared = body
        .clone()
        .shared(false)
        .additional_owners(vec!["12".parse().unwrap()]);
    assert_eq!(
        serde_json::to_value(&shared).unwrap(),
        json!({"media_type": "image/gif", "total_bytes": 10, "media_category": "dm_gif",
               "shared": false, "additional_owners": ["12"]})
    );
    assert_eq!(
        InitializeUploadRequest::new(
            MediaMimeType::VideoMp4,
            MAX_TOTAL_BYTES + 1,
            MediaCategory::DmVideo
        ),
        Err(UploadBodyError::TotalBytes {
            got: MAX_TOTAL_BYTES + 1,
            max: MAX_TOTAL_BYTES
        })
    );
    assert!(
        InitializeUploadRequest::new(
            MediaMimeType::Other("video/x-flv".into()),
            1,
            MediaCategory::DmVideo
        )
        .is_err()
    );
    assert!(
        InitializeUploadRequest::new(
            MediaMimeType::VideoMp4,
            1,
            MediaCategory::Other("dm_sticker".into())
        )
        .is_err()
    );
    // Deserializing validates too; the spec forbids other members.
    let ok: InitializeUploadRequest = decode(
        br#"{"media_type": "video/mp4", "total_bytes": 1048576, "media_category": "dm_video"}"#,
    )
    .unwrap();
    assert_eq!(ok.total_bytes(), Some(1_048_576));
    assert!(decode::<InitializeUploadRequest>(br#"{"bogus": 1}"#).is_err());
    assert!(decode::<InitializeUploadRequest>(br#"{"total_bytes": 17179869185}"#).is_err());
    assert!(decode::<InitializeUploadRequest>(br#"{"additional_owners": ["x"]}"#).is_err());
}
