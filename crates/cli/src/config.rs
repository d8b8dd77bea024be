//! Configuration resolution.
//!
//! Precedence, lowest to highest: defaults < user file
//! (`$XDG_CONFIG_HOME/aigis/config.toml`) < project file (`aigis.toml`, or
//! `[tool.aigis]` in `pyproject.toml`, found from the current directory
//! upwards, or `--config FILE`) < `AIGIS_*` environment < flags. Unknown keys
//! are errors. Secrets never come from here.

use crate::cli::ReportFormat;
use aigis_findings::{Domain, Severity};
use aigis_scan::Suppression;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One configuration layer as written in a file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Layer {
    pub fail_on: Option<String>,
    pub format: Option<ReportFormat>,
    pub only: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    /// Extra trusted pickle globals, exact `module.qualname`.
    pub trusted_globals: Option<Vec<String>>,
    pub allow_inconclusive: Option<bool>,
    pub allow_unapproved: Option<bool>,
    /// Severity per rule id or name.
    pub severity: Option<BTreeMap<String, String>>,
    pub suppress: Option<Vec<SuppressEntry>>,
    pub limits: Option<LimitsLayer>,
    pub dependencies: Option<DepsLayer>,
}

/// `[dependencies]`: the advisory database and how the audit treats ranges.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DepsLayer {
    /// Database directory (default: $AIGIS_DB_DIR, $XDG_DATA_HOME/aigis/db).
    pub db: Option<PathBuf>,
    /// Older databases make the audit inconclusive, e.g. "7d".
    pub max_age: Option<String>,
    /// Also check unpinned ranges against advisories.
    pub check_ranges: Option<bool>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SuppressEntry {
    pub rule: String,
    pub path: Option<String>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsLayer {
    pub max_depth: Option<u32>,
    pub max_member_bytes: Option<u64>,
    pub max_members: Option<usize>,
    pub max_pickle_opcodes: Option<u64>,
    pub max_compression_ratio: Option<u64>,
}

/// The settings after every layer, as `aigis config show` prints them.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Resolved {
    pub fail_on: Severity,
    pub format: ReportFormat,
    pub only: Vec<Domain>,
    pub exclude: Vec<String>,
    pub trusted_globals: Vec<String>,
    pub allow_inconclusive: bool,
    pub allow_unapproved: bool,
    pub severity: BTreeMap<String, Severity>,
    pub suppress: Vec<SuppressEntry>,
    pub limits: LimitsLayer,
    pub dependencies: DepsLayer,
    /// Where the layers came from, lowest precedence first.
    #[serde(skip)]
    pub sources: Vec<String>,
}

impl Resolved {
    /// The dependency audit's options (database dir, max age, range checks).
    pub fn audit_options(&self) -> aigis_deps::AuditOptions {
        let d = &self.dependencies;
        aigis_deps::AuditOptions {
            db_dir: d.db.clone(),
            max_age: d
                .max_age
                .as_deref()
                .and_then(|a| aigis_deps::audit::parse_age(a).ok())
                .unwrap_or(aigis_deps::audit::DEFAULT_MAX_AGE),
            check_ranges: d.check_ranges.unwrap_or(false),
        }
    }

    pub fn suppressions(&self) -> Vec<Suppression> {
        self.suppress
            .iter()
            .map(|s| Suppression {
                rule: s.rule.clone(),
                path: s.path.clone(),
                reason: s.reason.clone(),
            })
            .collect()
    }
}

/// Resolve configuration from files and environment; flags are applied by the caller
/// through `flags`.
pub fn resolve(explicit: Option<&Path>, flags: Layer) -> Result<Resolved> {
    let mut layers: Vec<(String, Layer)> = Vec::new();
    if let Some(user) = user_config_path().filter(|p| p.is_file()) {
        layers.push((user.display().to_string(), read_layer(&user)?));
    }
    let project = match explicit {
        Some(p) => Some((p.to_path_buf(), read_layer(p)?)),
        None => discover(&std::env::current_dir().context("cannot read the current directory")?)?,
    };
    if let Some((p, layer)) = project {
        layers.push((p.display().to_string(), layer));
    }
    layers.push(("environment".into(), env_layer()?));
    layers.push(("flags".into(), flags));
    merge(layers)
}

