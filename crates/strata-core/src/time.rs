//! Time as strata records it: the caller's clock gives a [`Timestamp`] (milliseconds since the
//! Unix epoch, UTC), and it is written in one format only, RFC 3339 UTC to the second
//! (`2026-12-07T10:58:03Z`): a revision's `created`, the version table's `applied_at`, a
//! backup's time. The core reads no clock; the CLI, the playground and tests pass one in.

use serde::{Deserialize, Serialize};

/// A moment, as milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

/// Where time comes from: the CLI reads the system clock, the playground the browser's, tests
/// and the demo a fixed one.
pub trait Clock {
    /// Now.
    fn now(&self) -> Timestamp;
    /// A monotonic reading in milliseconds, for how long something took.
    fn millis(&self) -> f64;
}

const MS_PER_DAY: i64 = 86_400_000;

impl Timestamp {
    /// RFC 3339 in UTC to the second: `2026-12-07T10:58:03Z`. Milliseconds are dropped, not
    /// rounded, so the text never names a second that has not begun.
    pub fn rfc3339(self) -> String {
        let days = self.0.div_euclid(MS_PER_DAY);
        let secs = self.0.rem_euclid(MS_PER_DAY) / 1000;
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (what [`Timestamp::rfc3339`] writes, with an
    /// optional fraction of a second); `None` for anything else.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r).filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?.parse().ok() };
        let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
        let mut rest = &text[19..];
        let mut millis = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            millis = frac[..digits.min(3)].parse::<i64>().ok()? * 10_i64.pow(3 - digits.min(3) as u32);
            rest = &frac[digits..];
        }
        if !matches!(rest, "Z" | "z") || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        Some(Timestamp(days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + millis))
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The civil date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The day counted from 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_written_as_rfc3339_utc_to_the_second() {
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(1_796_641_083_999).rfc3339(), "2026-12-07T10:58:03Z");
        assert_eq!(Timestamp(951_782_400_000).rfc3339(), "2000-02-29T00:00:00Z");
        assert_eq!(Timestamp(-1).rfc3339(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn what_is_written_reads_back_and_nothing_else_does() {
        for ms in [0, 1_796_641_083_000, 951_782_400_000, -86_400_000, 4_102_444_799_000] {
            assert_eq!(Timestamp::parse_rfc3339(&Timestamp(ms).rfc3339()), Some(Timestamp(ms)));
        }
        assert_eq!(Timestamp::parse_rfc3339("2026-12-07T10:58:03.25Z"), Some(Timestamp(1_796_641_083_250)));
        for bad in ["", "2026-12-07 10:58:03", "2026-12-07T10:58:03", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-07T24:00:00Z", "2026-12-07T10:58:03.Z", "2026-12-07T10:58:03+01:00", "２026-12-07T10:58:03Z"] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad:?}");
        }
    }
}
