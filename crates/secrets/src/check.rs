//! `aigis rules check`: every rule's examples are found as that rule's
//! secret and nothing else, and its negative examples are found by no rule.
//!
//! Examples are scanned with the kind of their rule only (a database URL
//! example may contain an IP address, which is personal data).

use crate::registry::registry;
use crate::{Kinds, SecretScanner};

/// Problems with the builtin rules; empty means every example behaves.
pub fn check_rules() -> Vec<String> {
    let reg = match registry() {
        Ok(r) => r,
        Err(e) => return vec![e.to_string()],
    };
    let scanner = match SecretScanner::new() {
        Ok(s) => s,
        Err(e) => return vec![e.to_string()],
    };
    let mut problems = Vec::new();
    for spec in &reg.specs {
        let kinds = Kinds {
            secrets: !spec.personal,
            personal_data: spec.personal,
        };
        for (n, example) in spec.examples.iter().enumerate() {
            let text = example.text();
            let found = scanner.scan(text.as_bytes(), kinds);
            if !found.iter().any(|m| m.rule.id == spec.id) {
                problems.push(format!(
                    "{} ({}): example {n} is not found",
                    spec.id, spec.name
                ));
            }
            for m in found.iter().filter(|m| m.rule.id != spec.id) {
                problems.push(format!(
                    "{} ({}): example {n} is also found as {} ({})",
                    spec.id, spec.name, m.rule.id, m.rule.name
                ));
            }
        }
        for (n, example) in spec.negative_examples.iter().enumerate() {
            let text = example.text();
            for m in scanner.scan(text.as_bytes(), kinds) {
                problems.push(format!(
                    "{} ({}): negative example {n} is found as {} ({}) {}",
                    spec.id, spec.name, m.rule.id, m.rule.name, m.redacted
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_example_behaves() {
        let problems = super::check_rules();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
