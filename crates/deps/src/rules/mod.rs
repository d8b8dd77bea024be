//! The dependency audit's rules (AIG600–AIG619): metadata and docs only;
//! [`crate::audit`] fires them.

use aigis_findings::Rule;

pub mod dependency_audit_inconclusive;
pub mod dependency_range_admits_vulnerable;
pub mod unpinned_dependency;
pub mod unresolvable_dependency;
pub mod vulnerable_dependency;

/// Every rule, sorted by id.
pub static ALL: &[&Rule] = &[
    &vulnerable_dependency::RULE,
    &dependency_range_admits_vulnerable::RULE,
    &unpinned_dependency::RULE,
    &dependency_audit_inconclusive::RULE,
    &unresolvable_dependency::RULE,
];
