//! Matching against the test data: 82 real PYSEC records (CC-BY-4.0, see
//! tests/data/osv/README.md) and hand-written records for what they lack.

use super::*;
use crate::osv::import::import_path;
use std::path::Path;
use std::sync::OnceLock;

pub(crate) fn test_db() -> &'static Db {
    static DB: OnceLock<Db> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv");
        import_path(&dir, 1_000).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The ids of the first advisory of each group affecting `name==version`.
fn hits(name: &str, version: &str) -> Vec<String> {
    let v = parse(version).unwrap_or_else(|| panic!("{version}"));
    let (groups, open) = match_version(test_db(), name, &v);
    assert!(open.is_empty(), "{open:?}");
    groups
        .iter()
        .map(|g| {
            g.advisories
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect()
}

#[test]
fn import_counts() {
    let db = test_db();
    assert_eq!(db.records_read, 94);
    // Two real withdrawn records (PYSEC-2019-144, PYSEC-2022-43059) and one hand-written.
    assert_eq!(db.withdrawn, 3);
    assert_eq!(db.unreadable, 0);
    assert!(db.packages.contains_key("jinja2") && db.packages.contains_key("huggingface-hub"));
    // The npm record names mlflow but is no PyPI advisory.
    assert!(
        !db.advisories
            .iter()
            .any(|a| a.id == "HAND-MLFLOW-OTHER-ECOSYSTEM")
    );
}

#[test]
fn jinja2_real_records_and_alias_merge() {
    assert_eq!(
        hits("jinja2", "2.10"),
        vec!["GHSA-462w-v97r-4m45+PYSEC-2019-217", "PYSEC-2021-66"]
    );
    let v = parse("2.10").expect("v");
    let (groups, _) = match_version(test_db(), "jinja2", &v);
    let merged = groups.first().expect("group");
    assert!(merged.ids.contains(&"CVE-2019-10906".to_string()));
    assert_eq!(merged.fixed, vec!["2.10.1"]);
    assert_eq!(hits("jinja2", "2.7.1").len(), 5);
    assert!(hits("jinja2", "2.11.3").is_empty());
    assert!(hits("jinja2", "3.1.4").is_empty());
}

#[test]
fn numpy_and_torch_real_records() {
    assert_eq!(
        hits("numpy", "1.16.0"),
        vec!["PYSEC-2019-108", "PYSEC-2021-856", "PYSEC-2021-857"]
    );
    assert_eq!(
        hits("numpy", "1.16.0rc2"),
        vec!["PYSEC-2019-108", "PYSEC-2021-856", "PYSEC-2021-857"]
    );
    assert!(hits("numpy", "1.21.0").is_empty());
    assert_eq!(hits("numpy", "1.9.2").len(), 6);
    assert_eq!(
        hits("torch", "1.13.0"),
        vec!["HAND-TORCH-0002", "PYSEC-2022-43015"]
    );
}

#[test]
fn ml_local_builds_pre_releases_and_last_affected() {
    assert_eq!(
        hits("torch", "2.1.0+cu121"),
        vec!["HAND-TORCH-0001", "HAND-TORCH-0002"]
    );
    assert_eq!(
        hits("torch", "2.1.0"),
        vec!["HAND-TORCH-0001", "HAND-TORCH-0002"]
    );
    assert_eq!(hits("torch", "2.1.1+cpu"), vec!["HAND-TORCH-0002"]);
    assert_eq!(hits("torch", "1.13.1"), vec!["HAND-TORCH-0002"]);
    assert_eq!(hits("torch", "2.6.0rc1"), vec!["HAND-TORCH-0002"]);
    assert_eq!(hits("torch", "2.6.0.dev20241112"), vec!["HAND-TORCH-0002"]);
    assert!(hits("torch", "2.6.0").is_empty());
    assert!(hits("torch", "2.6.0+cu124").is_empty());
}

#[test]
fn limit_versions_epochs_and_withdrawn() {
    assert_eq!(hits("vllm", "0.3.0"), vec!["HAND-VLLM-0001"]);
    assert!(hits("vllm", "0.4.0").is_empty() && hits("vllm", "0.1.9").is_empty());
    assert_eq!(hits("keras", "2.13.1"), vec!["HAND-KERAS-0001"]);
    assert!(hits("keras", "2.13.2").is_empty() && hits("keras", "2.14.0").is_empty());
    assert_eq!(hits("epochpkg", "2.0"), vec!["HAND-EPOCH-0001"]);
    assert_eq!(hits("epochpkg", "1!0.9"), vec!["HAND-EPOCH-0001"]);
    assert!(hits("epochpkg", "1!1.0").is_empty());
    // HAND-WITHDRAWN-0001 would affect every transformers version.
    assert_eq!(
        hits("transformers", "4.30.0"),
        vec!["HAND-TRANSFORMERS-0001"]
    );
    assert!(hits("transformers", "4.36.0").is_empty());
    assert!(hits("mlflow", "99.0").is_empty());
}

#[test]
fn severity_sources() {
    let v = parse("4.30.0").expect("v");
    let (g, _) = match_version(test_db(), "transformers", &v);
    assert_eq!(g.first().and_then(Group::score), Some(8.8));
    let v = parse("0.19.0").expect("v");
    let (g, _) = match_version(test_db(), "huggingface-hub", &v);
    let g = g.first().expect("hub");
    assert_eq!((g.score(), g.labels()), (None, vec!["MODERATE"]));
    assert!(g.vectors().iter().all(|v| v.starts_with("CVSS:4.0")));
}

#[test]
fn unreadable_range_is_open_not_clean() {
    let v = parse("1.0").expect("v");
    let (groups, open) = match_version(test_db(), "badrange", &v);
    assert!(groups.is_empty());
    assert_eq!(
        open.first().map(|u| u.advisory.as_str()),
        Some("HAND-BADRANGE-0001")
    );
}

#[test]
fn ranges_that_admit_affected_versions() {
    let ids = |name: &str, spec: &str| -> Vec<String> {
        let specs = crate::version::parse_specifiers(spec).unwrap_or_else(|e| panic!("{e}"));
        match_range(test_db(), name, &specs)
            .into_iter()
            .flat_map(|g| g.ids)
            .collect()
    };
    let jinja = ids("jinja2", ">=2.7");
    assert!(
        jinja.contains(&"PYSEC-2019-217".to_string())
            && jinja.contains(&"CVE-2019-10906".to_string())
    );
    assert!(ids("jinja2", ">=2.11.3").is_empty());
    assert_eq!(ids("vllm", ">=0.3,<0.5"), vec!["HAND-VLLM-0001"]);
    assert!(ids("vllm", ">=0.4").is_empty());
}

#[test]
fn zip_import_reads_the_all_zip_layout() {
    let zip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv-sample.zip");
    let db = import_path(&zip, 7).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((db.records_read, db.unreadable, db.imported_at), (32, 0, 7));
    assert!(db.packages.contains_key("transformers"));
    let data = std::fs::read(&zip).expect("read");
    let again = crate::osv::import::import_bytes(&data, "mem", 7).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.advisories.len(), db.advisories.len());
    // A damaged archive is an error, not an empty database.
    let cut = data.get(..data.len() / 2).expect("half");
    assert!(crate::osv::import::import_bytes(cut, "cut", 7).is_err());
    assert!(crate::osv::import::import_bytes(b"{\"id\": 1}", "junk", 7).is_err());
}

#[test]
fn store_round_trip_and_format_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = crate::osv::save(test_db(), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(path.ends_with(crate::osv::DB_FILE));
    let back = crate::osv::load(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("present");
    assert_eq!(back.advisories.len(), test_db().advisories.len());
    assert_eq!(back.packages.len(), test_db().packages.len());
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
    let mut old = back;
    old.format = 0;
    crate::osv::save(&old, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(crate::osv::load(dir.path()).is_err());
    assert!(
        crate::osv::load(&dir.path().join("none"))
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
}
