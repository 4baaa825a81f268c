//! The OpenMemory v1.3.0 HTTP client, hardened against the server's quirks.
