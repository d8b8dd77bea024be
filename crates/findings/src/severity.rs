//! Severities of findings and verdicts of files.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS-like score GitHub code scanning reads from `security-severity`.
    pub fn security_score(self) -> f32 {
        match self {
            Severity::Info => 0.0,
            Severity::Low => 2.0,
            Severity::Medium => 5.0,
            Severity::High => 8.0,
            Severity::Critical => 9.5,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected info, low, medium, high or critical)")
            })
    }
}

/// What aigis concludes about one file.
///
/// Precedence when findings disagree: `Malicious` > `Inconclusive` > `Unapproved` > `Clean`.
/// A file whose analysis did not finish is never `Clean`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Fully analysed; nothing outside the trusted profiles.
    Clean,
    /// Uses imports or constructs that are not known to be safe.
    Unapproved,
    /// Could not be analysed fully (truncated, over a limit, unsupported inside).
    Inconclusive,
    /// Holds a known-dangerous callable or construct.
    Malicious,
}

impl Verdict {
    fn rank(self) -> u8 {
        match self {
            Verdict::Clean => 0,
            Verdict::Unapproved => 1,
            Verdict::Inconclusive => 2,
            Verdict::Malicious => 3,
        }
    }

    /// The stronger of two verdicts.
    pub fn max(self, other: Verdict) -> Verdict {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Unapproved => "unapproved",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Malicious => "malicious",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_parses_case_insensitively_and_orders() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    }

    #[test]
    fn malicious_beats_inconclusive_beats_unapproved() {
        assert_eq!(
            Verdict::Unapproved.max(Verdict::Inconclusive),
            Verdict::Inconclusive
        );
        assert_eq!(
            Verdict::Malicious.max(Verdict::Inconclusive),
            Verdict::Malicious
        );
        assert_eq!(Verdict::Clean.max(Verdict::Clean), Verdict::Clean);
    }
}
