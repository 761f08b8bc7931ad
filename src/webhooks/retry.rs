//! When a failed delivery is tried again: exponential backoff with jitter.

use std::time::Duration;

/// The longest wait between two attempts at one event.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// The wait before attempt `attempt + 1`: `base` doubled per attempt made, at most
/// [`MAX_BACKOFF`], times `jitter` (0.8 to 1.2), so that endpoints back from an outage are
/// not met by every retry at once.
pub fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(30);
    let plain = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    plain.mul_f64(jitter.clamp(0.8, 1.2))
}

/// A random factor from 0.8 to 1.2.
pub fn jitter() -> f64 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    0.8 + 0.4 * f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_and_span_about_a_day_by_default() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1, 1.0), base);
        assert_eq!(backoff(base, 2, 1.0), base * 2);
        assert_eq!(backoff(base, 20, 1.0), MAX_BACKOFF);
        // The 13 waits between the default 14 attempts: about 26 hours.
        let total: Duration = (1..14).map(|n| backoff(base, n, 1.0)).sum();
        assert!(
            total > Duration::from_secs(18 * 3600) && total < Duration::from_secs(30 * 3600),
            "{total:?}"
        );
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.8..=1.2).contains(&j), "{j}");
        }
    }
}
