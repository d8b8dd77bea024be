//! Named limits of every reader in this crate. Inputs over a limit are not
//! analysed (or analysed up to the limit) and reported as inconclusive.

/// Largest configuration file analysed (Dockerfile, YAML stream, nginx file, daemon.json).
pub const MAX_CONFIG_BYTES: usize = 4 << 20;
/// YAML: deepest nesting of collections.
pub const MAX_YAML_DEPTH: usize = 64;
/// YAML: aliases (and anchors) in one stream; manifests rarely use any.
pub const MAX_YAML_ALIASES: usize = 256;
/// YAML: events replayed through aliases in one stream (a billion-laughs
/// expansion stops here, in milliseconds rather than seconds).
pub const MAX_YAML_REPLAYED_EVENTS: usize = 20_000;
/// YAML: documents in one stream (a large Helm render has a few hundred).
pub const MAX_YAML_DOCUMENTS: usize = 2_000;
/// YAML: nodes in one stream.
pub const MAX_YAML_NODES: usize = 500_000;
/// Dockerfile: instructions read; the rest is not analysed.
pub const MAX_DOCKERFILE_INSTRUCTIONS: usize = 10_000;
/// Dockerfile: physical lines joined into one instruction by `\` continuations.
pub const MAX_CONTINUATION_LINES: usize = 2_000;
/// nginx: depth of nested blocks.
pub const MAX_NGINX_DEPTH: usize = 32;
/// nginx: directives in one file and its includes together.
pub const MAX_NGINX_DIRECTIVES: usize = 100_000;
/// nginx: depth of `include` chains.
pub const MAX_INCLUDE_DEPTH: usize = 8;
/// nginx: files read through `include` for one entry file.
pub const MAX_INCLUDED_FILES: usize = 256;
/// Findings kept per file; later ones are dropped.
pub const MAX_FINDINGS: usize = 2_000;
/// Characters of evidence kept.
pub const MAX_EVIDENCE_CHARS: usize = 200;
