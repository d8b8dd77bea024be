//! Hand-built rules and reports shared by the snapshot and schema tests.
//!
//! The sample report has one of everything a renderer must handle: a
//! malicious pickle inside an archive member (offset and evidence), a bare
//! pickle whose evidence holds a terminal escape and two lines, an unapproved
//! import, an inconclusive file with and one without a finding, a clean file,
//! a code finding with line and column, a notebook cell, and paths with spaces
//! and non-ASCII characters.

#![allow(dead_code)] // each test binary uses a different part

use aigis_findings::{
    Domain, FileReport, Finding, Location, Report, Rule, RuleDocs, Severity, Summary, ToolInfo,
    Verdict, fingerprint,
};

pub const DANGEROUS_CALL: Rule = Rule {
    id: "AIG101",
    name: "pickle-dangerous-call",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "A pickle calls a function that can run code or touch the system.",
    docs: RuleDocs {
        what: "Flags pickle streams whose REDUCE, INST, OBJ or NEWOBJ opcodes call a \
               known-dangerous callable such as `os.system`, `subprocess.Popen` or `builtins.exec`.",
        why: "Unpickling runs these calls. Loading the model runs the attacker's command \
              with the permissions of the process that loads it.",
        example: "import os, pickle\n\nclass Evil:\n    def __reduce__(self):\n        return (os.system, ('echo pwned',))\n\npickle.dumps(Evil())\n",
        fix: "Do not load the file. Get the model from a trusted source, preferably as safetensors.",
        references: &[
            "https://docs.python.org/3/library/pickle.html",
            "CVE-2025-32434",
        ],
    },
};

pub const UNAPPROVED_IMPORT: Rule = Rule {
    id: "AIG102",
    name: "pickle-unapproved-import",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#1"],
    summary: "A pickle imports a callable that no trusted profile allows.",
    docs: RuleDocs {
        what: "Flags GLOBAL and STACK_GLOBAL imports outside the trusted profiles.",
        why: "An import that is not known to be safe may run code when the pickle is loaded.",
        example: "GLOBAL 'sklearn_extra.cluster' 'KMedoids'",
        fix: "Review the import; if it is safe, add it to a profile in aigis.toml.",
        references: &[],
    },
};

pub const INCOMPLETE: Rule = Rule {
    id: "AIG190",
    name: "model-analysis-incomplete",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Inconclusive,
    checklist: &["000#2"],
    summary: "A model file could not be analysed completely.",
    docs: RuleDocs {
        what: "Reports files that are truncated, over a limit or hold unsupported content.",
        why: "What was not analysed may hold anything; such a file is never reported clean.",
        example: "a zip member that ends before its declared size",
        fix: "Re-download the file, or raise the limit if the file is trusted and large.",
        references: &[],
    },
};

pub const UNSAFE_TORCH_LOAD: Rule = Rule {
    id: "AIG301",
    name: "unsafe-torch-load",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1"],
    summary: "`torch.load` without `weights_only=True`.",
    docs: RuleDocs {
        what: "Flags calls to `torch.load` that do not pass `weights_only=True`.",
        why: "Without it, `torch.load` unpickles arbitrary objects and runs their code.",
        example: "model = torch.load(path)",
        fix: "Pass `weights_only=True`, or store the weights as safetensors.",
        references: &["https://pytorch.org/docs/stable/generated/torch.load.html"],
    },
};

pub const NOTEBOOK_SECRET: Rule = Rule {
    id: "AIG601",
    name: "hardcoded-api-key",
    domain: Domain::Secrets,
    severity: Severity::Low,
    verdict: Verdict::Unapproved,
    checklist: &["000#6", "002#5"],
    summary: "An API key is written into code or a notebook.",
    docs: RuleDocs {
        what: "Finds API keys of known providers in code, notebooks and configuration.",
        why: "Committed keys leak with the repository and are rarely rotated.",
        example: "OPENAI_API_KEY = \"sk-...\"",
        fix: "Revoke the key, then read it from the environment or a vault.",
        references: &[],
    },
};

pub const RULES: [Rule; 5] = [
    DANGEROUS_CALL,
    UNAPPROVED_IMPORT,
    INCOMPLETE,
    UNSAFE_TORCH_LOAD,
    NOTEBOOK_SECRET,
];

pub fn tool() -> ToolInfo {
    ToolInfo {
        name: "aigis".into(),
        version: "0.1.0".into(),
    }
}

