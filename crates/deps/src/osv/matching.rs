//! Matching a version (or a specifier range) against the index: OSV
//! `ECOSYSTEM` range semantics (`introduced`, `fixed`, `last_affected`,
//! `limit`) with PEP 440 ordering, explicit `versions` lists, and advisories
//! that alias each other (PYSEC, GHSA, CVE ids) merged into one group.

use crate::osv::record::Event;
use crate::osv::store::{Db, DbAdvisory, DbEntry};
use crate::version::{Version, VersionSpecifiers, parse, same_release};
use std::collections::BTreeSet;

/// Advisories (merged through aliases) that affect one dependency.
#[derive(Clone, Debug)]
pub struct Group<'a> {
    pub advisories: Vec<&'a DbAdvisory>,
    /// Every id and alias, the advisories' own ids first.
    pub ids: Vec<String>,
    /// Versions with a fix, from the `fixed` events, in PEP 440 order.
    pub fixed: Vec<String>,
}

impl Group<'_> {
    /// The highest CVSS v3 score of the group.
    pub fn score(&self) -> Option<f32> {
        self.advisories
            .iter()
            .filter_map(|a| a.score)
            .reduce(f32::max)
    }

    /// CVSS vectors of the group, deduplicated.
    pub fn vectors(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .advisories
            .iter()
            .flat_map(|a| a.cvss.iter().map(String::as_str))
            .collect();
        v.dedup();
        v
    }

    /// `database_specific` severity labels of the group.
    pub fn labels(&self) -> Vec<&str> {
        self.advisories
            .iter()
            .filter_map(|a| a.severity.as_deref())
            .collect()
    }

    pub fn summary(&self) -> &str {
        self.advisories
            .iter()
            .map(|a| a.summary.as_str())
            .find(|s| !s.is_empty())
            .unwrap_or("")
    }
}

/// A range event whose version is not PEP 440, with the advisory id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatchable {
    pub advisory: String,
    pub reason: String,
}

/// Whether `v` is affected by `entry`. An `Err` means a range could not be
/// evaluated and the `versions` list did not settle it either.
pub fn affects(entry: &DbEntry, v: &Version) -> Result<bool, String> {
    if entry
        .versions
        .iter()
        .filter_map(|s| parse(s))
        .any(|l| same_release(v, &l))
    {
        return Ok(true);
    }
    // A local build (`2.1.0+cu121`) is its release for range bounds, so that
    // `last_affected: 2.1.0` covers it (PEP 440 alone orders it above 2.1.0).
    let release = v.clone().without_local();
    let mut error = None;
    for range in &entry.ranges {
        match in_range(range, &release) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(e) => error = Some(e),
        }
    }
    match error {
        // The explicit list is OSV's enumeration of the range; with one, an
        // unreadable range event does not leave the answer open.
        Some(e) if entry.versions.is_empty() => Err(e),
        _ => Ok(false),
    }
}

/// OSV's evaluation of one `ECOSYSTEM` range: events sorted by version,
/// `introduced` opens, `fixed` (at or above) and `last_affected` (above)
/// close; a `limit` caps the range from above.
fn in_range(events: &[Event], v: &Version) -> Result<bool, String> {
    let version = |s: &str| parse(s).ok_or_else(|| format!("range version '{s}' is not PEP 440"));
    let mut sorted: Vec<(Option<Version>, &Event)> = Vec::with_capacity(events.len());
    for e in events {
        let key = match (&e.introduced, &e.fixed, &e.last_affected, &e.limit) {
            (Some(i), ..) if i == "0" => None,
            (Some(s), ..)
            | (None, Some(s), ..)
            | (None, None, Some(s), _)
            | (None, None, None, Some(s)) => Some(version(s)?),
            (None, None, None, None) => continue,
        };
        sorted.push((key, e));
    }
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut affected = false;
    for (key, e) in &sorted {
        let at = key.as_ref();
        if e.introduced.is_some() {
            if at.is_none_or(|i| v >= i) {
                affected = true;
            }
        } else if e.fixed.is_some() {
            if at.is_some_and(|f| v >= f) {
                affected = false;
            }
        } else if e.last_affected.is_some() {
            if at.is_some_and(|l| v > l) {
                affected = false;
            }
        } else if e.limit.is_some() && at.is_some_and(|l| v >= l) {
            affected = false;
        }
    }
    Ok(affected)
}

/// The `fixed` versions of `entry`.
fn fixed(entry: &DbEntry) -> impl Iterator<Item = &str> {
    entry
        .ranges
        .iter()
        .flatten()
        .filter_map(|e| e.fixed.as_deref())
}

