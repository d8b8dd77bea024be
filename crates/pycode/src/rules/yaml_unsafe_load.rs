//! AIG207: PyYAML loads with a loader that builds arbitrary objects.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG207",
    name: "yaml-unsafe-load",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "PyYAML loads with a loader that builds arbitrary objects",
    docs: RuleDocs {
        what: "Fires on `yaml.unsafe_load`, `yaml.full_load` (and their `_all` forms) and on `yaml.load`/`yaml.load_all` without a safe loader. `yaml.safe_load` and `Loader=yaml.SafeLoader`, `CSafeLoader`, `BaseLoader` or `CBaseLoader` are safe and never reported.",
        why: "The unsafe and full loaders construct Python objects named by tags such as `!!python/object/apply:os.system`; old PyYAML (< 5.1) did so in a bare `yaml.load`. Config files and model cards are common carriers.",
        example: "import yaml\ncfg = yaml.load(open('config.yaml'), Loader=yaml.Loader)",
        fix: "Use `yaml.safe_load` (or `Loader=yaml.SafeLoader`).",
        references: &[
            "https://pyyaml.org/wiki/PyYAMLDocumentation",
            "https://nvd.nist.gov/vuln/detail/CVE-2020-14343",
        ],
    },
};
