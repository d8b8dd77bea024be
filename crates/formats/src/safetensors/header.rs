//! Reading the header JSON without losing what serde_json would hide
//! (duplicate keys, wrongly typed fields); `layout` checks what was read.
//!
//! The visitors keep only what the checks need and bound every collection:
//! tensors by [`MAX_TENSORS`], shapes by [`MAX_RANK`], names by
//! [`MAX_NAME_LEN`]; values nobody needs are skipped with `IgnoredAny`
//! (serde_json's recursion limit bounds their nesting).

use super::{MAX_NAME_LEN, MAX_RANK, MAX_TENSORS, MetaValue};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The key of the metadata map.
const METADATA_KEY: &str = "__metadata__";
/// The fields of a tensor entry, in the order the visitor numbers them.
const FIELDS: [&str; 3] = ["dtype", "shape", "data_offsets"];

/// A tensor entry as read, before any check. Field problems are kept as text.
#[derive(Default)]
pub(super) struct RawEntry {
    pub(super) name: String,
    pub(super) dtype: Option<String>,
    pub(super) shape: Option<Vec<u64>>,
    pub(super) offsets: Option<(u64, u64)>,
    pub(super) problems: Vec<String>,
    pub(super) duplicate_fields: Vec<&'static str>,
}

/// The whole header as read.
#[derive(Default)]
pub(super) struct RawHeader {
    pub(super) entries: Vec<RawEntry>,
    pub(super) metadata: Vec<(String, MetaValue)>,
    pub(super) metadata_seen: usize,
    pub(super) metadata_problem: Option<String>,
}

/// Parse the header JSON (exactly one object, whitespace after it allowed).
pub(super) fn read(json: &[u8]) -> Result<RawHeader, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let raw = de.deserialize_map(HeaderVisitor)?;
    de.end()?;
    Ok(raw)
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = RawHeader;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of tensor entries")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader, A::Error> {
        let mut h = RawHeader::default();
        while let Some(Name(key)) = map.next_key()? {
            if key == METADATA_KEY {
                h.metadata_seen += 1;
                match map.next_value_seed(MetadataSeed)? {
                    Ok(pairs) => h.metadata.extend(pairs),
                    Err(problem) => h.metadata_problem = Some(problem),
                }
                continue;
            }
            if h.entries.len() >= MAX_TENSORS {
                return Err(de::Error::custom(format!(
                    "more than {MAX_TENSORS} tensors"
                )));
            }
            let mut entry = map.next_value_seed(EntrySeed)?;
            entry.name = key;
            h.entries.push(entry);
        }
        Ok(h)
    }
}

/// A key or name, refused past [`MAX_NAME_LEN`] before it is copied.
struct Name(String);

impl<'de> de::Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Name, E> {
                if s.len() > MAX_NAME_LEN {
                    return Err(E::custom(format!(
                        "a key of {} bytes, over the limit of {MAX_NAME_LEN}",
                        s.len()
                    )));
                }
                Ok(Name(s.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value reduced to what a field check needs.
enum Scalar {
    Str(String),
    Uint(u64),
    Other(&'static str),
}

impl Scalar {
    fn kind(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "string",
            Scalar::Uint(_) => "integer",
            Scalar::Other(k) => k,
        }
    }
}

/// Implements the non-container `visit_*` methods of a visitor whose
/// value is built by `$wrap` from a [`Scalar`].
macro_rules! scalar_visits {
    ($wrap:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Other("boolean")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok($wrap(match u64::try_from(v) {
                Ok(u) => Scalar::Uint(u),
                Err(_) => Scalar::Other("negative number"),
            }))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Uint(v)))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Other("fractional number")))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Str(s.to_string())))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Other("null")))
        }
    };
}

/// Skip the rest of a sequence.
fn drain_seq<'de, A: SeqAccess<'de>>(seq: &mut A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Skip the rest of a map.
fn drain_map<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            scalar_visits!(|s| s);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                drain_seq(&mut seq)?;
                Ok(Scalar::Other("array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                drain_map(&mut map)?;
                Ok(Scalar::Other("object"))
            }
        }
        d.deserialize_any(V)
    }
}

/// `__metadata__`: an object of strings, or null. `Err` holds the problem.
struct MetadataSeed;