/// The sample report, built as the scanners build theirs.
pub fn sample_report() -> Report {
    let evil = "models/évil modèl.pt";
    let evil_member = Location::file(evil)
        .member("archive/data.pkl")
        .at_offset(0x2a);
    let evil_file = FileReport::new(
        evil,
        "pytorch-zip",
        vec![
            Finding::new(
                &DANGEROUS_CALL,
                evil_member.clone(),
                "the pickle calls posix.system",
                "posix.system",
            )
            .with_evidence("REDUCE at 0x2a calls posix.system('echo pwned')"),
            Finding::new(
                &UNAPPROVED_IMPORT,
                evil_member.at_offset(0x10),
                "the pickle imports __main__.Evil",
                "__main__.Evil",
            ),
        ],
    );

    let raw = "models/raw.pkl";
    let raw_file = FileReport::new(
        raw,
        "pickle",
        vec![
            Finding::new(
                &DANGEROUS_CALL,
                Location::file(raw).at_offset(0x30),
                "the pickle calls builtins.exec",
                "builtins.exec",
            )
            .with_evidence("GLOBAL 'builtins' 'exec' at 0x2\nREDUCE at 0x30 calls builtins.exec('print(\"\\x1b[2J\")')\u{1b}[2J"),
        ],
    );

    let sketchy = "models/sketchy.joblib";
    let sketchy_file = FileReport::new(
        sketchy,
        "joblib",
        vec![
            Finding::new(
                &UNAPPROVED_IMPORT,
                Location::file(sketchy).at_offset(0x1f3),
                "the pickle imports sklearn_extra.cluster.KMedoids",
                "sklearn_extra.cluster.KMedoids",
            )
            .with_evidence("STACK_GLOBAL at 0x1f3 imports sklearn_extra.cluster.KMedoids"),
        ],
    );

    let big = "models/big.pt";
    let big_file = FileReport::new(
        big,
        "pytorch-zip",
        vec![Finding::new(
            &INCOMPLETE,
            Location::file(big).member("archive/data.pkl"),
            "archive/data.pkl is truncated: 4096 of 10240 bytes",
            "truncated",
        )],
    );

    // A verdict set by the caller without a finding (e.g. an unknown format).
    let odd = FileReport {
        path: "data/odd.bin".into(),
        format: "unknown".into(),
        verdict: Verdict::Inconclusive,
        inconclusive_reason: Some("the format was not recognised".into()),
        findings: Vec::new(),
    };

    let clean = FileReport::new("models/clean.safetensors", "safetensors", Vec::new());

    let train = "src/train.py";
    let mut load = Location::file(train);
    load.line = Some(12);
    load.column = Some(9);
    let train_file = FileReport::new(
        train,
        "python",
        vec![
            Finding::new(
                &UNSAFE_TORCH_LOAD,
                load,
                "torch.load without weights_only=True",
                "torch.load(path)",
            )
            .with_evidence("model = torch.load(path)"),
        ],
    );

    let notebook = "notebooks/explore data.ipynb";
    let mut cell = Location::file(notebook);
    cell.cell = Some(3);
    cell.line = Some(2);
    cell.column = Some(5);
    let notebook_file = FileReport::new(
        notebook,
        "notebook",
        vec![
            Finding::new(
                &NOTEBOOK_SECRET,
                cell,
                "an OpenAI API key is hardcoded",
                "sk-proj-abc",
            )
            .with_evidence("OPENAI_API_KEY = \"sk-proj-abc…\" (redacted)"),
        ],
    );

    Report::new(
        tool(),
        vec![
            evil_file,
            raw_file,
            sketchy_file,
            big_file,
            odd,
            clean,
            train_file,
            notebook_file,
        ],
        2,
    )
}

/// A report with every optional member present and every list non-empty,
/// written as struct literals: adding a field to the data model breaks the
/// build here, and the new field must be given a non-default value so that
/// the schema test sees it.
pub fn maximal_report() -> Report {
    let location = Location {
        path: "a/b c.pt".into(),
        members: vec!["archive/data.pkl".into(), "inner.pkl".into()],
        offset: Some(u64::MAX),
        line: Some(u32::MAX),
        column: Some(1),
        cell: Some(0),
    };
    let finding = Finding {
        rule_id: "AIG101".into(),
        rule_name: "pickle-dangerous-call".into(),
        severity: Severity::Critical,
        verdict: Verdict::Malicious,
        checklist: vec!["000#1".into(), "002#5".into()],
        message: "message".into(),
        fingerprint: fingerprint("AIG101", &location, "posix.system"),
        location,
        evidence: Some("evidence".into()),
    };
    let file = FileReport {
        path: "a/b c.pt".into(),
        format: "pytorch-zip".into(),
        verdict: Verdict::Malicious,
        inconclusive_reason: Some("reason".into()),
        findings: vec![finding],
    };
    let summary = Summary {
        files_scanned: 1,
        verdicts: VERDICTS.iter().map(|v| (v.to_string(), 1)).collect(),
        severities: Severity::ALL.iter().map(|s| (s.to_string(), 1)).collect(),
        suppressed: 7,
    };
    Report {
        tool: tool(),
        files: vec![file],
        summary,
    }
}

/// Every verdict (the findings crate has no `Verdict::ALL`).
pub const VERDICTS: [Verdict; 4] = [
    Verdict::Clean,
    Verdict::Unapproved,
    Verdict::Inconclusive,
    Verdict::Malicious,
];

/// An empty report: nothing scanned.
pub fn empty_report() -> Report {
    Report::new(tool(), Vec::new(), 0)
}
