//! Hostile and broken input: limits refuse it as a parse problem, recovery
//! keeps findings, nothing panics or overflows the stack.

use aigis_pycode::{
    MAX_BRACKET_DEPTH, MAX_CHAIN_LINKS, MAX_INDENT_DEPTH, MAX_SOURCE_BYTES, analyze,
};

#[test]
fn too_large_is_a_parse_problem_not_a_scan() {
    let big = "x = 1\n".repeat(MAX_SOURCE_BYTES / 6 + 1);
    let a = analyze(&big);
    assert!(a.findings.is_empty());
    let p = a.parse_error.expect("refused");
    assert!(p.message.contains("too large"), "{p}");
}

#[test]
fn deep_brackets_are_refused_before_parsing() {
    for open in ["(", "[", "{"] {
        let src = format!("x = {}", open.repeat(100_000));
        let p = analyze(&src).parse_error.expect("refused");
        assert!(p.message.contains("nested too deeply"), "{p}");
    }
    let ok = format!(
        "x = {}1{}",
        "(".repeat(MAX_BRACKET_DEPTH),
        ")".repeat(MAX_BRACKET_DEPTH)
    );
    assert!(analyze(&ok).parse_error.is_none());
}

#[test]
fn long_operator_and_attribute_chains_are_refused_or_walked_safely() {
    let chains = [
        format!("x = 1{}", "+1".repeat(1_000_000)),
        format!("x = a{}", ".b".repeat(1_000_000)),
        format!("x = {}x", "not ".repeat(1_000_000)),
        format!("x = {}x", "-".repeat(1_000_000)),
        format!("x = {}1", "lambda:".repeat(1_000_000)),
        format!("x = f{}", "()".repeat(1_000_000)),
        format!("x = a{}", "[0]".repeat(1_000_000)),
    ];
    for src in &chains {
        let a = analyze(src);
        assert!(a.parse_error.is_some(), "{}", &src[..20]);
    }
    // Just under the limit: parsed, walked and dropped on a test thread's stack.
    let near = format!(
        "import os\nos.system(a{})\n",
        "+a".repeat(MAX_CHAIN_LINKS / 2 - 10)
    );
    let a = analyze(&near);
    assert!(a.parse_error.is_none(), "{:?}", a.parse_error);
    assert_eq!(a.findings.len(), 1);
}

#[test]
fn syntax_errors_keep_the_findings_of_what_parsed() {
    let src = "import pickle\nobj = pickle.loads(data)\ndef broken(:\n    pass\nimport torch\ntorch.load('x', weights_only=False)\n";
    let a = analyze(src);
    let p = a.parse_error.expect("syntax error reported");
    assert_eq!(p.line, 3);
    let ids: Vec<_> = a.findings.iter().map(|f| f.rule.id).collect();
    assert!(ids.contains(&"AIG200"), "{ids:?}");
    assert!(ids.contains(&"AIG204"), "{ids:?}");
}

#[test]
fn odd_text_never_panics() {
    for src in [
        "",
        "\n",
        "\u{feff}x=1",
        "é = eval(ç)",
        "\0",
        "f'{",
        "'''",
        "\\",
        "def f(*, **k): return k",
        "match x:\n case {**r}: pass",
    ] {
        let _ = analyze(src);
    }
}

#[test]
fn deeply_indented_blocks_do_not_overflow() {
    let mut src = String::new();
    for depth in 0..3_500 {
        src.push_str(&"\t".repeat(depth));
        src.push_str("if x:\n");
    }
    src.push_str(&"\t".repeat(3_500));
    src.push_str("eval(y)\n");
    assert!(src.len() < MAX_SOURCE_BYTES);
    let p = analyze(&src).parse_error.expect("refused");
    assert!(p.message.contains("indentation"), "{p}");
    let ok: String = (0..MAX_INDENT_DEPTH)
        .map(|d| format!("{}if x:\n", " ".repeat(d)))
        .collect();
    let ok = format!("{ok}{}eval(y)\n", " ".repeat(MAX_INDENT_DEPTH));
    let a = analyze(&ok);
    assert!(a.parse_error.is_none(), "{:?}", a.parse_error);
}
