//! Payload storage in a local directory.
