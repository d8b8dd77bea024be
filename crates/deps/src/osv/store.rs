//! The stored index: one JSON file per ecosystem (`pypi.json`) under the
//! data directory, keyed by PEP 503 name, written to a temporary file and
//! renamed into place so that a reader never sees half a database.

use crate::Error;
use crate::osv::record::Event;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The index file of the PyPI ecosystem inside the data directory.
pub const DB_FILE: &str = "pypi.json";
/// Version of the index layout; other versions are refused (re-import).
pub const FORMAT: u32 = 1;
/// Largest index file loaded.
pub const MAX_DB_BYTES: u64 = 1 << 30;

/// The imported advisories of one ecosystem.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Db {
    pub format: u32,
    pub ecosystem: String,
    /// When it was imported, seconds since the Unix epoch.
    pub imported_at: u64,
    /// Where it was imported from (a path or URL).
    pub source: String,
    /// Records read from the source (withdrawn ones included).
    pub records_read: usize,
    /// Withdrawn records, skipped.
    pub withdrawn: usize,
    /// Records that could not be read, skipped (the import says so).
    pub unreadable: usize,
    pub advisories: Vec<DbAdvisory>,
    /// Normalised package name to what affects it.
    pub packages: BTreeMap<String, Vec<DbEntry>>,
}

/// One advisory, the parts findings show.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DbAdvisory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// CVSS vectors as given (`CVSS:3.1/...`, `CVSS:4.0/...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<String>,
    /// The CVSS v3 base score computed from the vector, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// `database_specific.severity` (GHSA: LOW, MODERATE, HIGH, CRITICAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

/// What one advisory says about one package.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DbEntry {
    /// Index into [`Db::advisories`].
    pub advisory: u32,
    /// `ECOSYSTEM` ranges, events in the record's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Vec<Event>>,
    /// Explicitly listed affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

impl Db {
    pub fn advisory(&self, entry: &DbEntry) -> Option<&DbAdvisory> {
        self.advisories.get(entry.advisory as usize)
    }

    /// Seconds since the import, at `now` (seconds since the epoch).
    pub fn age_secs(&self, now: u64) -> u64 {
        now.saturating_sub(self.imported_at)
    }
}

/// `$AIGIS_DB_DIR`, else `$XDG_DATA_HOME/aigis/db`, else `~/.local/share/aigis/db`.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("AIGIS_DB_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("aigis").join("db"))
}

/// Write `db` as `dir/pypi.json` (temp file, then rename).
pub fn save(db: &Db, dir: &Path) -> Result<PathBuf, Error> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let target = dir.join(DB_FILE);
    let tmp = dir.join(format!(".{DB_FILE}.{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec(db).map_err(|e| Error::Database {
        path: target.display().to_string(),
        reason: e.to_string(),
    })?;
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(&target)(e)
    })?;
    Ok(target)
}

/// Load `dir/pypi.json`; `Ok(None)` when there is none.
pub fn load(dir: &Path) -> Result<Option<Db>, Error> {
    let path = dir.join(DB_FILE);
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: shown,
                source,
            });
        }
    };
    if meta.len() > MAX_DB_BYTES {
        return Err(Error::Database {
            path: shown,
            reason: format!("larger than {MAX_DB_BYTES} bytes"),
        });
    }
    let bytes = std::fs::read(&path).map_err(|source| Error::Io {
        path: shown.clone(),
        source,
    })?;
    let db: Db = serde_json::from_slice(&bytes).map_err(|e| Error::Database {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    if db.format != FORMAT {
        return Err(Error::Database {
            path: shown,
            reason: format!(
                "index format {} (this aigis reads {FORMAT}); run `aigis db update`",
                db.format
            ),
        });
    }
    Ok(Some(db))
}
