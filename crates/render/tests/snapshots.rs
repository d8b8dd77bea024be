//! Snapshots of every format on the sample report and rules.
//!
//! Review a changed snapshot before accepting it: these files are the
//! user-visible output. `INSTA_UPDATE=always cargo test -p aigis-render`
//! rewrites them; `git diff` shows what changed.

mod common;

use aigis_render::{
    TextOptions, render_json, render_rule, render_rule_json, render_rules_json, render_rules_table,
    render_sarif, render_text,
};
use common::{DANGEROUS_CALL, RULES, UNAPPROVED_IMPORT, empty_report, sample_report};
use insta::assert_snapshot;

const PLAIN: TextOptions = TextOptions {
    color: false,
    show_clean: false,
};

#[test]
fn text() {
    assert_snapshot!(render_text(&sample_report(), &PLAIN));
}

#[test]
fn text_show_clean() {
    let opts = TextOptions {
        show_clean: true,
        ..PLAIN
    };
    assert_snapshot!(render_text(&sample_report(), &opts));
}

#[test]
fn text_color() {
    let opts = TextOptions {
        color: true,
        ..PLAIN
    };
    let out = render_text(&sample_report(), &opts);
    // Escape codes made visible, so that the snapshot can be read.
    assert_snapshot!(out.replace('\u{1b}', "␛"));
}

#[test]
fn text_empty() {
    assert_snapshot!(render_text(&empty_report(), &PLAIN), @"0 files scanned; 0 findings; 0 suppressed");
}

#[test]
fn json() {
    assert_snapshot!(render_json(&sample_report()));
}

#[test]
fn sarif() {
    assert_snapshot!(render_sarif(&sample_report(), &RULES));
}

#[test]
fn sarif_empty() {
    assert_snapshot!(render_sarif(&empty_report(), &[]));
}

#[test]
fn rule() {
    assert_snapshot!(render_rule(&DANGEROUS_CALL));
}

#[test]
fn rule_without_references() {
    assert_snapshot!(render_rule(&UNAPPROVED_IMPORT));
}

#[test]
fn rules_table() {
    assert_snapshot!(render_rules_table(&RULES));
}

#[test]
fn rule_json() {
    assert_snapshot!(render_rule_json(&DANGEROUS_CALL));
}

#[test]
fn rules_json() {
    assert_snapshot!(render_rules_json(&RULES[..2]));
}
