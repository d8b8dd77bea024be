//! AIG142: a chat template that hides or computes what it accesses.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG142",
    name: "chat-template-suspicious-access",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "000#9", "002#5"],
    summary: "Chat template computes attribute or item names, reads private attributes or loads other templates",
    docs: RuleDocs {
        what: "Fires when a chat template uses the `attr` filter with a computed name, \
               subscripts with a name built from a string literal by filters or operators \
               (`x['__ssalc__'|reverse]`), accesses a private (`_`-prefixed) attribute or \
               item, spells a string with an escape aigis does not decode (`\\N{...}`), or \
               loads other templates with `import`, `from`, `include` or `extends`.",
        why: "These are how sandbox-escape payloads hide the names that give them away \
              (`x|attr('__cla' ~ 'ss__')` is decoded, `x|attr(name)` cannot be) and how a \
              template reaches files outside the model. Chat templates that only format \
              messages never need them.",
        example: "x|attr(('%c%c' | format(95, 95)) ~ 'class' ~ ('%c%c' | format(95, 95)))",
        fix: "Read the template. If it is not needed, replace it with a known-good template \
              for the architecture; render templates only in Jinja's sandbox.",
        references: &["https://jinja.palletsprojects.com/en/stable/sandbox/"],
    },
};
