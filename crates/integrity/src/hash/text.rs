//! The `sha256sum` (and `b3sum`) text form of a manifest: `HEX  NAME` per
//! file, with GNU coreutils' escaping of names that hold a newline, a
//! carriage return or a backslash (the line then starts with `\`), so that
//! `sha256sum -c` reads it back.

use super::{Manifest, Serialization};
use crate::Error;

/// One line, without the trailing newline.
pub fn sha256sum_line(hex: &str, name: &str) -> String {
    if name.contains(['\n', '\r', '\\']) {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{hex}  {escaped}")
    } else {
        format!("{hex}  {name}")
    }
}

/// The whole manifest as `sha256sum` text. Names are relative to the model
/// directory (check with `cd MODEL && sha256sum -c`); for a single-file model
/// `single_name` replaces model_signing's ".". Shard manifests have no such
/// form (their digests are not whole-file digests).
pub fn sha256sum_text(m: &Manifest, single_name: &str) -> Result<String, Error> {
    if m.serialization != Serialization::Files {
        return Err(Error::InvalidOption(
            "the sha256sum form needs whole-file digests (files serialization)".into(),
        ));
    }
    let mut out = String::new();
    for r in &m.resources {
        let name = if r.path == "." {
            single_name
        } else {
            r.path.as_str()
        };
        out.push_str(&sha256sum_line(&r.digest, name));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_escaped_names() {
        assert_eq!(sha256sum_line("ab", "a b"), "ab  a b");
        assert_eq!(sha256sum_line("ab", "a\nb\\c"), "\\ab  a\\nb\\\\c");
    }
}