fn user_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("aigis").join("config.toml"))
}

/// Read `aigis.toml`-style files, or the `[tool.aigis]` table of a pyproject.toml.
pub fn read_layer(path: &Path) -> Result<Layer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        let doc: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML", path.display()))?;
        let Some(table) = doc.get("tool").and_then(|t| t.get("aigis")) else {
            return Ok(Layer::default());
        };
        return table
            .clone()
            .try_into()
            .with_context(|| format!("invalid [tool.aigis] in {}", path.display()));
    }
    toml::from_str(&text).with_context(|| format!("invalid configuration in {}", path.display()))
}

/// The nearest `aigis.toml`, or `pyproject.toml` with `[tool.aigis]`, from `start` upwards.
fn discover(start: &Path) -> Result<Option<(PathBuf, Layer)>> {
    for dir in start.ancestors() {
        let own = dir.join("aigis.toml");
        if own.is_file() {
            return Ok(Some((own.clone(), read_layer(&own)?)));
        }
        let py = dir.join("pyproject.toml");
        if py.is_file() {
            let text = std::fs::read_to_string(&py)
                .with_context(|| format!("failed to read {}", py.display()))?;
            if text.contains("[tool.aigis") {
                return Ok(Some((py.clone(), read_layer(&py)?)));
            }
        }
    }
    Ok(None)
}

/// The `AIGIS_*` variables that hold scan settings.
fn env_layer() -> Result<Layer> {
    let mut l = Layer::default();
    for (key, value) in std::env::vars() {
        let Some(name) = key.strip_prefix("AIGIS_") else {
            continue;
        };
        let list = || {
            value
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        match name {
            "FAIL_ON" => l.fail_on = Some(value.clone()),
            "FORMAT" => {
                l.format = Some(
                    <ReportFormat as clap::ValueEnum>::from_str(&value, true)
                        .map_err(|_| anyhow::anyhow!("AIGIS_FORMAT: unknown format '{value}'"))?,
                )
            }
            "ONLY" => l.only = Some(list()),
            "EXCLUDE" => l.exclude = Some(list()),
            "TRUSTED_GLOBALS" => l.trusted_globals = Some(list()),
            "ALLOW_INCONCLUSIVE" => l.allow_inconclusive = Some(parse_bool(&key, &value)?),
            "ALLOW_UNAPPROVED" => l.allow_unapproved = Some(parse_bool(&key, &value)?),
            "DB_DIR" if !value.is_empty() => {
                l.dependencies = Some(DepsLayer {
                    db: Some(PathBuf::from(&value)),
                    ..DepsLayer::default()
                })
            }
            // Other AIGIS_* variables belong to other commands (the gateway's
            // key sources, logging); scan settings are only these.
            _ => {}
        }
    }
    Ok(l)
}

fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => bail!("{key}: expected true or false, got '{v}'"),
    }
}