/// Advisories affecting `name` at `version`, merged by alias; plus the
/// advisories that could not be evaluated.
pub fn match_version<'a>(
    db: &'a Db,
    name: &str,
    version: &Version,
) -> (Vec<Group<'a>>, Vec<Unmatchable>) {
    collect(db, name, |e| affects(e, version))
}

/// Advisories for which some version admitted by `specs` is affected.
///
/// The candidate versions are the advisory's explicit `versions`, its
/// `introduced` and `last_affected` bounds, and the lower bounds of `specs`
/// itself (`>=`, `~=`, `==`): an approximation (a range whose affected
/// versions are none of these is missed), documented on the rule.
pub fn match_range<'a>(db: &'a Db, name: &str, specs: &VersionSpecifiers) -> Vec<Group<'a>> {
    use crate::version::Operator;
    let own: Vec<Version> = specs
        .iter()
        .filter(|s| {
            matches!(
                s.operator(),
                Operator::GreaterThanEqual | Operator::TildeEqual | Operator::Equal
            )
        })
        .map(|s| s.version().clone())
        .collect();
    collect(db, name, |e| {
        let bounds = e.ranges.iter().flatten().filter_map(|ev| {
            ev.introduced
                .as_deref()
                .filter(|i| *i != "0")
                .or(ev.last_affected.as_deref())
        });
        let hit = e
            .versions
            .iter()
            .map(String::as_str)
            .chain(bounds)
            .filter_map(parse)
            .chain(own.iter().cloned())
            .any(|c| specs.contains(&c) && affects(e, &c).unwrap_or(false));
        Ok(hit)
    })
    .0
}

fn collect<'a>(
    db: &'a Db,
    name: &str,
    mut test: impl FnMut(&DbEntry) -> Result<bool, String>,
) -> (Vec<Group<'a>>, Vec<Unmatchable>) {
    let mut hits: Vec<(&'a DbAdvisory, Vec<String>)> = Vec::new();
    let mut open = Vec::new();
    for entry in db.packages.get(name).map(Vec::as_slice).unwrap_or(&[]) {
        let Some(adv) = db.advisory(entry) else {
            continue;
        };
        match test(entry) {
            Ok(true) => {
                let f: Vec<String> = fixed(entry).map(str::to_string).collect();
                match hits.iter_mut().find(|(a, _)| a.id == adv.id) {
                    Some((_, fx)) => fx.extend(f),
                    None => hits.push((adv, f)),
                }
            }
            Ok(false) => {}
            Err(reason) => open.push(Unmatchable {
                advisory: adv.id.clone(),
                reason,
            }),
        }
    }
    (merge(hits), open)
}

/// Union the hits whose ids or aliases overlap.
fn merge<'a>(hits: Vec<(&'a DbAdvisory, Vec<String>)>) -> Vec<Group<'a>> {
    let mut groups: Vec<(BTreeSet<String>, Group<'a>)> = Vec::new();
    for (adv, fixed) in hits {
        let names: BTreeSet<String> = std::iter::once(adv.id.clone())
            .chain(adv.aliases.iter().cloned())
            .collect();
        let mut merged = Group {
            advisories: vec![adv],
            ids: Vec::new(),
            fixed,
        };
        let mut keys = names;
        // Absorb every existing group that shares a name (transitively).
        let mut i = 0;
        while i < groups.len() {
            if groups.get(i).is_some_and(|(k, _)| !k.is_disjoint(&keys)) {
                let (k, g) = groups.swap_remove(i);
                keys.extend(k);
                merged.advisories.extend(g.advisories);
                merged.fixed.extend(g.fixed);
                i = 0;
            } else {
                i += 1;
            }
        }
        groups.push((keys, merged));
    }
    let mut out: Vec<Group<'a>> = groups
        .into_iter()
        .map(|(keys, mut g)| {
            g.advisories.sort_by(|a, b| a.id.cmp(&b.id));
            let own: Vec<String> = g.advisories.iter().map(|a| a.id.clone()).collect();
            g.ids = own
                .iter()
                .cloned()
                .chain(keys.into_iter().filter(|k| !own.contains(k)))
                .collect();
            let mut fixed: Vec<(Option<Version>, String)> =
                g.fixed.drain(..).map(|f| (parse(&f), f)).collect();
            fixed.sort();
            fixed.dedup_by(|a, b| a.1 == b.1);
            g.fixed = fixed.into_iter().map(|(_, f)| f).collect();
            g
        })
        .collect();
    out.sort_by(|a, b| a.ids.cmp(&b.ids));
    out
}

#[cfg(test)]
mod tests;
