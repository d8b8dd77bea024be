//! Container image references: `[registry[:port]/]name[:tag][@digest]`, and
//! how well a reference is pinned.

/// How an image reference is pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pin {
    /// `@sha256:...` (with or without a tag).
    Digest,
    /// A tag other than `latest`.
    Tag,
    /// The tag `latest`.
    Latest,
    /// Neither tag nor digest.
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> Self {
        let image = image.trim();
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        // A ':' after the last '/' is a tag; before it, a registry port.
        let slash = rest.rfind('/').map_or(0, |p| p + 1);
        let last = rest.get(slash..).unwrap_or("");
        let (name, tag) = match last.rfind(':') {
            Some(p) => (
                rest.get(..slash + p).unwrap_or(rest),
                rest.get(slash + p + 1..),
            ),
            None => (rest, None),
        };
        ImageRef { name, tag, digest }
    }

    pub fn pin(&self) -> Pin {
        if self.digest.is_some_and(|d| d.contains(':')) {
            Pin::Digest
        } else {
            match self.tag {
                Some(t) if t.eq_ignore_ascii_case("latest") => Pin::Latest,
                Some(t) if !t.is_empty() => Pin::Tag,
                _ => Pin::None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert_eq!(ImageRef::parse("python").pin(), Pin::None);
        assert_eq!(ImageRef::parse("localhost:5000/app").pin(), Pin::None);
        assert_eq!(ImageRef::parse("localhost:5000/app:1.2").pin(), Pin::Tag);
        assert_eq!(
            ImageRef::parse("vllm/vllm-openai:latest").pin(),
            Pin::Latest
        );
        assert_eq!(ImageRef::parse("a:1@sha256:abc").pin(), Pin::Digest);
        assert_eq!(
            ImageRef::parse("nvcr.io/nvidia/tritonserver:24.08-py3").name,
            "nvcr.io/nvidia/tritonserver"
        );
    }
}
