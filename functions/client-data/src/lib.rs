//! client-data
