//! The audit: read a dependency file, look each pinned version up in the
//! database (opened once, on the first dependency file), and turn the
//! results into [`Issue`]s. Without a usable database every dependency file
//! gets an inconclusive issue; the audit never reports "no vulnerabilities"
//! it did not check.

use crate::model::{Dependency, Parsed, Requirement};
use crate::osv::{Db, matching};
use crate::read::{self, Loader};
use crate::rules::{
    dependency_audit_inconclusive as inconclusive,
    dependency_range_admits_vulnerable as range_rule, unpinned_dependency as unpinned,
    unresolvable_dependency as unresolvable, vulnerable_dependency as vulnerable,
};
use aigis_findings::{Rule, Severity, Verdict};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default maximum database age.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// How to audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditOptions {
    /// The database directory; `None`: [`crate::osv::default_dir`].
    pub db_dir: Option<PathBuf>,
    /// Older databases make every dependency file inconclusive.
    pub max_age: Duration,
    /// Also check unpinned ranges against advisories (AIG601).
    pub check_ranges: bool,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            db_dir: None,
            max_age: DEFAULT_MAX_AGE,
            check_ranges: false,
        }
    }
}

/// One result of the audit, located in the audited file.
#[derive(Clone, Debug)]
pub struct Issue {
    pub rule: &'static Rule,
    /// 1-based line in the audited file (the `-r` line for included files).
    pub line: Option<u32>,
    pub message: String,
    /// What identifies this occurrence for the fingerprint.
    pub key: String,
    pub evidence: Option<String>,
    /// Overrides the rule's default severity.
    pub severity: Option<Severity>,
    /// Overrides the rule's verdict.
    pub verdict: Option<Verdict>,
}

impl Issue {
    fn new(rule: &'static Rule, line: Option<u32>, message: String, key: String) -> Self {
        Issue {
            rule,
            line,
            message,
            key,
            evidence: None,
            severity: None,
            verdict: None,
        }
    }
}

/// The database as the audit sees it.
#[derive(Debug)]
enum DbState {
    Ready { db: Db, stale: Option<String> },
    Missing(String),
}

