//! Durations in configuration: `500ms`, `10s`, `5m`, `24h`, `90d`.
//! One number and one unit; bounded so that no arithmetic overflows.

use serde::{Deserialize, Deserializer};
use std::time::Duration;

/// The longest duration accepted anywhere (ten years).
pub const MAX_DURATION_SECS: u64 = 10 * 366 * 86_400;

/// A configured duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur(pub Duration);

impl Dur {
    pub const fn secs(s: u64) -> Dur {
        Dur(Duration::from_secs(s))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s)
            .map(Dur)
            .map_err(serde::de::Error::custom)
    }
}

/// Parse `<digits><unit>` with unit one of ms, s, m, h, d.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("duration {s:?} needs a unit (ms, s, m, h, d)"))?;
    let (num, unit) = s.split_at(split);
    if num.is_empty() || num.len() > 12 {
        return Err(format!("duration {s:?}: expected a number then a unit"));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| format!("duration {s:?}: bad number"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        "d" => Duration::from_secs(n.saturating_mul(86_400)),
        _ => return Err(format!("duration {s:?}: unknown unit (ms, s, m, h, d)")),
    };
    if d.as_secs() > MAX_DURATION_SECS {
        return Err(format!("duration {s:?}: longer than ten years"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
    }

    #[test]
    fn bad_durations_are_errors_not_panics() {
        for bad in ["", "10", "s", "10y", "-1s", "99999999999999999d", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
