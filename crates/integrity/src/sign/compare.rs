//! The comparison of a signed manifest with a freshly computed one, by file:
//! a file whose signed resources (one, or its shards) all match is fine; one
//! that is only signed is missing, one only on disk is extra, and any other
//! difference (content, or size and so shard boundaries) is a modification.

use super::Problem;
use super::bundle::SignedResource;
use crate::hash::Manifest;
use std::collections::BTreeMap;

type ByFile<'a> = BTreeMap<&'a str, Vec<(String, &'a str)>>;

pub(crate) fn diff(signed: &[SignedResource], actual: &Manifest) -> Vec<Problem> {
    let mut want: ByFile<'_> = BTreeMap::new();
    for r in signed {
        want.entry(r.path.as_str())
            .or_default()
            .push((r.name.clone(), r.digest.as_str()));
    }
    let mut have: ByFile<'_> = BTreeMap::new();
    for r in &actual.resources {
        have.entry(r.path.as_str())
            .or_default()
            .push((r.name(), r.digest.as_str()));
    }
    let mut problems = Vec::new();
    for (path, w) in &mut want {
        match have.get_mut(path) {
            None => problems.push(Problem::Missing {
                path: path.to_string(),
            }),
            Some(h) => {
                w.sort();
                h.sort();
                if w != h {
                    problems.push(Problem::Modified {
                        path: path.to_string(),
                    });
                }
            }
        }
    }
    for path in have.keys() {
        if !want.contains_key(path) {
            problems.push(Problem::Extra {
                path: path.to_string(),
            });
        }
    }
    problems
}