/// Audits dependency files; the database is loaded on first use.
#[derive(Debug)]
pub struct Auditor {
    opts: AuditOptions,
    db: OnceLock<DbState>,
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `3d 4h`-style age.
pub fn human_age(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

impl Auditor {
    pub fn new(opts: AuditOptions) -> Self {
        Auditor {
            opts,
            db: OnceLock::new(),
        }
    }

    /// Whether `path` is named like a dependency file.
    pub fn is_dependency_file(path: &Path) -> bool {
        read::kind_of(path).is_some()
    }

    fn db(&self) -> &DbState {
        self.db.get_or_init(|| {
            let Some(dir) = self.opts.db_dir.clone().or_else(crate::osv::default_dir) else {
                return DbState::Missing("no database directory (set AIGIS_DB_DIR or HOME)".into());
            };
            match crate::osv::load(&dir) {
                Ok(Some(db)) => {
                    let age = db.age_secs(now_secs());
                    let stale = (age > self.opts.max_age.as_secs()).then(|| {
                        format!(
                            "the advisory database in {} is {} old (max-age {}); run `aigis db update`",
                            dir.display(),
                            human_age(age),
                            human_age(self.opts.max_age.as_secs())
                        )
                    });
                    DbState::Ready { db, stale }
                }
                Ok(None) => DbState::Missing(format!(
                    "no advisory database in {}; run `aigis db update` (or `aigis db update --from all.zip` offline)",
                    dir.display()
                )),
                Err(e) => DbState::Missing(format!("advisory database unreadable: {e}")),
            }
        })
    }

    /// Issues for `data`, the file at `path` shown as `shown`; `None` when it
    /// is not a dependency file or declares no dependencies.
    pub fn audit(
        &self,
        path: &Path,
        shown: &str,
        data: &[u8],
        loader: Loader<'_>,
    ) -> Option<Vec<Issue>> {
        let kind = read::kind_of(path)?;
        let parsed = read::read(kind, path, shown, data, loader);
        if parsed.deps.is_empty() && parsed.problems.is_empty() {
            return None;
        }
        Some(self.audit_parsed(&parsed, shown))
    }

    /// Issues for an already read file.
    pub fn audit_parsed(&self, parsed: &Parsed, shown: &str) -> Vec<Issue> {
        let mut out = Vec::new();
        for p in &parsed.problems {
            let at = if p.file == shown {
                String::new()
            } else {
                format!(" (in {})", p.file)
            };
            out.push(Issue::new(
                &inconclusive::RULE,
                p.line,
                format!("cannot read a dependency entry{at}: {}", p.message),
                format!("problem:{}:{}", p.file, p.message),
            ));
        }
        let db = match self.db() {
            DbState::Ready { db, stale } => {
                if let Some(s) = stale {
                    out.push(Issue::new(
                        &inconclusive::RULE,
                        None,
                        s.clone(),
                        "db:stale".into(),
                    ));
                }
                Some(db)
            }
            DbState::Missing(why) => {
                if !parsed.deps.is_empty() {
                    out.push(Issue::new(
                        &inconclusive::RULE,
                        None,
                        format!("{} dependencies not audited: {why}", parsed.deps.len()),
                        "db:missing".into(),
                    ));
                }
                None
            }
        };
        for dep in &parsed.deps {
            self.audit_dep(dep, parsed.kind, shown, db, &mut out);
        }
        out
    }

    fn audit_dep(
        &self,
        dep: &Dependency,
        kind: crate::FileKind,
        shown: &str,
        db: Option<&Db>,
        out: &mut Vec<Issue>,
    ) {
        let line = Some(dep.via.unwrap_or(dep.line));
        let at = if dep.file == shown {
            String::new()
        } else {
            format!(" (pinned in {}:{})", dep.file, dep.line)
        };
        let key = |what: &str| format!("{}:{}:{what}", dep.file, dep.name);
        // Conda names show their PyPI name too: `pytorch (torch)`.
        let written = if crate::name::normalize(&dep.written) == dep.name {
            dep.written.clone()
        } else {
            format!("{} ({})", dep.written, dep.name)
        };
        let dep = &Dependency {
            written,
            ..dep.clone()
        };
        match &dep.requirement {
            Requirement::Pinned(v) => {
                let Some(db) = db else { return };
                let Some(version) = crate::version::parse(v) else {
                    out.push(Issue::new(
                        &inconclusive::RULE,
                        line,
                        format!("{}=={v}{at}: not a PEP 440 version", dep.written),
                        key("version"),
                    ));
                    return;
                };
                let (groups, open) = matching::match_version(db, &dep.name, &version);
                for g in &groups {
                    out.push(vulnerable_issue(
                        dep,
                        v,
                        g,
                        line,
                        &at,
                        key(g.ids.first().map_or("", String::as_str)),
                    ));
                }
                for u in open {
                    out.push(Issue::new(
                        &inconclusive::RULE,
                        line,
                        format!(
                            "{}=={v}{at}: advisory {} cannot be evaluated: {}",
                            dep.written, u.advisory, u.reason
                        ),
                        key(&u.advisory),
                    ));
                }
            }
            Requirement::Range(spec) => {
                let shown_spec = if spec.is_empty() {
                    "any version".to_string()
                } else {
                    spec.clone()
                };
                let mut i = Issue::new(
                    &unpinned::RULE,
                    line,
                    format!("{} is not pinned ({shown_spec}){at}", dep.written),
                    key("unpinned"),
                );
                if kind == crate::FileKind::Pyproject {
                    i.severity = Some(Severity::Info);
                }
                i.evidence = Some(format!("{} {shown_spec}", dep.written));
                out.push(i);
                if self.opts.check_ranges
                    && let Some(db) = db
                    && let Ok(specs) = crate::version::parse_specifiers(spec)
                {
                    for g in matching::match_range(db, &dep.name, &specs) {
                        let mut issue = Issue::new(
                            &range_rule::RULE,
                            line,
                            format!(
                                "{} {shown_spec}{at} admits versions affected by {}{}",
                                dep.written,
                                g.ids.join(", "),
                                fixed_text(&g)
                            ),
                            key(g.ids.first().map_or("", String::as_str)),
                        );
                        issue.evidence = Some(g.summary().to_string());
                        out.push(issue);
                    }
                }
            }
            Requirement::Unresolvable(target) => {
                out.push(Issue::new(
                    &unresolvable::RULE,
                    line,
                    format!(
                        "{} comes from {}{at}: no release version to audit",
                        dep.written,
                        crate::read::clip(target)
                    ),
                    key("url"),
                ));
            }
            Requirement::Local(target) => {
                let mut i = Issue::new(
                    &unresolvable::RULE,
                    line,
                    format!(
                        "{} is a local path{at}: the project's own code, not audited",
                        crate::read::clip(target)
                    ),
                    key("local"),
                );
                i.severity = Some(Severity::Info);
                i.verdict = Some(Verdict::Clean);
                out.push(i);
            }
        }
    }
}

fn fixed_text(g: &matching::Group<'_>) -> String {
    if g.fixed.is_empty() {
        "; no fixed version".into()
    } else {
        format!("; fixed in {}", g.fixed.join(", "))
    }
}

fn vulnerable_issue(
    dep: &Dependency,
    v: &str,
    g: &matching::Group<'_>,
    line: Option<u32>,
    at: &str,
    key: String,
) -> Issue {
    let (severity, sev_text) = severity_of(g);
    let mut issue = Issue::new(
        &vulnerable::RULE,
        line,
        format!(
            "{}=={v}{at} is affected by {} ({sev_text}){}: {}",
            dep.written,
            g.ids.join(", "),
            fixed_text(g),
            crate::read::clip(g.summary())
        ),
        key,
    );
    issue.severity = Some(severity);
    issue.evidence = Some(format!("{} {v}", dep.name));
    issue
}

/// Severity from the CVSS v3 score, else the database label, else high.
fn severity_of(g: &matching::Group<'_>) -> (Severity, String) {
    let vectors = g.vectors().join(" ");
    if let Some(score) = g.score() {
        let sev = match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Info,
        };
        return (sev, format!("CVSS {score:.1} {vectors}"));
    }
    if let Some(label) = g.labels().first() {
        let sev = match label.to_ascii_uppercase().as_str() {
            "CRITICAL" => Severity::Critical,
            "HIGH" => Severity::High,
            "MODERATE" | "MEDIUM" => Severity::Medium,
            "LOW" => Severity::Low,
            _ => Severity::High,
        };
        let v = if vectors.is_empty() {
            String::new()
        } else {
            format!(", {vectors}")
        };
        return (sev, format!("severity {label}{v}"));
    }
    if !vectors.is_empty() {
        return (
            Severity::High,
            format!("{vectors}; no v3 score, taken as high"),
        );
    }
    (Severity::High, "no severity given; taken as high".into())
}

#[cfg(test)]
mod tests;

/// A maximum age as written in configuration: `7d`, `12h`, `30m`, `90s`
/// (a bare number is days).
pub fn parse_age(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i..).unwrap_or("").trim()),
        None => (s, "d"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not an age like 7d, 12h, 30m"))?;
    let mult = match unit {
        "d" => 86_400,
        "h" => 3600,
        "m" => 60,
        "s" => 1,
        _ => return Err(format!("'{s}': unknown unit '{unit}' (d, h, m or s)")),
    };
    n.checked_mul(mult)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("'{s}' is too large"))
}
