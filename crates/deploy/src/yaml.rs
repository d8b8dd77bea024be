//! A position-carrying YAML tree for untrusted manifests, read with
//! `serde-saphyr` under a budget (size, nesting, aliases, nodes, documents).
//!
//! Every node keeps the 1-based line and column where it was written (for an
//! alias, where it was referenced), so that rules can point at the key that
//! is wrong. Nothing here evaluates tags or includes; an input over a limit
//! is an error, which callers turn into an inconclusive finding.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::limits::{
    MAX_CONFIG_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_DOCUMENTS, MAX_YAML_NODES,
    MAX_YAML_REPLAYED_EVENTS,
};

/// One YAML node and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub line: u32,
    pub column: u32,
    pub value: Value,
}

/// The value of a node. Numbers are kept as written (rules compare text).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value of `key` when this is a mapping with that string key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key node of `key` (for its position), when present.
    pub fn key(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, _)| k),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text (`true`, `8080`, `host`), for comparisons.
    pub fn scalar(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// `true` for a boolean true (or the strings `true`/`yes` compose accepts).
    pub fn is_true(&self) -> bool {
        match &self.value {
            Value::Bool(b) => *b,
            Value::Str(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "on"),
            _ => false,
        }
    }

    /// `true` for a boolean false (or `false`/`no` strings).
    pub fn is_false(&self) -> bool {
        match &self.value {
            Value::Bool(b) => !*b,
            Value::Str(s) => matches!(s.to_ascii_lowercase().as_str(), "false" | "no" | "off"),
            _ => false,
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(v) => v,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(v) => v,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            line: u32::try_from(s.referenced.line()).unwrap_or(u32::MAX),
            column: u32::try_from(s.referenced.column()).unwrap_or(u32::MAX),
            value: s.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            out.push(n);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<Node, Node>()? {
            out.push((k, v));
        }
        Ok(Value::Map(out))
    }
}

/// Why a YAML (or JSON) stream could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    #[error("too large: {0} bytes (the limit is {MAX_CONFIG_BYTES})")]
    TooLarge(usize),
    #[error("line {line}: {message}")]
    Syntax { line: u32, message: String },
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_YAML_DEPTH,
            max_aliases: MAX_YAML_ALIASES,
            max_anchors: MAX_YAML_ALIASES,
            max_documents: MAX_YAML_DOCUMENTS,
            max_nodes: MAX_YAML_NODES,
            max_total_scalar_bytes: MAX_CONFIG_BYTES,
            max_reader_input_bytes: Some(MAX_CONFIG_BYTES),
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_YAML_REPLAYED_EVENTS,
            max_replay_stack_depth: 16,
        },
    }
}

/// Every non-empty document of a YAML stream, under the budget.
pub fn parse_documents(source: &str) -> Result<Vec<Node>, YamlError> {
    if source.len() > MAX_CONFIG_BYTES {
        return Err(YamlError::TooLarge(source.len()));
    }
    serde_saphyr::from_multiple_with_options::<Node>(source, options()).map_err(syntax)
}

fn syntax(e: serde_saphyr::Error) -> YamlError {
    let line = e
        .location()
        .map(|l| u32::try_from(l.line()).unwrap_or(u32::MAX))
        .unwrap_or(1);
    let mut message = e.to_string();
    // The crate's message may quote a snippet of the input; keep one line.
    if let Some(first) = message.lines().next() {
        message = first.chars().take(200).collect();
    }
    YamlError::Syntax { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_keep_their_positions() {
        let docs = parse_documents("a: 1\nb:\n  c: [x, true]\n---\nkind: Pod\n").unwrap();
        assert_eq!(docs.len(), 2);
        let c = docs[0].path(&["b", "c"]).unwrap();
        assert_eq!((c.line, c.items()[1].value.clone()), (3, Value::Bool(true)));
        assert_eq!(docs[0].key("b").map(|k| (k.line, k.column)), Some((2, 1)));
        assert_eq!(docs[1].get("kind").and_then(Node::as_str), Some("Pod"));
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let started = std::time::Instant::now();
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse_documents(&bomb).is_err());
        // It took 8 s with the crate's default replay limit (1,000,000 events).
        assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "[".repeat(10_000);
        assert!(parse_documents(&deep).is_err());
    }

    #[test]
    fn json_reads_as_yaml() {
        let d = parse_documents("{\n  \"icc\": false,\n  \"hosts\": [\"tcp://0.0.0.0:2375\"]\n}")
            .unwrap();
        assert_eq!(d[0].get("hosts").map(|h| h.items()[0].line), Some(3));
    }
}
