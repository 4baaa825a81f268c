//! post-call
