//! The pickle import policy: allowlist first.
//!
//! A global is safe only if it is on an exact `(module, qualname)` allowlist —
//! the built-in profiles under `data/pickle/allow/` or the user's
//! `trusted_globals`. The denylist (`data/pickle/deny.txt`) never makes anything
//! safe: it only names known gadgets so that they are reported as malicious
//! with the right severity. This module must not look at pickle bytes; it
//! judges names.

mod data;
mod names;

pub use data::{PROFILES, ParseError};
pub use names::candidates;

use std::collections::{HashMap, HashSet};

/// Loaders whose calls are judged by their payload (see
/// [`Policy::clears_with_clean_payload`]).
const CLEARED_BY_PAYLOAD: &[(&str, &str)] = &[("torch.storage", "_load_from_bytes")];

/// What the denylist says a gadget does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Exec,
    Import,
    File,
    Network,
    Loader,
    SideEffect,
    Patch,
}

impl Category {
    pub fn parse(s: &str) -> Option<Category> {
        Some(match s {
            "exec" => Category::Exec,
            "import" => Category::Import,
            "file" => Category::File,
            "network" => Category::Network,
            "loader" => Category::Loader,
            "sideeffect" => Category::SideEffect,
            "patch" => Category::Patch,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Category::Exec => "runs code or commands",
            Category::Import => "imports or reaches arbitrary objects",
            Category::File => "reads, writes or deletes files",
            Category::Network => "opens network connections",
            Category::Loader => "deserializes a nested payload",
            Category::SideEffect => "has side effects on the host",
            Category::Patch => "modifies objects in the loading process",
        }
    }
}

/// A denylist entry: `module:name`, where name `*` means any name, and a
/// module entry also covers its submodules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DenyEntry {
    pub module: String,
    pub name: Option<String>,
    pub category: Category,
}

impl DenyEntry {
    fn matches(&self, module: &str, name: &str) -> bool {
        let module_ok = module == self.module
            || module
                .strip_prefix(self.module.as_str())
                .is_some_and(|rest| rest.starts_with('.'));
        let name_ok = match &self.name {
            None => true,
            Some(n) => {
                name == n
                    || name
                        .strip_prefix(n.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            }
        };
        module_ok && name_ok
    }
}

/// How the policy judges one global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// On the allowlist of this built-in profile.
    Allowed { profile: &'static str },
    /// Trusted by the user's configuration.
    Trusted,
    /// A known gadget. `resolved` is the name it resolves to when that differs
    /// from the spelling in the file (`argparse._os.system` → `os.system`).
    Denied {
        category: Category,
        resolved: Option<String>,
    },
    /// Neither allowed nor known to be dangerous.
    Unknown,
}

/// Allowlist plus denylist, ready for lookups.
#[derive(Clone, Debug)]
pub struct Policy {
    allow: HashMap<String, &'static str>,
    /// Module prefixes allowed wholesale, only inside TorchScript archives.
    torchscript_modules: Vec<String>,
    deny: Vec<DenyEntry>,
    trusted: HashSet<String>,
}

impl Policy {
    /// The built-in profiles and denylist plus `trusted` globals (`module.qualname`
    /// or `module:qualname`).
    pub fn new(trusted: &[String]) -> Result<Policy, ParseError> {
        let mut allow = HashMap::new();
        let mut torchscript_modules = Vec::new();
        for (profile, text) in PROFILES {
            for (module, name) in data::parse_allow(profile, text)? {
                if name == "*" {
                    torchscript_modules.push(module);
                } else {
                    allow.insert(format!("{module}:{name}"), *profile);
                }
            }
        }
        let deny = data::parse_deny(data::DENY)?;
        let trusted = trusted.iter().map(|t| t.replace(':', ".")).collect();
        Ok(Policy {
            allow,
            torchscript_modules,
            deny,
            trusted,
        })
    }

    /// Judge `module`/`name` (after CPython's protocol < 3 name mapping).
    /// `torchscript` enables the TorchScript class namespaces.
    pub fn judge(&self, module: &str, name: &str, torchscript: bool) -> Judgement {
        // The denylist comes first, over every way the name can resolve, so that
        // a trusted or allowed spelling cannot hide a gadget behind a dotted path.
        for (m, n) in candidates(module, name) {
            if let Some(entry) = self.deny.iter().find(|e| e.matches(&m, &n)) {
                let resolved = (m != module || n != name).then(|| format!("{m}.{n}"));
                return Judgement::Denied {
                    category: entry.category,
                    resolved,
                };
            }
        }
        if names::has_dunder_walk(name) {
            return Judgement::Denied {
                category: Category::Import,
                resolved: None,
            };
        }
        if self.trusted.contains(&format!("{module}.{name}")) {
            return Judgement::Trusted;
        }
        if let Some(profile) = self.allow.get(&format!("{module}:{name}")) {
            return Judgement::Allowed { profile };
        }
        if torchscript
            && self.torchscript_modules.iter().any(|p| {
                module == p
                    || module
                        .strip_prefix(p.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
        {
            return Judgement::Allowed {
                profile: "torchscript",
            };
        }
        Judgement::Unknown
    }

    /// Is this a loader whose str/bytes arguments should be scanned as nested payloads?
    pub fn is_loader(&self, module: &str, name: &str) -> bool {
        matches!(
            (module, name),
            ("io" | "_io", "BytesIO") | ("builtins", "bytes" | "bytearray")
        ) || self
            .deny
            .iter()
            .any(|e| e.category == Category::Loader && e.matches(module, name))
    }

    /// Loaders that standard writers emit, judged by what they load: when every
    /// payload handed to them was scanned whole and found clean, the call is
    /// not a finding (`torch.storage._load_from_bytes` is how `pickle.dumps`
    /// of a tensor stores its storage, a nested `torch.save` file).
    pub fn clears_with_clean_payload(&self, module: &str, name: &str) -> bool {
        CLEARED_BY_PAYLOAD.contains(&(module, name))
    }

    pub fn allow_count(&self) -> usize {
        self.allow.len()
    }

    pub fn deny_count(&self) -> usize {
        self.deny.len()
    }
}

#[cfg(test)]
mod tests;
