//! PEP 440 versions and specifiers through `pep440_rs`, plus the one
//! decision the readers need: is a specifier set a pin or a range.

pub use pep440_rs::{Operator, Version, VersionSpecifiers};
use std::str::FromStr;

/// Longest version or specifier string looked at (longer ones are malformed).
pub const MAX_SPEC_LEN: usize = 1024;

/// A PEP 440 version, or `None` when `s` is not one.
pub fn parse(s: &str) -> Option<Version> {
    let s = s.trim();
    if s.is_empty() || s.len() > MAX_SPEC_LEN {
        return None;
    }
    Version::from_str(s).ok()
}

/// A PEP 440 specifier set (`>=1.0,<2`); empty text is "any version".
pub fn parse_specifiers(s: &str) -> Result<VersionSpecifiers, String> {
    let s = s.trim();
    if s.len() > MAX_SPEC_LEN {
        return Err(format!("specifier longer than {MAX_SPEC_LEN} bytes"));
    }
    if s.is_empty() {
        return Ok(VersionSpecifiers::empty());
    }
    VersionSpecifiers::from_str(s).map_err(|e| e.to_string())
}

/// The one version a specifier set pins (`==1.2.3` or `===1.2.3`), if it pins one.
pub fn pinned(specs: &VersionSpecifiers) -> Option<&Version> {
    let mut exact = specs
        .iter()
        .filter(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual));
    let first = exact.next()?;
    // `==1.0,!=1.0.post1` still pins 1.0; two different `==` pin nothing.
    if exact.any(|s| s.version() != first.version()) {
        return None;
    }
    Some(first.version())
}

/// Whether `installed` is the listed version `listed` in the sense of PEP 440
/// `==`: a local label on the installed build (`2.1.0+cu121`) is ignored when
/// the listed version has none.
pub fn same_release(installed: &Version, listed: &Version) -> bool {
    if listed.local().is_empty() {
        installed.clone().without_local() == *listed
    } else {
        installed == listed
    }
}

#[cfg(test)]
mod tests;
