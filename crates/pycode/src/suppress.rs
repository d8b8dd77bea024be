//! Inline suppression: `# aigis: ignore[AIG204] reason` or
//! `# aigis: ignore[torch-load-weights-only-false, AIG200] reason` on the
//! flagged line or the line above; `ignore[*] reason` covers every rule.
//! A suppression without a reason suppresses nothing: the reason is the
//! point, it is what a reviewer reads.

use aigis_findings::Rule;

const MARKER: &str = "# aigis: ignore[";

/// Whether `line_text` carries a suppression for `rule` with a reason.
pub(crate) fn suppresses(line_text: &str, rule: &Rule) -> bool {
    let mut rest = line_text;
    while let Some(at) = rest.find(MARKER) {
        let after = rest.get(at + MARKER.len()..).unwrap_or("");
        let Some(close) = after.find(']') else {
            return false;
        };
        let list = after.get(..close).unwrap_or("");
        let reason = after.get(close + 1..).unwrap_or("");
        let reason = reason.split(MARKER).next().unwrap_or("").trim();
        let names = list.split(',').map(str::trim);
        let listed = names
            .clone()
            .any(|n| n == "*" || n.eq_ignore_ascii_case(rule.id) || n == rule.name);
        if listed && !reason.is_empty() {
            return true;
        }
        rest = after.get(close..).unwrap_or("");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::torch_load_weights_only_false::RULE;

    #[test]
    fn needs_a_listed_rule_and_a_reason() {
        assert!(suppresses(
            "x  # aigis: ignore[AIG204] our own checkpoint",
            &RULE
        ));
        assert!(suppresses(
            "# aigis: ignore[torch-load-weights-only-false] trusted",
            &RULE
        ));
        assert!(suppresses("# aigis: ignore[AIG200, *] trusted", &RULE));
        assert!(!suppresses("x  # aigis: ignore[AIG204]", &RULE));
        assert!(!suppresses("x  # aigis: ignore[AIG204]   ", &RULE));
        assert!(!suppresses("x  # aigis: ignore[AIG200] other rule", &RULE));
        assert!(!suppresses("x  # aigis: ignore[AIG204 no close", &RULE));
    }
}
