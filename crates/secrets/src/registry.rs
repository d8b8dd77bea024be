//! The process-wide table of builtin rules: the parsed specs and the
//! [`Rule`] descriptors made from them, built once.
//!
//! The strings of the descriptors are leaked once per process (they live as
//! long as the program, like the other scanners' `static` rules).

use crate::SecretsError;
use crate::spec::{self, RuleSpec};
use aigis_findings::{Domain, Rule, RuleDocs, Verdict};
use std::sync::OnceLock;

/// Secret findings make a file `unapproved`: a real problem to fix, but not
/// `malicious` (nothing executes) and not `inconclusive` (analysis finished).
const VERDICT: Verdict = Verdict::Unapproved;
/// Example runs longer than this are masked in the docs.
const DOC_MASK_RUN: usize = 12;

pub(crate) struct Registry {
    pub specs: Vec<RuleSpec>,
    pub rules: Vec<Rule>,
}

static REGISTRY: OnceLock<Option<Registry>> = OnceLock::new();

/// The builtin rules, or why the embedded data is broken.
pub(crate) fn registry() -> Result<&'static Registry, SecretsError> {
    let built = REGISTRY.get_or_init(|| spec::load().ok().map(build));
    match built {
        Some(r) => Ok(r),
        // Parse again to say why: only reached when the embedded data is broken.
        None => Err(spec::load().err().unwrap_or_else(|| SecretsError::Invalid {
            id: "-".into(),
            problem: "rules failed to load".into(),
        })),
    }
}

/// One [`Rule`] per builtin data rule (domain `secrets`, verdict
/// `unapproved`), sorted by id. Empty only if the embedded data is broken,
/// which [`crate::check_rules`] reports.
pub fn rules() -> &'static [Rule] {
    registry().map(|r| r.rules.as_slice()).unwrap_or(&[])
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_all(items: &[String]) -> &'static [&'static str] {
    let v: Vec<&'static str> = items.iter().map(|s| leak(s)).collect();
    Box::leak(v.into_boxed_slice())
}

fn build(specs: Vec<RuleSpec>) -> Registry {
    let rules = specs.iter().map(descriptor).collect();
    Registry { specs, rules }
}

fn descriptor(s: &RuleSpec) -> Rule {
    let example = s
        .examples
        .first()
        .map(|e| mask(&e.text()))
        .unwrap_or_default();
    Rule {
        id: leak(&s.id),
        name: leak(&s.name),
        domain: Domain::Secrets,
        severity: s.severity,
        verdict: VERDICT,
        checklist: leak_all(&s.checklist),
        summary: leak(&s.title),
        docs: RuleDocs {
            what: leak(s.what.trim()),
            why: leak(s.why.trim()),
            example: leak(&example),
            fix: leak(s.fix.trim()),
            references: leak_all(&s.references),
        },
    }
}

/// The example with every long token-like run cut to its first 4 characters,
/// so that the docs (and SARIF descriptors) never carry a whole token.
fn mask(text: &str) -> String {
    let token = |c: char| c.is_ascii_alphanumeric() || "_-+/=.".contains(c);
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() > DOC_MASK_RUN {
            out.extend(run.chars().take(4));
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if token(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sorted_unique_and_documented() {
        let rules = rules();
        assert!(rules.len() >= 40, "{} rules", rules.len());
        for pair in rules.windows(2) {
            assert!(pair[0].id < pair[1].id);
        }
        for r in rules {
            assert_eq!(r.domain, Domain::Secrets);
            assert!(!r.docs.what.is_empty() && !r.docs.why.is_empty() && !r.docs.fix.is_empty());
            assert!(!r.checklist.is_empty());
        }
        let mut names: Vec<_> = rules.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), rules.len(), "names are unique");
    }

    #[test]
    fn docs_examples_are_masked() {
        assert_eq!(
            mask("token = \"ghp_abcdefghijklmnopqrstu\""),
            "token = \"ghp_…\""
        );
        assert_eq!(mask("short ok"), "short ok");
    }
}
