//! `render_sarif` output against the official SARIF 2.1.0 schema, plus the
//! parts of GitHub code scanning's requirements that the schema leaves open.
//!
//! `tests/data/sarif-schema-2.1.0.json` is the OASIS schema (errata 01, JSON
//! Schema draft-04) as published in the OASIS TC repository
//! `oasis-tcs/sarif-spec`, file `Schemata/sarif-schema-2.1.0.json` (commit
//! 0a8091f7d4057e57b6d8d9b56129e5f918747b34), unmodified. Its SHA-256 is
//! checked below so that nobody edits it to make a test pass.

mod common;

use aigis_render::render_sarif;
use common::{RULES, UNSAFE_TORCH_LOAD, empty_report, maximal_report, sample_report};
use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SCHEMA: &str = include_str!("data/sarif-schema-2.1.0.json");

fn validator() -> Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the SARIF schema is JSON");
    // The official schema is draft-04 (`"id"`, `"$schema": draft-04`).
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn rendered(report: &aigis_findings::Report, rules: &[aigis_findings::Rule]) -> Value {
    serde_json::from_str(&render_sarif(report, rules)).expect("render_sarif emits JSON")
}

#[test]
fn the_vendored_schema_is_the_official_file() {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(SCHEMA.as_bytes());
    let mut hex = String::new();
    for b in digest {
        write!(hex, "{b:02x}").unwrap();
    }
    assert_eq!(
        hex,
        "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
    );
    assert_eq!(SCHEMA.len(), 112_768);
}

#[test]
fn sarif_conforms_to_the_official_schema() {
    let v = validator();
    let cases = [
        rendered(&sample_report(), &RULES),
        rendered(&maximal_report(), &RULES),
        // A finding whose rule is not passed in: no ruleIndex, still valid.
        rendered(&sample_report(), &[UNSAFE_TORCH_LOAD]),
        rendered(&empty_report(), &[]),
        // A rule given twice is described once (SARIF rules are a set).
        rendered(&sample_report(), &[RULES[0], RULES[0], RULES[1]]),
    ];
    for doc in &cases {
        assert_eq!(errors(&v, doc), Vec::<String>::new());
    }
}

#[test]
fn sarif_meets_github_code_scanning_requirements() {
    let doc = rendered(&sample_report(), &RULES);
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(run["tool"]["driver"]["name"], "aigis");
    assert_eq!(rules.len(), RULES.len(), "every rule is described");

    for rule in rules {
        let score = rule["properties"]["security-severity"].as_str().unwrap();
        let score: f64 = score.parse().unwrap();
        assert!((0.0..=10.0).contains(&score));
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&json!("security")));
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## How to fix")
        );
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), sample_report().findings().count());
    let mut fingerprints = BTreeSet::new();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
        assert_eq!(r["locations"].as_array().unwrap().len(), 1);
        let physical = &r["locations"][0]["physicalLocation"];
        assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains([' ', '\\']), "{uri}");
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let fp = r["partialFingerprints"]["aigis/v1"].as_str().unwrap();
        assert!(
            fingerprints.insert(fp.to_string()),
            "fingerprints are distinct"
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
    }
}

#[test]
fn the_validator_rejects_broken_sarif() {
    let v = validator();
    let good = rendered(&sample_report(), &RULES);

    let mut bad_version = good.clone();
    bad_version["version"] = json!("2.0.0");
    let mut no_message = good.clone();
    no_message["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let mut line_zero = good.clone();
    line_zero["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = json!("critical");
    let mut unknown_member = good.clone();
    unknown_member["runs"][0]["results"][0]["severity"] = json!("high");
    let mut duplicate_tags = good.clone();
    duplicate_tags["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"] =
        json!(["security", "security"]);
    let mut bad_information_uri = good.clone();
    bad_information_uri["runs"][0]["tool"]["driver"]["informationUri"] = json!("not a uri");
    let mut empty_region = good.clone();
    empty_region["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] =
        json!({ "startColumn": 3 });

    for (what, doc) in [
        ("SARIF 2.0.0", bad_version),
        ("a result without message", no_message),
        ("startLine 0", line_zero),
        ("level 'critical'", bad_level),
        ("an unknown result member", unknown_member),
        ("duplicate tags", duplicate_tags),
        ("a region without start", empty_region),
        ("an informationUri that is no URI", bad_information_uri),
    ] {
        assert!(!v.is_valid(&doc), "accepted {what}");
    }
}

/// Draft-04 has no `uri-reference` format, so the SARIF schema's
/// `"format": "uri-reference"` on artifact URIs is not checked by the draft-04
/// validator; check it with the draft-07 definition instead.
#[test]
fn artifact_uris_are_valid_uri_references() {
    let uri_reference = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&json!({ "type": "string", "format": "uri-reference" }))
        .unwrap();
    assert!(!uri_reference.is_valid(&json!("models/evil model.pkl")));
    assert!(!uri_reference.is_valid(&json!("models/100%.pkl")));

    let doc = rendered(&sample_report(), &RULES);
    let mut uris = Vec::new();
    collect_uris(&doc, &mut uris);
    assert!(uris.len() >= 8, "{uris:?}");
    for uri in uris {
        assert!(uri_reference.is_valid(&uri), "{uri}");
    }
}

fn collect_uris(doc: &Value, out: &mut Vec<Value>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "artifactLocation" {
                    out.push(value["uri"].clone());
                }
                collect_uris(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_uris(i, out)),
        _ => {}
    }
}
