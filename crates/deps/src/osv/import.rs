//! Importing OSV JSON into a [`Db`]: from a per-ecosystem `all.zip` (read with
//! `aigis_formats::zip`, each member under a size cap), a directory of
//! `.json` files (bounded depth and count), or one `.json` record. Only
//! `PyPI` packages and `ECOSYSTEM` ranges are kept; withdrawn records are
//! counted and skipped; unreadable records are counted, never fatal.

use crate::Error;
use crate::osv::cvss::base_score_v3;
use crate::osv::record::{self, MAX_RECORD_BYTES, Record};
use crate::osv::store::{Db, DbAdvisory, DbEntry, FORMAT};
use std::path::Path;

/// Largest `all.zip` (or single file) read.
pub const MAX_ARCHIVE_BYTES: u64 = 2 << 30;
/// Most records imported.
pub const MAX_RECORDS: usize = 500_000;
/// Deepest directory walked under `--from DIR`.
pub const MAX_DIR_DEPTH: usize = 6;

/// Import `path` (zip, directory or one JSON file), stamped with `now`.
pub fn import_path(path: &Path, now: u64) -> Result<Db, Error> {
    let shown = path.display().to_string();
    let mut db = Db {
        format: FORMAT,
        ecosystem: "PyPI".into(),
        imported_at: now,
        source: shown.clone(),
        ..Db::default()
    };
    let err = |reason: String| Error::Import {
        path: shown.clone(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    if meta.is_dir() {
        import_dir(path, 0, &mut db)?;
    } else {
        if meta.len() > MAX_ARCHIVE_BYTES {
            return Err(err(format!("larger than {MAX_ARCHIVE_BYTES} bytes")));
        }
        let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        if aigis_formats::zip::is_zip(&data) {
            import_zip(&data, &mut db).map_err(err)?;
        } else {
            add_record(&data, &mut db);
        }
    }
    if db.records_read == 0 {
        return Err(err("no OSV records found".into()));
    }
    if db.unreadable == db.records_read {
        return Err(err(format!(
            "none of the {} records could be read as OSV JSON",
            db.records_read
        )));
    }
    Ok(db)
}

/// Import an `all.zip` (or one record) already in memory, e.g. downloaded.
pub fn import_bytes(data: &[u8], source: &str, now: u64) -> Result<Db, Error> {
    let mut db = Db {
        format: FORMAT,
        ecosystem: "PyPI".into(),
        imported_at: now,
        source: source.into(),
        ..Db::default()
    };
    let err = |reason: String| Error::Import {
        path: source.to_string(),
        reason,
    };
    if aigis_formats::zip::is_zip(data) {
        import_zip(data, &mut db).map_err(err)?;
    } else {
        add_record(data, &mut db);
    }
    if db.records_read == 0 || db.unreadable == db.records_read {
        return Err(err("no readable OSV records".into()));
    }
    Ok(db)
}

/// Import the members of an OSV `all.zip` held in `data`.
pub fn import_zip(data: &[u8], db: &mut Db) -> Result<(), String> {
    let archive = aigis_formats::zip::Archive::parse(data).map_err(|e| e.to_string())?;
    for entry in archive.entries() {
        if !entry.name.ends_with(".json") {
            continue;
        }
        if db.records_read >= MAX_RECORDS {
            return Err(format!("more than {MAX_RECORDS} records"));
        }
        match archive.read(entry, MAX_RECORD_BYTES as u64) {
            Ok(bytes) => add_record(&bytes, db),
            Err(_) => {
                db.records_read += 1;
                db.unreadable += 1;
            }
        }
    }
    Ok(())
}

fn import_dir(dir: &Path, depth: usize, db: &mut Db) -> Result<(), Error> {
    let shown = dir.display().to_string();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::Import {
            path: shown.clone(),
            reason: e.to_string(),
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if depth < MAX_DIR_DEPTH {
                import_dir(&p, depth + 1, db)?;
            }
        } else if p.extension().is_some_and(|e| e == "json") {
            if db.records_read >= MAX_RECORDS {
                return Err(Error::Import {
                    path: shown,
                    reason: format!("more than {MAX_RECORDS} records"),
                });
            }
            match std::fs::metadata(&p) {
                Ok(m) if m.len() <= MAX_RECORD_BYTES as u64 => match std::fs::read(&p) {
                    Ok(data) => add_record(&data, db),
                    Err(_) => {
                        db.records_read += 1;
                        db.unreadable += 1;
                    }
                },
                _ => {
                    db.records_read += 1;
                    db.unreadable += 1;
                }
            }
        }
    }
    Ok(())
}

/// Add one OSV JSON record to `db` (counted as unreadable if it is not one).
pub fn add_record(data: &[u8], db: &mut Db) {
    db.records_read += 1;
    match record::parse(data) {
        Ok(r) => add(r, db),
        Err(_) => db.unreadable += 1,
    }
}

fn add(r: Record, db: &mut Db) {
    if r.withdrawn.is_some() {
        db.withdrawn += 1;
        return;
    }
    let Ok(index) = u32::try_from(db.advisories.len()) else {
        db.unreadable += 1;
        return;
    };
    let mut used = false;
    let mut cvss: Vec<String> = Vec::new();
    let mut severity = label(r.database_specific.as_ref());
    for s in &r.severity {
        if s.kind.starts_with("CVSS") && !cvss.contains(&s.score) {
            cvss.push(s.score.clone());
        }
    }
    for a in &r.affected {
        let Some(pkg) = &a.package else { continue };
        // `PyPI`, and OSV's `PyPI:<variant>` forms.
        if pkg.ecosystem != "PyPI" && !pkg.ecosystem.starts_with("PyPI:") {
            continue;
        }
        for s in &a.severity {
            if s.kind.starts_with("CVSS") && !cvss.contains(&s.score) {
                cvss.push(s.score.clone());
            }
        }
        severity = severity.or_else(|| label(a.database_specific.as_ref()));
        let ranges: Vec<_> = a
            .ranges
            .iter()
            .filter(|r| r.kind == "ECOSYSTEM")
            .map(|r| r.events.clone())
            .collect();
        if ranges.is_empty() && a.versions.is_empty() {
            continue;
        }
        used = true;
        db.packages
            .entry(crate::name::normalize(&pkg.name))
            .or_default()
            .push(DbEntry {
                advisory: index,
                ranges,
                versions: a.versions.clone(),
            });
    }
    if !used {
        return;
    }
    let summary = r
        .summary
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            r.details
                .as_deref()
                .and_then(|d| d.lines().next())
                .map(str::to_string)
        })
        .unwrap_or_default();
    let summary: String = summary.chars().take(200).collect();
    let score = cvss.iter().find_map(|v| base_score_v3(v));
    db.advisories.push(DbAdvisory {
        id: r.id,
        aliases: r.aliases,
        summary,
        cvss,
        score,
        severity,
    });
}

/// `database_specific.severity`, when it is a string.
fn label(v: Option<&serde_json::Value>) -> Option<String> {
    v?.get("severity")?.as_str().map(str::to_string)
}
