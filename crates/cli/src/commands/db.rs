//! `aigis db update [--from PATH]` and `aigis db status`: the dependency
//! audit's offline OSV database.

use crate::cli::SimpleFormat;
use crate::config::{Layer, Resolved, resolve};
use aigis_deps::audit::{human_age, now_secs};
use aigis_deps::osv::{self, download, import};
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};

/// Largest download accepted (OSV's PyPI all.zip is tens of megabytes).
const MAX_DOWNLOAD_BYTES: u64 = 1 << 30;

fn db_dir(cfg: &Resolved) -> Result<PathBuf> {
    cfg.dependencies
        .db
        .clone()
        .or_else(osv::default_dir)
        .ok_or_else(|| anyhow!("no database directory: set AIGIS_DB_DIR or [dependencies] db"))
}

pub fn update(config: Option<&Path>, from: Option<&Path>) -> Result<u8> {
    let cfg = resolve(config, Layer::default())?;
    let dir = db_dir(&cfg)?;
    let now = now_secs();
    let db = match from {
        Some(p) => {
            if !p.exists() {
                anyhow::bail!("{}: no such file or directory", p.display());
            }
            import::import_path(p, now)?
        }
        None => {
            eprintln!("aigis: downloading {}", download::PYPI_ALL_ZIP);
            let data = download::fetch(download::PYPI_ALL_ZIP, MAX_DOWNLOAD_BYTES)?;
            import::import_bytes(&data, download::PYPI_ALL_ZIP, now)?
        }
    };
    let path = osv::save(&db, &dir)
        .with_context(|| format!("cannot write the database to {}", dir.display()))?;
    println!(
        "imported {} advisories for {} packages from {} into {} ({} records read, {} withdrawn, {} unreadable)",
        db.advisories.len(),
        db.packages.len(),
        db.source,
        path.display(),
        db.records_read,
        db.withdrawn,
        db.unreadable
    );
    Ok(crate::EXIT_OK)
}

pub fn status(config: Option<&Path>, format: SimpleFormat) -> Result<u8> {
    let cfg = resolve(config, Layer::default())?;
    let dir = db_dir(&cfg)?;
    let max_age = cfg.audit_options().max_age.as_secs();
    let Some(db) = osv::load(&dir)? else {
        match format {
            SimpleFormat::Json => println!(
                "{}",
                serde_json::json!({"path": dir.join(osv::DB_FILE), "present": false})
            ),
            SimpleFormat::Text => println!(
                "no advisory database in {}; run `aigis db update`",
                dir.display()
            ),
        }
        return Ok(crate::EXIT_ERROR);
    };
    let age = db.age_secs(now_secs());
    let stale = age > max_age;
    match format {
        SimpleFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "path": dir.join(osv::DB_FILE),
                "present": true,
                "ecosystem": db.ecosystem,
                "source": db.source,
                "imported_at": db.imported_at,
                "age_seconds": age,
                "max_age_seconds": max_age,
                "stale": stale,
                "advisories": db.advisories.len(),
                "packages": db.packages.len(),
                "records_read": db.records_read,
                "withdrawn": db.withdrawn,
                "unreadable": db.unreadable,
            }))?
        ),
        SimpleFormat::Text => {
            println!("database:   {}", dir.join(osv::DB_FILE).display());
            println!("source:     {}", db.source);
            println!(
                "age:        {}{}",
                human_age(age),
                if stale {
                    format!(
                        " (older than max-age {}: scans are inconclusive)",
                        human_age(max_age)
                    )
                } else {
                    String::new()
                }
            );
            println!(
                "records:    {} advisories for {} {} packages ({} read, {} withdrawn, {} unreadable)",
                db.advisories.len(),
                db.packages.len(),
                db.ecosystem,
                db.records_read,
                db.withdrawn,
                db.unreadable
            );
        }
    }
    Ok(if stale {
        crate::EXIT_FINDINGS
    } else {
        crate::EXIT_OK
    })
}
