//! Mapping S3 SDK errors to storage errors: missing, denied, unavailable.

#[allow(unused_imports)]
use super::*;

/// The broad class of a failed S3 response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Unavailable,
    Denied,
    Other,
}

/// Classifies an S3 error response by HTTP status and error code.
pub(super) fn classify(status: Option<u16>, code: Option<&str>) -> Class {
    const DENIED: &[&str] = &[
        "AccessDenied",
        "AllAccessDisabled",
        "AccountProblem",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "TokenRefreshRequired",
    ];
    const UNAVAILABLE: &[&str] = &[
        "InternalError",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
    ];
    if code.is_some_and(|c| DENIED.contains(&c)) || matches!(status, Some(401 | 403)) {
        Class::Denied
    } else if code.is_some_and(|c| UNAVAILABLE.contains(&c))
        || matches!(status, Some(408 | 429 | 500..=599))
    {
        Class::Unavailable
    } else {
        Class::Other
    }
}

pub(super) fn status_of<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// Maps an SDK error. The message holds the operation, where, the S3 error
/// code and message or the transport failure: never a request or response
/// body.
pub(super) fn map_sdk_error<E>(
    op: &str,
    bucket: &str,
    key: &str,
    err: &SdkError<E, HttpResponse>,
) -> StorageError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let at = format!("{op} s3://{bucket}/{key}");
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            StorageError::Unavailable(format!("{at}: {}", DisplayErrorContext(err)))
        }
        // The connection broke while reading the response.
        SdkError::ResponseError(_) => {
            StorageError::Unavailable(format!("{at}: {}", DisplayErrorContext(err)))
        }
        SdkError::ServiceError(_) => {
            let status = status_of(err);
            let code = err.code();
            let msg = format!(
                "{at}: {} (HTTP {}): {}",
                code.unwrap_or("unknown error"),
                status.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                err.message().unwrap_or("")
            );
            match classify(status, code) {
                Class::Unavailable => StorageError::Unavailable(msg),
                Class::Denied => StorageError::Denied(msg),
                Class::Other => StorageError::Other(msg),
            }
        }
        _ => StorageError::Other(format!("{at}: {}", DisplayErrorContext(err))),
    }
}

/// A `404` that means "no such object", as opposed to "no such bucket"
/// (which must not pass for an empty store).
pub(super) fn is_missing_object<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(err, SdkError::ServiceError(_))
        && err.code() != Some("NoSuchBucket")
        && (err.code() == Some("NoSuchKey") || status_of(err) == Some(404))
}