fn merge(layers: Vec<(String, Layer)>) -> Result<Resolved> {
    let mut r = Resolved {
        fail_on: Severity::High,
        format: ReportFormat::Text,
        only: Vec::new(),
        exclude: Vec::new(),
        trusted_globals: Vec::new(),
        allow_inconclusive: false,
        allow_unapproved: false,
        severity: BTreeMap::new(),
        suppress: Vec::new(),
        limits: LimitsLayer::default(),
        dependencies: DepsLayer::default(),
        sources: Vec::new(),
    };
    for (source, l) in layers {
        let ctx = |what: &str| format!("{what} (from {source})");
        if let Some(s) = l.fail_on {
            r.fail_on = s
                .parse()
                .map_err(anyhow::Error::msg)
                .with_context(|| ctx("fail-on"))?;
        }
        if let Some(f) = l.format {
            r.format = f;
        }
        if let Some(only) = l.only {
            r.only = only
                .iter()
                .map(|d| parse_domain(d).with_context(|| ctx("only")))
                .collect::<Result<_>>()?;
        }
        if let Some(v) = l.exclude {
            r.exclude = v;
        }
        if let Some(v) = l.trusted_globals {
            for g in &v {
                check_global(g).with_context(|| ctx("trusted-globals"))?;
            }
            r.trusted_globals = v;
        }
        if let Some(v) = l.allow_inconclusive {
            r.allow_inconclusive = v;
        }
        if let Some(v) = l.allow_unapproved {
            r.allow_unapproved = v;
        }
        if let Some(map) = l.severity {
            for (rule, sev) in map {
                if aigis_scan::rules::find(&rule).is_none() {
                    bail!("unknown rule '{rule}' in severity (from {source})");
                }
                let sev = sev
                    .parse()
                    .map_err(anyhow::Error::msg)
                    .with_context(|| ctx("severity"))?;
                r.severity.insert(rule, sev);
            }
        }
        if let Some(v) = l.suppress {
            for s in &v {
                if s.reason.trim().is_empty() {
                    bail!("suppression of '{}' needs a reason (from {source})", s.rule);
                }
                if s.rule != "*" && aigis_scan::rules::find(&s.rule).is_none() {
                    bail!("unknown rule '{}' in suppress (from {source})", s.rule);
                }
            }
            r.suppress = v;
        }
        if let Some(lim) = l.limits {
            r.limits = LimitsLayer {
                max_depth: lim.max_depth.or(r.limits.max_depth),
                max_member_bytes: lim.max_member_bytes.or(r.limits.max_member_bytes),
                max_members: lim.max_members.or(r.limits.max_members),
                max_pickle_opcodes: lim.max_pickle_opcodes.or(r.limits.max_pickle_opcodes),
                max_compression_ratio: lim.max_compression_ratio.or(r.limits.max_compression_ratio),
            };
        }
        if let Some(d) = l.dependencies {
            if let Some(age) = &d.max_age {
                aigis_deps::audit::parse_age(age)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| ctx("dependencies.max-age"))?;
            }
            r.dependencies = DepsLayer {
                db: d.db.or(r.dependencies.db),
                max_age: d.max_age.or(r.dependencies.max_age),
                check_ranges: d.check_ranges.or(r.dependencies.check_ranges),
            };
        }
        r.sources.push(source);
    }
    Ok(r)
}

fn parse_domain(s: &str) -> Result<Domain> {
    Domain::ALL
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| anyhow::anyhow!("unknown domain '{s}'"))
}

/// A trusted global must be an exact dotted name with a module and a qualname.
fn check_global(g: &str) -> Result<()> {
    let ok = (g.contains('.') || g.contains(':'))
        && g.split(['.', ':'])
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    if !ok {
        bail!("'{g}' is not an exact module.qualname");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(toml_text: &str) -> Layer {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn later_layers_win() {
        let r = merge(vec![
            ("user".into(), layer("fail-on = 'low'\nexclude = ['a']")),
            ("project".into(), layer("fail-on = 'critical'")),
            ("flags".into(), Layer::default()),
        ])
        .unwrap();
        assert_eq!(r.fail_on, Severity::Critical);
        assert_eq!(r.exclude, vec!["a".to_string()]);
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(toml::from_str::<Layer>("fail_on_everything = true").is_err());
    }

    #[test]
    fn suppressions_need_a_reason() {
        let l = layer("[[suppress]]\nrule = 'AIG104'\nreason = ' '");
        let e = merge(vec![("p".into(), l)]).unwrap_err();
        assert!(e.to_string().contains("needs a reason"));
    }

    #[test]
    fn severity_keys_must_name_rules() {
        let l = layer("[severity]\nAIG999 = 'low'");
        assert!(merge(vec![("p".into(), l)]).is_err());
        let l = layer("[severity]\npickle-unapproved-global = 'low'");
        assert!(merge(vec![("p".into(), l)]).is_ok());
    }

    #[test]
    fn trusted_globals_must_be_exact() {
        assert!(check_global("mypkg.models.Net").is_ok());
        assert!(check_global("mypkg:Net").is_ok());
        assert!(check_global("mypkg.*").is_err());
        assert!(check_global("os").is_err());
    }

    #[test]
    fn pyproject_table_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pyproject.toml");
        std::fs::write(
            &p,
            "[project]\nname='x'\n[tool.aigis]\nfail-on = 'medium'\n",
        )
        .unwrap();
        assert_eq!(read_layer(&p).unwrap().fail_on.as_deref(), Some("medium"));
    }
}
