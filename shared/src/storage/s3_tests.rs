//! Tests of [`super`] (s3.rs).

use super::*;

#[test]
fn responses_are_classified_by_status_and_code() {
    assert_eq!(classify(Some(403), Some("AccessDenied")), Class::Denied);
    assert_eq!(classify(Some(403), None), Class::Denied);
    assert_eq!(classify(Some(400), Some("ExpiredToken")), Class::Denied);
    assert_eq!(classify(Some(503), Some("SlowDown")), Class::Unavailable);
    assert_eq!(classify(Some(500), None), Class::Unavailable);
    assert_eq!(classify(Some(429), None), Class::Unavailable);
    assert_eq!(
        classify(Some(400), Some("RequestTimeout")),
        Class::Unavailable
    );
    assert_eq!(classify(Some(404), Some("NoSuchBucket")), Class::Other);
    assert_eq!(classify(Some(400), Some("InvalidArgument")), Class::Other);
    assert_eq!(classify(None, None), Class::Other);
}
