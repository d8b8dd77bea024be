//! From a rebuilt pickle to names: how nested containers become safetensors
//! tensor names and `__metadata__` entries.
//!
//! The rules (documented in the README):
//! - dict keys and list/tuple indices are joined with `.`, as
//!   `{"state_dict": {"fc.weight": t}}` → `state_dict.fc.weight`; a tensor
//!   that is the whole checkpoint takes [`crate::Options::name`];
//! - a tensor (or parameter) reached twice (tied weights) is written under
//!   each name, each with its own bytes;
//! - str, int, float, bool and None values, devices and dtypes become
//!   `__metadata__` entries (safetensors metadata is str → str), e.g.
//!   `epoch` → `"3"`;
//! - everything else (bytes, bare storages, empty containers, attributes set
//!   by BUILD such as an OrderedDict's `_metadata`, strings over
//!   [`crate::MAX_METADATA_VALUE`]) is skipped and listed in the summary;
//! - two values that flatten to the same name refuse the conversion.
//!
//! The walk uses an explicit stack under [`crate::Limits::max_depth`] and
//! [`crate::Limits::max_walk`] (elements pushed), and names are at most
//! [`crate::MAX_NAME_LEN`] bytes: a cyclic or exponentially shared
//! structure, or one with huge keys, ends in a refusal, not a hang.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use aigis_pickle::rebuild::{Global, ObjId, Object, Rebuilt, Value};

use crate::{ConvertError, Limits, MAX_METADATA_ENTRIES, MAX_METADATA_VALUE, MAX_NAME_LEN};

/// The names found in one rebuilt pickle.
#[derive(Debug, Default)]
pub struct Flat {
    /// Tensor names and their [`Object::Tensor`]s.
    pub tensors: Vec<(String, ObjId)>,
    pub metadata: BTreeMap<String, String>,
    /// Values left out: name and reason.
    pub skipped: Vec<(String, String)>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value still to visit: the root, or element `index` of a container
/// whose own name is `parent` (resolved when popped, so that a long name
/// is never copied into every pending child).
struct Item {
    parent: Rc<str>,
    container: Option<ObjId>,
    index: usize,
    depth: usize,
}

/// The value and its name part for `item`.
fn resolve(r: &Rebuilt, item: &Item) -> Option<(Value, String)> {
    let Some(c) = item.container else {
        return Some((r.root, String::new()));
    };
    match r.get(c)? {
        Object::Dict(d) => d.entries.get(item.index).map(|(k, v)| (*v, k.to_string())),
        Object::List(v) | Object::Tuple(v) => {
            v.get(item.index).map(|v| (*v, item.index.to_string()))
        }
        _ => None,
    }
}

/// Flatten `r`, naming a bare root tensor `root_name`.
pub fn flatten(r: &Rebuilt, root_name: &str, lim: &Limits) -> Result<Flat, ConvertError> {
    let mut flat = Flat::default();
    let mut names = HashSet::new();
    let mut todo = vec![Item {
        parent: Rc::from(""),
        container: None,
        index: 0,
        depth: 0,
    }];
    let mut walked = 1usize;
    while let Some(item) = todo.pop() {
        if item.depth > lim.max_depth {
            return Err(ConvertError::LimitExceeded("max_depth"));
        }
        let Some((v, part)) = resolve(r, &item) else {
            continue;
        };
        let path = if item.container.is_none() {
            String::new()
        } else if item.parent.is_empty() {
            part
        } else {
            if item.parent.len() + part.len() >= MAX_NAME_LEN {
                return Err(ConvertError::LimitExceeded("max_name_len"));
            }
            format!("{}.{part}", item.parent)
        };
        let obj = match v {
            Value::Obj(id) => r.get(id).map(|o| (id, o)),
            _ => None,
        };
        let text = match (v, obj) {
            (Value::None, _) => Some("None".to_string()),
            (Value::Bool(b), _) => Some(if b { "True" } else { "False" }.to_string()),
            (Value::Int(i), _) => Some(i.to_string()),
            (Value::Float(f), _) => Some(float_text(f)),
            (_, Some((_, Object::Str(s)))) => Some(s.clone()),
            (_, Some((_, Object::Device(d)))) => Some(d.clone()),
            (_, Some((_, Object::Global(Global::Dtype(d))))) => {
                Some(format!("torch.{}", d.torch_name()))
            }
            _ => None,
        };
        let name = if path.is_empty() {
            root_name.to_string()
        } else {
            path.clone()
        };
        if let Some(text) = text {
            if text.len() > MAX_METADATA_VALUE {
                flat.skipped
                    .push((name, format!("a string of {} bytes", text.len())));
            } else if flat.metadata.len() >= MAX_METADATA_ENTRIES {
                flat.skipped
                    .push((name, "metadata entries over the limit".into()));
            } else {
                claim(&mut names, &name)?;
                flat.metadata.insert(name, text);
            }
            continue;
        }
        let Some((id, obj)) = obj else { continue };
        let len = match obj {
            Object::Tensor(_) => {
                claim(&mut names, &name)?;
                flat.tensors.push((name, id));
                continue;
            }
            Object::Dict(d) => {
                if d.attributes_dropped > 0 {
                    let why = format!("{} attribute(s) set by BUILD", d.attributes_dropped);
                    flat.skipped.push((join(&path, "(attributes)"), why));
                }
                d.entries.len()
            }
            Object::List(items) | Object::Tuple(items) => items.len(),
            Object::Bytes(b) => {
                flat.skipped
                    .push((name, format!("bytes ({} bytes)", b.len())));
                continue;
            }
            Object::Storage(s) => {
                flat.skipped
                    .push((name, format!("a bare storage ({})", s.key)));
                continue;
            }
            _ => {
                flat.skipped.push((name, "a global".into()));
                continue;
            }
        };
        if len == 0 {
            flat.skipped.push((name, "an empty container".into()));
        }
        walked = walked.saturating_add(len);
        if walked > lim.max_walk {
            return Err(ConvertError::LimitExceeded("max_walk"));
        }
        let parent: Rc<str> = Rc::from(path);
        for index in (0..len).rev() {
            todo.push(Item {
                parent: parent.clone(),
                container: Some(id),
                index,
                depth: item.depth + 1,
            });
        }
    }
    Ok(flat)
}

fn claim(names: &mut HashSet<String>, name: &str) -> Result<(), ConvertError> {
    if names.insert(name.to_string()) {
        Ok(())
    } else {
        Err(ConvertError::DuplicateName(name.to_string()))
    }
}

/// A float as Python's `repr` writes the common cases (`3.0`, `0.001`, `nan`).
fn float_text(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{f:?}")
    }
}
