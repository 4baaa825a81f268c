//! Calendar dates of calls, as memories and answers show them (UTC, ISO 8601).

use time::OffsetDateTime;

/// `2025-02-14` for a unix time in seconds; empty when out of range.
pub fn date_of(unix_secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_secs)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

/// Now, in unix seconds.
pub fn now_unix_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc_dates() {
        assert_eq!(super::date_of(1_739_537_297), "2025-02-14");
        assert_eq!(super::date_of(0), "1970-01-01");
        assert_eq!(super::date_of(i64::MAX), "");
    }
}
