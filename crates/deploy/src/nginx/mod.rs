//! nginx configurations: `parse` reads the file and its includes into one
//! tree of directives positioned in the analysed file; `check` computes the
//! effective TLS, header and rate-limit settings of each server block (http
//! level inherited) and judges them.

mod check;
mod parse;

use std::path::{Path, PathBuf};

use crate::finding::DeployFinding;
use crate::limits::MAX_CONFIG_BYTES;

/// One file brought in by `include`.
#[derive(Clone, Debug)]
pub struct Included {
    /// How the file is shown in messages (relative to the including directory).
    pub name: String,
    /// Identity for cycle detection (e.g. the canonical path).
    pub id: String,
    pub text: String,
}

/// Reads the files an `include` pattern names.
pub trait IncludeLoader {
    /// The files `pattern` names, in nginx's (sorted) order; an error says
    /// why it could not be resolved. A glob matching nothing is `Ok(vec![])`.
    fn load(&self, pattern: &str) -> Result<Vec<Included>, String>;
}

/// Resolves no include (for text analysed without its directory).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoIncludes;

impl IncludeLoader for NoIncludes {
    fn load(&self, _pattern: &str) -> Result<Vec<Included>, String> {
        Err("includes are not read here".into())
    }
}

/// Reads includes from disk relative to the directory of the analysed file.
/// Absolute paths under the usual nginx prefixes (`/etc/nginx/...`) are
/// looked up in that directory instead, as repositories mirror that layout;
/// other absolute paths are not read (they would be the scanning host's).
#[derive(Clone, Debug)]
pub struct FsLoader {
    dir: PathBuf,
}

const PREFIXES: &[&str] = &[
    "/etc/nginx/",
    "/usr/local/nginx/conf/",
    "/usr/local/etc/nginx/",
    "/opt/homebrew/etc/nginx/",
];
/// Directory entries listed for one glob.
const MAX_GLOB_ENTRIES: usize = 4_096;

