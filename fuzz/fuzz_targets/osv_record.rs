#![no_main]
//! OSV JSON records into the index, then matching: every stored entry is
//! evaluated at a few versions (ML local builds, pre-releases, epochs) and
//! against a few ranges, and the index survives a JSON round trip.
//!
//! Asserted: no panic; a withdrawn record is never stored; every stored
//! entry points at a stored advisory; matched groups are non-empty and list
//! their advisories' ids first.

use aigis_deps::osv::import::add_record;
use aigis_deps::osv::matching::{match_range, match_version};
use aigis_deps::osv::Db;
use aigis_deps::version::{parse, parse_specifiers};
use libfuzzer_sys::fuzz_target;

const VERSIONS: [&str; 6] = ["0", "1.0", "2.1.0+cu121", "2.6.0rc1", "1!0.1", "1.0.post1.dev2"];
const RANGES: [&str; 3] = ["", ">=1.0,<2", "~=2.1"];

fuzz_target!(|data: &[u8]| {
    let mut db = Db::default();
    add_record(data, &mut db);
    assert_eq!(db.records_read, 1);
    if db.withdrawn == 1 {
        assert!(db.advisories.is_empty());
    }
    for entries in db.packages.values() {
        for e in entries {
            assert!(db.advisory(e).is_some());
        }
    }
    let names: Vec<String> = db.packages.keys().cloned().collect();
    for name in &names {
        for v in VERSIONS.iter().filter_map(|v| parse(v)) {
            let (groups, _) = match_version(&db, name, &v);
            for g in &groups {
                assert!(!g.advisories.is_empty());
                for (a, id) in g.advisories.iter().zip(&g.ids) {
                    assert_eq!(&a.id, id);
                }
                let _ = (g.score(), g.vectors(), g.labels(), g.summary());
            }
        }
        for r in RANGES {
            if let Ok(specs) = parse_specifiers(r) {
                let _ = match_range(&db, name, &specs);
            }
        }
    }
    let json = serde_json::to_vec(&db).expect("serialize");
    let back: Db = serde_json::from_slice(&json).expect("round trip");
    assert_eq!(back.advisories.len(), db.advisories.len());
});
