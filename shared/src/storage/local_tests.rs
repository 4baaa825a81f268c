//! Tests of [`super`] (local.rs).

use super::*;

#[test]
fn keys_must_be_plain_relative_paths() {
    for good in [
        "abc/abc_audio.mp3",
        "abc",
        "a/b/c.json",
        "conv_1-2/conv_1-2_transcription.json",
    ] {
        assert_eq!(validate_key(good), Ok(()), "{good:?}");
    }
    for bad in [
        "",
        "../x",
        "a/../b",
        "a/..",
        "..",
        "a..b",
        "/etc/passwd",
        "a\\b",
        "a//b",
        "a/",
        "/",
        ".hidden",
        "a/.tmp",
        "a\0b",
    ] {
        assert!(
            matches!(validate_key(bad), Err(StorageError::Other(_))),
            "{bad:?} was accepted"
        );
    }
}

#[test]
fn list_prefixes_may_be_empty_or_end_in_a_slash() {
    for good in ["", "abc/", "abc", "a/b/", "ab"] {
        assert_eq!(validate_prefix(good), Ok(()), "{good:?}");
    }
    for bad in ["/", "../", "a//", "/abc/", "a\\", ".x/"] {
        assert!(validate_prefix(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn temporary_files_are_hidden_and_next_to_their_target() {
    let target = Path::new("/root/abc/abc_audio.mp3");
    let a = temp_path_for(target);
    let b = temp_path_for(target);
    assert_ne!(a, b);
    assert_eq!(a.parent(), target.parent());
    let name = a.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    assert!(name.starts_with(".abc_audio.mp3."), "{name}");
}

#[test]
fn error_messages_name_the_key_not_the_content() {
    let err = io_error(
        "put",
        "abc/x",
        &io::Error::new(io::ErrorKind::PermissionDenied, "denied"),
    );
    assert!(
        matches!(&err, StorageError::Denied(m) if m.contains("\"abc/x\"")),
        "{err:?}"
    );
    let err = body_stream_error(
        "k",
        &io::Error::new(io::ErrorKind::ConnectionReset, "reset"),
    );
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    let err = body_stream_error("k", &io::Error::new(io::ErrorKind::InvalidData, "bad"));
    assert!(matches!(err, StorageError::Other(_)), "{err:?}");
}
