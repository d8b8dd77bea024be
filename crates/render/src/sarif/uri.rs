//! File paths as SARIF artifact URIs.
//!
//! GitHub matches alerts to files by `artifactLocation.uri`, so a relative
//! path must stay relative (resolved against `%SRCROOT%`, the checkout root),
//! use forward slashes, and be a valid URI reference: spaces, `%`, `#`, `?`,
//! `:` and every non-ASCII byte are percent-encoded. Absolute paths become
//! `file://` URIs without a base.

/// The URI base of relative paths: the root of the scanned source tree.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

/// The prefix of host findings' pseudo-locations (a relative file whose name
/// starts with `host:` is read as one too; such names are vanishingly rare).
const HOST_SCHEME: &str = "host:";

/// `uri` and `uriBaseId` for a path as it appears in a report.
///
/// Backslashes are read as separators (a Windows path); a literal backslash
/// in a Unix file name is rare enough that a stable URI matters more.
pub(crate) fn artifact_uri(path: &str) -> (String, Option<&'static str>) {
    // Host findings (`aigis scan --host`) are about no file of the tree:
    // their pseudo-location `host:WHAT` is kept as an absolute URI of the
    // `host` scheme, without a base.
    if let Some(rest) = path.strip_prefix(HOST_SCHEME) {
        return (format!("{HOST_SCHEME}{}", encode(rest)), None);
    }
    let path = path.replace('\\', "/");
    if path.starts_with("//") {
        // A UNC path: `//server/share/x` -> `file://server/share/x`.
        return (format!("file:{}", encode(&path)), None);
    }
    if path.starts_with('/') {
        return (format!("file://{}", encode(&path)), None);
    }
    if let Some((drive, rest)) = windows_drive(&path) {
        return (format!("file:///{drive}:{}", encode(rest)), None);
    }
    let mut relative = path.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest.trim_start_matches('/');
    }
    (encode(relative), Some(SRCROOT))
}

/// `C:/x/y` -> `('C', "/x/y")`.
fn windows_drive(path: &str) -> Option<(char, &str)> {
    let mut chars = path.chars();
    let drive = chars.next().filter(char::is_ascii_alphabetic)?;
    let rest = path.get(1..)?.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with('/')).then_some((drive, rest))
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_encoded_against_srcroot() {
        assert_eq!(
            artifact_uri("models/evil model.pkl"),
            ("models/evil%20model.pkl".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            artifact_uri("./données/modèle#1?.pt"),
            (
                "donn%C3%A9es/mod%C3%A8le%231%3F.pt".to_string(),
                Some(SRCROOT)
            )
        );
        assert_eq!(artifact_uri("a:b").0, "a%3Ab", "no scheme look-alike");
        assert_eq!(artifact_uri("100%.pkl").0, "100%25.pkl");
    }

    #[test]
    fn host_pseudo_locations_keep_their_scheme() {
        assert_eq!(
            artifact_uri("host:port/tcp/8080"),
            ("host:port/tcp/8080".to_string(), None)
        );
        assert_eq!(
            artifact_uri("host:/proc/net/tcp6"),
            ("host:/proc/net/tcp6".to_string(), None)
        );
    }

    #[test]
    fn backslashes_become_slashes() {
        assert_eq!(
            artifact_uri(r"models\sub\m.pt"),
            ("models/sub/m.pt".to_string(), Some(SRCROOT))
        );
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(
            artifact_uri("/srv/models/a b.pt"),
            ("file:///srv/models/a%20b.pt".to_string(), None)
        );
        assert_eq!(
            artifact_uri(r"\\server\share\m.pt").0,
            "file://server/share/m.pt"
        );
        assert_eq!(
            artifact_uri(r"C:\Models\m.pt"),
            ("file:///C:/Models/m.pt".to_string(), None)
        );
    }
}