impl<'de> DeserializeSeed<'de> for MetadataSeed {
    type Value = Result<Vec<(String, MetaValue)>, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Result<Vec<(String, MetaValue)>, String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            scalar_visits!(|s: Scalar| match s {
                Scalar::Other("null") => Ok(Vec::new()),
                other => Err(format!("__metadata__ is a {}, not an object", other.kind())),
            });
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(&mut seq)?;
                Ok(Err("__metadata__ is an array, not an object".into()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(Name(key)) = map.next_key()? {
                    let value = match map.next_value::<Scalar>()? {
                        Scalar::Str(s) => MetaValue::Str(s),
                        other => MetaValue::Other(other.kind()),
                    };
                    pairs.push((key, value));
                }
                Ok(Ok(pairs))
            }
        }
        d.deserialize_any(V)
    }
}

/// One tensor entry: an object of `dtype`, `shape`, `data_offsets`.
struct EntrySeed;

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = RawEntry;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawEntry, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

fn not_an_object(kind: &str) -> RawEntry {
    RawEntry {
        problems: vec![format!("the entry is a {kind}, not an object")],
        ..RawEntry::default()
    }
}

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = RawEntry;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tensor entry object")
    }
    scalar_visits!(|s: Scalar| not_an_object(s.kind()));
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawEntry, A::Error> {
        drain_seq(&mut seq)?;
        Ok(not_an_object("array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEntry, A::Error> {
        let mut e = RawEntry::default();
        let mut seen = [false; FIELDS.len()];
        while let Some(Name(key)) = map.next_key()? {
            let Some(slot) = FIELDS.iter().position(|f| *f == key) else {
                // The reference ignores unknown fields; so do we.
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if let (Some(s), Some(field)) = (seen.get_mut(slot), FIELDS.get(slot)) {
                if *s {
                    e.duplicate_fields.push(field);
                }
                *s = true;
            }
            match slot {
                0 => match map.next_value::<Scalar>()? {
                    Scalar::Str(s) => e.dtype = Some(s),
                    other => e.problems.push(format!("dtype is a {}", other.kind())),
                },
                1 => match map.next_value_seed(ShapeSeed)? {
                    Ok(shape) => e.shape = Some(shape),
                    Err(p) => e.problems.push(p),
                },
                _ => match map.next_value_seed(OffsetsSeed)? {
                    Ok(o) => e.offsets = Some(o),
                    Err(p) => e.problems.push(p),
                },
            }
        }
        for (present, field) in seen.iter().zip(FIELDS) {
            if !present {
                e.problems.push(format!("{field} is missing"));
            }
        }
        Ok(e)
    }
}

/// A shape: non-negative integers, at most [`MAX_RANK`] of them (more is
/// fatal: it bounds memory). `Err` holds a non-fatal problem.
struct ShapeSeed;

impl<'de> DeserializeSeed<'de> for ShapeSeed {
    type Value = Result<Vec<u64>, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Result<Vec<u64>, String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of dimensions")
            }
            scalar_visits!(|s: Scalar| Err(format!("shape is a {}", s.kind())));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                drain_map(&mut map)?;
                Ok(Err("shape is an object".into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut dims = Vec::new();
                let mut problem = None;
                while let Some(dim) = seq.next_element::<Scalar>()? {
                    if dims.len() >= MAX_RANK {
                        return Err(de::Error::custom(format!(
                            "a shape of more than {MAX_RANK} dimensions"
                        )));
                    }
                    match dim {
                        Scalar::Uint(n) => dims.push(n),
                        other => {
                            problem.get_or_insert(format!("shape holds a {}", other.kind()));
                            dims.push(0);
                        }
                    }
                }
                Ok(problem.map_or(Ok(dims), Err))
            }
        }
        d.deserialize_any(V)
    }
}

/// `data_offsets`: exactly two non-negative integers.
struct OffsetsSeed;

impl<'de> DeserializeSeed<'de> for OffsetsSeed {
    type Value = Result<(u64, u64), String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Result<(u64, u64), String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[start, end]")
            }
            scalar_visits!(|s: Scalar| Err(format!("data_offsets is a {}", s.kind())));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                drain_map(&mut map)?;
                Ok(Err("data_offsets is an object".into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut vals = [0u64; 2];
                let mut n = 0usize;
                let mut problem = None;
                while let Some(v) = seq.next_element::<Scalar>()? {
                    match (v, vals.get_mut(n)) {
                        (Scalar::Uint(x), Some(slot)) => *slot = x,
                        (Scalar::Uint(_), None) => {}
                        (other, _) => {
                            problem.get_or_insert(format!("data_offsets holds a {}", other.kind()));
                        }
                    }
                    n += 1;
                }
                if n != 2 {
                    problem.get_or_insert(format!("data_offsets holds {n} values, not 2"));
                }
                let [start, end] = vals;
                Ok(problem.map_or(Ok((start, end)), Err))
            }
        }
        d.deserialize_any(V)
    }
}
