//! `render_json` output against the published schema, `docs/schema/report.schema.json`.
//!
//! The schema rejects unknown members, and [`common::maximal_report`] fills
//! every member of every type with struct literals. So a field added to the
//! data model either breaks the build of the tests or fails validation here,
//! until the schema describes it. Conversely, every property the schema
//! declares must show up in the maximal report, so that the schema cannot keep
//! members that the data model has dropped.

mod common;

use aigis_render::render_json;
use common::{empty_report, maximal_report, sample_report};
use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SCHEMA: &str = include_str!("../../../docs/schema/report.schema.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the report schema is JSON")
}

fn validator() -> Validator {
    let schema = schema();
    jsonschema::meta::validate(&schema).expect("the report schema is a valid 2020-12 schema");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the report schema compiles")
}

fn errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn rendered(report: &aigis_findings::Report) -> Value {
    serde_json::from_str(&render_json(report)).expect("render_json emits JSON")
}

#[test]
fn sample_reports_conform_to_the_schema() {
    let v = validator();
    for report in [sample_report(), maximal_report(), empty_report()] {
        let doc = rendered(&report);
        assert_eq!(errors(&v, &doc), Vec::<String>::new());
    }
}

#[test]
fn every_schema_property_appears_in_the_maximal_report() {
    let schema = schema();
    let mut declared = BTreeSet::new();
    collect_declared(&schema, "", &mut declared);
    let mut seen = BTreeSet::new();
    collect_seen(&rendered(&maximal_report()), &schema, &schema, &mut seen);
    let missing: Vec<_> = declared.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "schema properties the data model never emits: {missing:?}"
    );
}

/// `definition/property` for every property of every object in the schema.
fn collect_declared(node: &Value, name: &str, out: &mut BTreeSet<String>) {
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for key in props.keys() {
            out.insert(format!("{name}/{key}"));
        }
    }
    if let Some(defs) = node.get("$defs").and_then(Value::as_object) {
        for (def, sub) in defs {
            collect_declared(sub, def, out);
        }
    }
}

/// Walks a document alongside the schema and records which declared
/// properties it holds. Only follows `properties`, `items` and `$ref`: all
/// that the report schema uses for nesting.
fn collect_seen(doc: &Value, node: &Value, root: &Value, out: &mut BTreeSet<String>) {
    collect_seen_named(doc, node, root, "", out);
}

fn collect_seen_named(
    doc: &Value,
    node: &Value,
    root: &Value,
    name: &str,
    out: &mut BTreeSet<String>,
) {
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let def = target.trim_start_matches("#/$defs/");
        collect_seen_named(doc, &root["$defs"][def], root, def, out);
        return;
    }
    match doc {
        Value::Object(map) => {
            if let Some(props) = node.get("properties").and_then(Value::as_object) {
                for (key, value) in map {
                    if let Some(sub) = props.get(key) {
                        out.insert(format!("{name}/{key}"));
                        collect_seen_named(value, sub, root, "", out);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = node.get("items") {
                for item in items {
                    collect_seen_named(item, sub, root, "", out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn the_validator_rejects_broken_reports() {
    let v = validator();
    let good = rendered(&sample_report());

    let mut unknown_member = good.clone();
    unknown_member["files"][1]["findings"][0]["location"]["byte"] = json!(3);
    let mut bad_severity = good.clone();
    bad_severity["files"][1]["findings"][0]["severity"] = json!("severe");
    let mut bad_verdict = good.clone();
    bad_verdict["summary"]["verdicts"]["dangerous"] = json!(1);
    let mut missing = good.clone();
    missing["files"][1]["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("fingerprint");
    let mut null_option = good.clone();
    null_option["files"][1]["findings"][0]["evidence"] = Value::Null;
    let mut zero_line = good.clone();
    zero_line["files"][6]["findings"][0]["location"]["line"] = json!(0);
    let mut new_top_level = good.clone();
    new_top_level["generated_at"] = json!("2025-01-01T00:00:00Z");

    for (what, doc) in [
        ("an unknown location member", unknown_member),
        ("an unknown severity", bad_severity),
        ("an unknown verdict key", bad_verdict),
        ("a missing fingerprint", missing),
        ("null for an absent option", null_option),
        ("line 0", zero_line),
        ("an unknown top-level member", new_top_level),
        ("not an object", json!([])),
    ] {
        assert!(!v.is_valid(&doc), "accepted {what}");
    }
}
