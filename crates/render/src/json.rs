//! `--format json`: the serde form of [`Report`], pretty-printed, nothing else.
//!
//! The shape is published as `docs/schema/report.schema.json`; a test renders
//! sample reports and validates them against it, so the schema cannot drift
//! from the data model unnoticed.

use aigis_findings::Report;

/// The report as pretty-printed JSON, followed by a newline.
pub fn render_json(report: &Report) -> String {
    let mut out = to_pretty_json(report);
    out.push('\n');
    out
}

/// Pretty JSON of a value whose serialisation cannot fail. The aigis data model
/// has only string map keys and no floats, so `serde_json` has no error to
/// report; should that ever change, the output says so instead of panicking.
pub(crate) fn to_pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        let msg = serde_json::Value::String(format!("aigis could not serialise its output: {e}"));
        format!("{{\n  \"error\": {msg}\n}}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigis_findings::{Report, ToolInfo};

    #[test]
    fn round_trips_through_serde() {
        let tool = ToolInfo {
            name: "aigis".into(),
            version: "0.1.0".into(),
        };
        let report = Report::new(tool, Vec::new(), 3);
        let out = render_json(&report);
        assert!(out.ends_with("}\n"));
        let back: Report = serde_json::from_str(&out).unwrap();
        assert_eq!(back, report);
    }
}
