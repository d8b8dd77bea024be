//! RFC 3339 UTC timestamps (`2026-12-02T06:45:00.123Z`) and the compact
//! form used in rotated file names (`20261202T064500.123Z`), computed from the
//! system clock without a date library.
//!
//! Civil dates come from days since the Unix epoch by the well-known
//! proleptic-Gregorian conversion; times before 1970 are clamped to the epoch
//! (an audit clock that far off is a broken clock, not a date to format).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A UTC instant broken into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
}

impl Civil {
    /// The calendar fields of `t` in UTC.
    pub fn from_system(t: SystemTime) -> Civil {
        let since = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let secs = since.as_secs();
        let days = i64::try_from(secs / 86_400).unwrap_or(0);
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: ((rem % 3600) / 60) as u32,
            second: (rem % 60) as u32,
            millis: since.subsec_millis(),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millis
        )
    }

    /// `YYYYMMDDTHHMMSS.mmmZ`, for file names (sorts chronologically).
    pub fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millis
        )
    }

    /// The UTC date, for daily rotation.
    pub fn date(&self) -> (i64, u32, u32) {
        (self.year, self.month, self.day)
    }
}

/// The current time as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    Civil::from_system(SystemTime::now()).rfc3339()
}

/// Days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_as_rfc3339() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_657_900_123);
        assert_eq!(Civil::from_system(t).rfc3339(), "2025-12-02T06:45:00.123Z");
        assert_eq!(Civil::from_system(t).compact(), "20251202T064500.123Z");
        assert_eq!(
            Civil::from_system(UNIX_EPOCH).rfc3339(),
            "1970-01-01T00:00:00.000Z"
        );
        // A leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(Civil::from_system(leap).date(), (2000, 2, 29));
    }
}
