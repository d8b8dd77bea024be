//! Rule metadata: what every scanner's rules declare about themselves.
//!
//! Rules live in the scanner crate, one file each; this type is what the
//! registry lists and what `aigis rule ID`, SARIF rule descriptors and the
//! docs are made from.

use crate::{Severity, Verdict};
use serde::Serialize;

/// The part of the product a rule belongs to (`aigis scan --only DOMAIN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Models,
    Code,
    Notebooks,
    Secrets,
    Deployment,
    Dependencies,
}

impl Domain {
    pub const ALL: [Domain; 6] = [
        Domain::Models,
        Domain::Code,
        Domain::Notebooks,
        Domain::Secrets,
        Domain::Deployment,
        Domain::Dependencies,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Models => "models",
            Domain::Code => "code",
            Domain::Notebooks => "notebooks",
            Domain::Secrets => "secrets",
            Domain::Deployment => "deployment",
            Domain::Dependencies => "dependencies",
        }
    }
}

/// The explanation of a rule, in the sections `aigis rule ID` prints.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleDocs {
    /// What it does: the pattern the rule detects.
    pub what: &'static str,
    /// Why is this bad?
    pub why: &'static str,
    /// An example of what triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// References (CVEs, write-ups, specs); may be empty.
    pub references: &'static [&'static str],
}

/// A rule: stable id, a kebab-case name that names the bad pattern, defaults.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Rule {
    /// Stable identifier, e.g. `AIG101`. Never reused.
    pub id: &'static str,
    /// Kebab-case name of the bad pattern, e.g. `pickle-dangerous-call`.
    pub name: &'static str,
    pub domain: Domain,
    /// Default severity; configuration may override it.
    pub severity: Severity,
    /// The verdict a file gets when this rule fires on it.
    pub verdict: Verdict,
    /// Checklist items served, e.g. `"000#1"` (seed 000, item 1).
    pub checklist: &'static [&'static str],
    /// One line for listings.
    pub summary: &'static str,
    pub docs: RuleDocs,
}
