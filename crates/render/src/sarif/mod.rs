//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! One run; the driver lists every rule passed in (not only those that fired,
//! so that code scanning knows the full rule set); one result per finding, in
//! report order. The output is deterministic: no timestamps, no absolute
//! paths that the report does not hold, no GUIDs.
//!
//! Where a finding is, SARIF can only say partly. GitHub shows a result only
//! when its region has a `startLine`, so every result gets one: the finding's
//! line for text files, else line 1. A byte offset into the file itself is
//! kept as `byteOffset`. Notebook findings carry the line of the raw
//! `.ipynb` (what code viewers show), so they get their region; the cell is
//! said in the message and the property `aigis/cell`. A location inside an
//! archive member cannot be expressed as a region of the file (the offset is
//! relative to the member), so those results point at line 1 of the file and
//! carry the full location (`Location::display`) in the message, and the
//! members in the property `aigis/members`.

mod model;
mod uri;

use crate::json::to_pretty_json;
use crate::rules::{Flavor, docs};
use aigis_findings::{FileReport, Finding, Report, Rule, Severity, Verdict};
use model::{
    ArtifactLocation, Invocation, Location, Log, Message, MultiformatMessage, Notification,
    PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor, ResultProperties,
    RuleProperties, Run, SarifResult, Tool, ToolComponent,
};
use std::collections::{BTreeMap, HashMap};

/// The schema this output conforms to: the OASIS SARIF 2.1.0 schema (errata 01).
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Key of the finding's content fingerprint in `partialFingerprints`. Bump the
/// version if `aigis_findings::fingerprint` ever changes what it hashes.
const FINGERPRINT_KEY: &str = "aigis/v1";

/// The report as a SARIF 2.1.0 log, pretty-printed, followed by a newline.
/// `rules` become the driver's rule descriptors; results point into it by
/// `ruleIndex` (omitted for a finding whose rule is not in `rules`).
/// A rule id given twice is described once.
pub fn render_sarif(report: &Report, rules: &[Rule]) -> String {
    // Rule ids are unique in the registry; should one repeat, the first wins,
    // as SARIF wants `rules` to be a set.
    let mut index = HashMap::new();
    let mut unique = Vec::new();
    for rule in rules {
        if !index.contains_key(rule.id) {
            index.insert(rule.id, unique.len());
            unique.push(rule);
        }
    }
    let results = report
        .findings()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied()))
        .collect();
    let notifications = report
        .files
        .iter()
        .filter(|f| f.verdict == Verdict::Inconclusive)
        .map(inconclusive_notification)
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: ToolComponent {
                    name: report.tool.name.clone(),
                    version: report.tool.version.clone(),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: unique.into_iter().map(descriptor).collect(),
                },
            },
            // The scan ran to the end (a report exists); files it could not
            // fully analyse are reported as notifications, not as a failed run.
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    let mut out = to_pretty_json(&log);
    out.push('\n');
    out
}

/// SARIF level: what fails a check on GitHub is `error`.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `precision` (how often a result is a true positive), derived from
/// the verdict a rule gives until rules declare it themselves: a malicious
/// verdict names a known-dangerous construct; an inconclusive one is a fact
/// about the analysis; an unapproved one is "not known to be safe".
fn precision(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Malicious => "very-high",
        Verdict::Inconclusive => "high",
        Verdict::Unapproved => "medium",
        Verdict::Clean => "low",
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let mut tags = vec![rule.domain.as_str().to_string(), "security".to_string()];
    for item in rule.checklist {
        // SARIF tags are a set: no duplicates.
        if !tags.iter().any(|t| t == item) {
            tags.push((*item).to_string());
        }
    }
    ReportingDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: MultiformatMessage {
            text: rule.summary.trim().to_string(),
            markdown: None,
        },
        full_description: MultiformatMessage {
            text: rule.docs.what.trim().to_string(),
            markdown: None,
        },
        help: MultiformatMessage {
            text: docs(rule, Flavor::Text),
            markdown: Some(docs(rule, Flavor::Markdown)),
        },
        default_configuration: ReportingConfiguration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: format!("{:.1}", rule.severity.security_score()),
            precision: precision(rule.verdict),
        },
    }
}

fn result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let loc = &f.location;
    let nested = !loc.members.is_empty();
    let mut text = f.message.clone();
    if nested || loc.cell.is_some() || loc.offset.is_some() {
        // GitHub shows neither members, cells nor byte offsets: say them.
        text.push_str(&format!("\nLocation: {}", loc.display()));
    }
    if let Some(evidence) = &f.evidence {
        text.push_str(&format!("\nEvidence: {evidence}"));
    }
    let region = if nested {
        Region {
            start_line: 1,
            start_column: None,
            byte_offset: None,
        }
    } else {
        Region {
            start_line: loc.line.unwrap_or(1),
            start_column: loc.line.and(loc.column),
            byte_offset: loc.offset,
        }
    };
    SarifResult {
        rule_id: f.rule_id.clone(),
        rule_index,
        level: level(f.severity),
        message: Message { text },
        locations: vec![location(&loc.path, Some(region))],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            verdict: f.verdict.as_str(),
            checklist: f.checklist.clone(),
            members: loc.members.clone(),
            cell: loc.cell,
        },
    }
}

fn inconclusive_notification(file: &FileReport) -> Notification {
    let reason = file
        .inconclusive_reason
        .as_deref()
        .unwrap_or("no reason recorded");
    Notification {
        level: "warning",
        message: Message {
            text: format!("{} could not be fully analysed: {reason}", file.path),
        },
        // The whole file: no region.
        locations: vec![location(&file.path, None)],
    }
}

fn location(path: &str, region: Option<Region>) -> Location {
    let (uri, uri_base_id) = uri::artifact_uri(path);
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri, uri_base_id },
            region,
        },
    }
}
