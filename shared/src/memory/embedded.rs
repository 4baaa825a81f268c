//! The embedded SQLite memory store.
