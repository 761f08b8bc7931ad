//! Times as the API shows them: Unix milliseconds inside, RFC 3339 in UTC outside.

use std::time::{Duration, UNIX_EPOCH};

/// Nanoseconds are the finest fraction anyone sends; 64 leaves room and bounds the work.
pub const MAX_LEN: usize = 64;

/// Why a time was refused, in words that follow the parameter's name.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("is at most {MAX_LEN} characters")]
    TooLong,
    #[error("is an RFC 3339 time or a date like 2026-11-26; got {0:?}")]
    NotATime(String),
    #[error("is before 1970")]
    Before1970,
}

/// An RFC 3339 time (`2026-11-26T07:00:00Z`) or a UTC date (`2026-11-26`, its first instant),
/// as Unix milliseconds.
pub fn parse(raw: &str) -> Result<i64, TimeError> {
    if raw.len() > MAX_LEN {
        return Err(TimeError::TooLong);
    }
    let text = if raw.len() == 10 {
        format!("{raw}T00:00:00Z")
    } else {
        raw.to_owned()
    };
    let time =
        humantime::parse_rfc3339_weak(&text).map_err(|_| TimeError::NotATime(raw.to_owned()))?;
    let millis = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| TimeError::Before1970)?
        .as_millis();
    Ok(i64::try_from(millis).unwrap_or(i64::MAX))
}

/// Unix milliseconds as RFC 3339 in UTC, to the millisecond (`2026-11-26T07:08:29.559Z`).
pub fn format(unix_millis: i64) -> String {
    let since_epoch = Duration::from_millis(u64::try_from(unix_millis).unwrap_or(0));
    humantime::format_rfc3339_millis(UNIX_EPOCH + since_epoch).to_string()
}

/// A day number (days since 1970-01-01) as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    format(day * 86_400_000)[..10].to_owned()
}

/// A retention setting in days as milliseconds; `None` for 0, which keeps for ever. A count
/// of days too large for an `i64` of milliseconds keeps for ever too, rather than wrapping to
/// a negative span that would put the cut-off in the future and delete everything.
pub fn retention_ms(days: u64) -> Option<i64> {
    (days > 0).then(|| i64::try_from(days.saturating_mul(86_400_000)).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_dates_or_rfc_3339() {
        assert_eq!(parse("1970-01-02"), Ok(86_400_000));
        assert_eq!(parse("1970-01-01T00:00:01Z"), Ok(1000));
        assert!(matches!(parse("yesterday"), Err(TimeError::NotATime(_))));
        assert_eq!(parse(&"9".repeat(65)), Err(TimeError::TooLong));
        assert_eq!(format(1), "1970-01-01T00:00:00.001Z");
        assert_eq!(format_day(1), "1970-01-02");
    }

    #[test]
    fn a_huge_retention_keeps_everything_rather_than_nothing() {
        assert_eq!(retention_ms(2), Some(172_800_000));
        assert_eq!(retention_ms(200_000_000_000), Some(i64::MAX));
        assert_eq!(retention_ms(u64::MAX), Some(i64::MAX));
        assert_eq!(retention_ms(0), None);
    }
}
