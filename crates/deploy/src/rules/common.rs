//! The rule shared by every format: the file could not be analysed fully.

use super::{Spec, rule};
use aigis_findings::{Rule, Severity, Verdict};

pub static CONFIG_INCONCLUSIVE: Rule = {
    let mut r = rule(Spec {
        id: "AIG400",
        name: "deploy-config-inconclusive",
        severity: Severity::Medium,
        checklist: &["000#11"],
        summary: "Deployment configuration could not be fully analysed (malformed, over a limit)",
        what: "Fires when a Dockerfile, compose file, Kubernetes manifest, nginx configuration or \
               daemon.json could not be read to the end: a syntax error, a size, depth, alias or \
               include limit, or an include that could not be resolved. The message says why.",
        why: "A configuration that was not read completely cannot be called safe: the part not \
              read may hold the privileged container or the open port.",
        example: "k8s/deploy.yaml:12: mapping values are not allowed in this context",
        fix: "Fix the syntax (render Helm charts before scanning), or make included files \
              available next to the configuration. Raise a limit only for a legitimate file.",
        references: &[],
    });
    r.verdict = Verdict::Inconclusive;
    r
};
