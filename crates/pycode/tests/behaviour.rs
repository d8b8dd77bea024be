//! Name resolution, argument judgement, suppression and the finding shape.

use aigis_pycode::{analyze, analyze_prefiltered, analyze_shell};

/// The rules that fire, through the full analysis and through the prefilter
/// (which must agree: it may only skip sources on which nothing fires).
fn ids(src: &str) -> Vec<&'static str> {
    let full: Vec<_> = analyze(src).findings.iter().map(|f| f.rule.id).collect();
    let quick: Vec<_> = analyze_prefiltered(src)
        .findings
        .iter()
        .map(|f| f.rule.id)
        .collect();
    assert_eq!(full, quick, "the prefilter skipped a source with findings");
    full
}

#[test]
fn aliases_and_from_imports_resolve_to_the_real_callee() {
    assert_eq!(
        ids("import torch as t\nt.load('m', weights_only=False)\n"),
        ["AIG204"]
    );
    assert_eq!(ids("from pickle import loads as l\nl(b)\n"), ["AIG200"]);
    assert_eq!(
        ids("import numpy as np\nnp.load('x', allow_pickle=True)\n"),
        ["AIG203"]
    );
    // A local function named like a dangerous one is not the dangerous one.
    assert!(ids("def load(p):\n    return p\nload('x')\n").is_empty());
    // `load` from json is safe even though pickle is imported too.
    assert!(ids("import pickle\nfrom json import load\nload(f)\n").is_empty());
}

#[test]
fn literal_variables_in_scope_are_followed() {
    assert_eq!(
        ids("import torch\nWO = False\ntorch.load('x', weights_only=WO)\n"),
        ["AIG204"]
    );
    assert!(ids("import torch\nWO = True\ntorch.load('x', weights_only=WO)\n").is_empty());
    assert!(ids("import numpy as np\nap = False\nnp.load('x', allow_pickle=ap)\n").is_empty());
}

#[test]
fn kwargs_splat_lowers_torch_load_and_says_so() {
    let a = analyze("import torch\ndef f(p, **kw):\n    return torch.load(p, **kw)\n");
    let f = a.findings.first().expect("one finding");
    assert_eq!(f.rule.id, "AIG205");
    assert!(f.message.contains("**kwargs"), "{}", f.message);
    assert!(f.message.contains("2.6"), "{}", f.message);
}

#[test]
fn suppression_needs_a_reason_and_matches_id_name_or_star() {
    let base = "import torch\n";
    let line = "torch.load('x', weights_only=False)";
    assert!(
        ids(&format!(
            "{base}{line}  # aigis: ignore[AIG204] our own checkpoint\n"
        ))
        .is_empty()
    );
    assert!(
        ids(&format!(
            "{base}# aigis: ignore[torch-load-weights-only-false] vetted\n{line}\n"
        ))
        .is_empty()
    );
    assert!(ids(&format!("{base}{line}  # aigis: ignore[*] vetted\n")).is_empty());
    assert_eq!(
        ids(&format!("{base}{line}  # aigis: ignore[AIG204]\n")),
        ["AIG204"]
    );
    assert_eq!(
        ids(&format!(
            "{base}{line}  # aigis: ignore[AIG200] wrong rule\n"
        )),
        ["AIG204"]
    );
    assert!(
        analyze_shell(
            "curl -s https://x | sh  # aigis: ignore[AIG233] pinned mirror",
            1
        )
        .is_empty()
    );
    assert_eq!(analyze_shell("curl -s https://x | sh", 1).len(), 1);
}

#[test]
fn findings_carry_position_evidence_and_a_line_free_key() {
    let src =
        "import torch\n\n\nx = [1,\n   torch.load(\n      'm.pt',\n      weights_only=False)]\n";
    let a = analyze(src);
    let f = a.findings.first().expect("finding");
    assert_eq!((f.line, f.column, f.end_line), (5, 4, 7));
    assert_eq!(f.evidence, "torch.load( 'm.pt', weights_only=False)");
    assert_eq!(f.key, "torch.load(weights_only=False)");
    let moved = analyze(&format!("\n\n{src}"));
    assert_eq!(
        moved.findings.first().map(|f| f.key.as_str()),
        Some(f.key.as_str())
    );
}

#[test]
fn instances_are_tracked_through_assignment_and_with() {
    assert_eq!(
        ids("import flask\napp = flask.Flask(__name__)\napp.run(debug=True)\n"),
        ["AIG225"]
    );
    assert_eq!(
        ids("import tarfile\nwith tarfile.open(p) as t:\n    t.extractall()\n"),
        ["AIG222"]
    );
    // A tar filter passed as a function is a check, not a finding.
    assert!(ids("import tarfile\nwith tarfile.open(p) as t:\n    t.extractall(filter=tarfile.data_filter)\n").is_empty());
}

#[test]
fn parameters_taint_only_inside_their_function() {
    let src = "import tensorflow as tf\ndef f(path):\n    return tf.io.read_file(path)\npath = 'fixed'\ntf.io.read_file(path)\n";
    let a = analyze(src);
    let lines: Vec<_> = a.findings.iter().map(|f| (f.rule.id, f.line)).collect();
    assert_eq!(lines, [("AIG211", 3)]);
}

#[test]
fn shell_lines_report_the_command_column() {
    let f = analyze_shell("!pip install x && chmod 777 /srv", 12);
    let chmod = f.iter().find(|f| f.rule.id == "AIG236").expect("chmod");
    assert_eq!((chmod.line, chmod.column), (12, 19));
    assert_eq!(chmod.key, "chmod 777");
}

#[test]
fn text_tokens_are_not_secrets_but_auth_tokens_are() {
    assert!(
        ids("for token in tokens:\n    print(token)\nprint(max_tokens, token_ids)\n").is_empty()
    );
    assert_eq!(ids("print(hf_token)\n"), ["AIG230"]);
    assert_eq!(
        ids("import logging\nlogging.info('pw %s', db_password)\n"),
        ["AIG230"]
    );
}

#[test]
fn a_loop_variable_is_not_the_exception_it_shadows() {
    let src = "@app.get('/x')\ndef h():\n    try:\n        pass\n    except Exception as e:\n        pass\n    for e in items:\n        return e\n";
    assert!(ids(src).is_empty());
}
