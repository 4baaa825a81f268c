//! search-data