impl FsLoader {
    pub fn for_file(path: &Path) -> Self {
        FsLoader {
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }

    fn resolve(&self, pattern: &str) -> Option<PathBuf> {
        if let Some(rest) = PREFIXES.iter().find_map(|p| pattern.strip_prefix(p)) {
            return Some(self.dir.join(rest));
        }
        (!pattern.starts_with('/')).then(|| self.dir.join(pattern))
    }
}

fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_CONFIG_BYTES as u64 {
        return Err(format!(
            "{} bytes (the limit is {MAX_CONFIG_BYTES})",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `*` and `?` in one path component (greedy with one backtrack point: O(n·m)).
fn glob_match(pat: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || Some(&c) == name.get(n) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pat.get(p..).unwrap_or(&[]).iter().all(|&c| c == b'*')
}

impl IncludeLoader for FsLoader {
    fn load(&self, pattern: &str) -> Result<Vec<Included>, String> {
        let path = self
            .resolve(pattern)
            .ok_or("absolute path outside the scanned tree")?;
        let shown = |p: &Path| p.strip_prefix(&self.dir).unwrap_or(p).display().to_string();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut files = Vec::new();
        if file_name.contains(['*', '?']) && file_name.len() <= 128 {
            let dir = path.parent().ok_or("no directory")?;
            let Ok(entries) = std::fs::read_dir(dir) else {
                return Ok(Vec::new());
            };
            for e in entries.take(MAX_GLOB_ENTRIES).flatten() {
                let n = e.file_name();
                if glob_match(file_name.as_bytes(), n.to_string_lossy().as_bytes())
                    && e.path().is_file()
                {
                    files.push(e.path());
                }
            }
            files.sort();
        } else {
            files.push(path);
        }
        files
            .into_iter()
            .map(|p| {
                let text = read_limited(&p)?;
                let id = std::fs::canonicalize(&p)
                    .unwrap_or_else(|_| p.clone())
                    .display()
                    .to_string();
                Ok(Included {
                    name: shown(&p),
                    id,
                    text,
                })
            })
            .collect()
    }
}

/// A top-level `http {`, `server {`, `events {` or `upstream` block.
pub fn looks_like_nginx(text: &str) -> bool {
    text.lines().take(2_000).any(|l| {
        let t = l.trim_start();
        ["http", "server", "events", "upstream", "stream"]
            .iter()
            .any(|k| {
                t.strip_prefix(k).is_some_and(|rest| {
                    let rest = rest.trim_start();
                    rest.starts_with('{') || (*k == "upstream" && rest.ends_with('{'))
                })
            })
    }) && (text.contains("listen") || text.contains("worker_") || text.contains("upstream"))
}

pub fn analyze(text: &str, loader: &dyn IncludeLoader) -> Vec<DeployFinding> {
    let mut reader = parse::Reader::new(loader);
    let tree = reader.parse(text, None);
    let mut out: Vec<DeployFinding> = reader
        .problems
        .iter()
        .map(|(line, why)| {
            DeployFinding::inconclusive(*line, &format!("nginx configuration: {why}"))
        })
        .collect();
    check::run(&tree, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Includes from a fixed map of names to texts.
    struct Map(&'static [(&'static str, &'static str)]);

    impl IncludeLoader for Map {
        fn load(&self, pattern: &str) -> Result<Vec<Included>, String> {
            let found: Vec<Included> = self
                .0
                .iter()
                .filter(|(n, _)| {
                    *n == pattern
                        || (pattern.ends_with("/*.conf")
                            && n.starts_with(pattern.trim_end_matches("*.conf")))
                })
                .map(|(n, t)| Included {
                    name: (*n).into(),
                    id: (*n).into(),
                    text: (*t).into(),
                })
                .collect();
            if found.is_empty() && !pattern.contains('*') {
                return Err("no such file".into());
            }
            Ok(found)
        }
    }

    fn ids(text: &str, loader: &dyn IncludeLoader) -> Vec<(&'static str, u32)> {
        crate::finding::finish(analyze(text, loader))
            .iter()
            .map(|f| (f.rule.id, f.line))
            .collect()
    }

    #[test]
    fn include_cycles_end_and_findings_point_at_the_include() {
        let loader = Map(&[
            ("a.conf", "include b.conf;\nautoindex on;"),
            ("b.conf", "include a.conf;"),
        ]);
        let got = ids(
            "http {\n  server_tokens off;\n  include a.conf;\n}\n",
            &loader,
        );
        assert_eq!(got, [("AIG547", 3)]);
        let msgs = analyze("include a.conf;", &loader);
        assert!(
            msgs.iter().any(|f| f.message.contains("(in a.conf:2)")),
            "{msgs:?}"
        );
    }

    #[test]
    fn http_level_settings_are_inherited_by_included_servers() {
        let loader = Map(&[("conf.d/x.conf", "server { listen 443 ssl; }")]);
        let http = "http { server_tokens off; ssl_protocols TLSv1.3; add_header Strict-Transport-Security max-age=1; include conf.d/*.conf; }";
        assert_eq!(ids(http, &loader), []);
        // The same server alone is judged at nginx's defaults.
        let alone: Vec<_> = ids("server { listen 443 ssl; }", &NoIncludes)
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(alone, ["AIG543", "AIG541"]);
    }

    #[test]
    fn unresolved_includes_are_inconclusive_except_standard_parameter_files() {
        assert_eq!(
            ids("include mime.types;\ninclude fastcgi_params;", &NoIncludes),
            []
        );
        assert_eq!(
            ids("include sites-enabled/llm;", &NoIncludes),
            [("AIG400", 1)]
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match(b"*.conf", b"app.conf"));
        assert!(!glob_match(b"*.conf", b"app.conf.bak"));
        assert!(glob_match(b"a?c*", b"abcdef"));
    }

    #[test]
    fn fs_loader_reads_relative_globs_and_maps_etc_nginx() {
        let dir = std::env::temp_dir().join(format!("aigis-nginx-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("conf.d")).unwrap();
        std::fs::write(dir.join("conf.d/b.conf"), "server_tokens on;").unwrap();
        std::fs::write(dir.join("conf.d/a.conf"), "autoindex on;").unwrap();
        let l = FsLoader::for_file(&dir.join("nginx.conf"));
        let got = l.load("/etc/nginx/conf.d/*.conf").unwrap();
        assert_eq!(
            got.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
            ["conf.d/a.conf", "conf.d/b.conf"]
        );
        assert!(l.load("/srv/other.conf").is_err());
        assert!(l.load("missing.conf").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
