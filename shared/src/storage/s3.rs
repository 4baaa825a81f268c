//! Payload storage in S3.
