//! joblib's array format (`joblib/numpy_pickle.py`, joblib 0.10 to 1.x).
//!
//! joblib's unpickler is CPython's pure-Python `pickle._Unpickler` with one
//! change: after a BUILD whose object is a `NumpyArrayWrapper`, it reads the
//! array from the file itself (`NumpyArrayWrapper.read_array`):
//! - non-object dtypes: when the wrapper has a `numpy_array_alignment_bytes`
//!   attribute that is not None (joblib >= 1.2), one byte giving a padding
//!   length and that many padding bytes; then `prod(shape) * itemsize` raw
//!   bytes (`_read_bytes`: all must be there);
//! - object dtypes: a whole nested pickle, loaded by a fresh plain unpickler.
//!
//! The bytes come from the file behind the frame the unpickler holds in
//! memory; the rest of that frame is unpickled afterwards. The raw bytes are
//! skipped, never interpreted; if their count cannot be determined exactly,
//! the machine halts rather than guess.

use std::rc::Rc;

use super::{Halt, Load, Machine, Step, malformed};
use crate::source::{Short, Source};
use crate::value::{Node, Spans, Special, Value, Wrapper};

/// Nesting of structured dtypes followed when looking for object fields.
const MAX_DTYPE_DEPTH: u32 = 16;
/// Dtypes visited for one array (fields of fields ...).
const MAX_DTYPE_VISITS: u32 = 64;
/// Entries of a state dict followed (joblib writes six).
const MAX_STATE_ENTRIES: u64 = 64;
/// Dimensions of a shape (numpy allows 64).
const MAX_DIMS: usize = 64;

/// What follows a wrapper's BUILD.
struct Plan {
    count: u64,
    itemsize: u64,
    object: bool,
    padding: bool,
}

/// Python truthiness of a value of known type.
fn falsy(v: &Value, spans: &dyn Spans) -> bool {
    match v {
        Value::None | Value::Bool(false) | Value::Int(0) => true,
        Value::Float(f) => *f == 0.0,
        _ => match v.as_node() {
            Some(Node::Tuple(s) | Node::FrozenSet(s)) => s.total == 0,
            Some(Node::List(s) | Node::Set(s)) => s.try_borrow().is_ok_and(|s| s.total == 0),
            _ => v.text(spans).is_some_and(|t| t.len == 0),
        },
    }
}

fn undetermined<T>(why: &str) -> Result<T, Halt> {
    malformed(format!(
        "joblib array: cannot determine the byte count ({why})"
    ))
}

impl<S: Source> Machine<'_, S> {
    /// `Unpickler.load_build` without `__setstate__`: the state dict updates
    /// the instance `__dict__`, a `(state, slotstate)` pair also sets
    /// attributes.
    pub(super) fn apply_state(w: &mut Wrapper, state: &Value, spans: &dyn Spans) -> Step {
        let (state, slot) = match state.as_node() {
            Some(Node::Tuple(s)) if s.total == 2 => match (s.items.first(), s.items.get(1)) {
                (Some(a), Some(b)) => (a, Some(b)),
                _ => (state, None),
            },
            _ => (state, None),
        };
        Self::apply_dict(w, state, spans)?;
        if let Some(slot) = slot {
            Self::apply_dict(w, slot, spans)?;
        }
        Ok(())
    }

    fn apply_dict(w: &mut Wrapper, d: &Value, spans: &dyn Spans) -> Step {
        let Some(Node::Dict(p)) = d.as_node() else {
            return match d.known_type() {
                None => {
                    w.unknown = Some("a state that is not a dict");
                    Ok(())
                }
                // Falsy states are skipped (`if state:`).
                Some(_) if falsy(d, spans) => Ok(()),
                Some(t) => malformed(format!("'{}' object has no attribute 'items'", t.name())),
            };
        };
        let Ok(p) = p.try_borrow() else {
            w.unknown = Some("a state that contains itself");
            return Ok(());
        };
        if !p.is_complete() || p.total > MAX_STATE_ENTRIES {
            w.unknown = Some("a state dict too large to follow");
            return Ok(());
        }
        for (k, v) in &p.items {
            let Some(k) = k.str_whole(spans) else {
                continue;
            };
            match k {
                b"shape" => w.shape = Some(v.clone()),
                b"dtype" => w.dtype = Some(v.clone()),
                b"numpy_array_alignment_bytes" => w.alignment = Some(v.clone()),
                _ => {}
            }
        }
        Ok(())
    }

    fn plan(&self, w: &Wrapper) -> Result<Plan, Halt> {
        if let Some(why) = w.unknown {
            return undetermined(why);
        }
        // In the order `read_array` uses them.
        let Some(shape) = &w.shape else {
            return malformed("'NumpyArrayWrapper' object has no attribute 'shape'");
        };
        let count = self.count(shape)?;
        let Some(dtype) = &w.dtype else {
            return malformed("'NumpyArrayWrapper' object has no attribute 'dtype'");
        };
        let (itemsize, object) = self.dtype(dtype, 0, &mut 0)?;
        let padding = match &w.alignment {
            None | Some(Value::None) => false,
            Some(v) if v.known_type().is_some() => true,
            Some(_) => return undetermined("a computed alignment attribute"),
        };
        if itemsize == 0 && !object {
            return malformed("integer division or modulo by zero (itemsize 0)");
        }
        Ok(Plan {
            count,
            itemsize,
            object,
            padding,
        })
    }

    /// `np.multiply.reduce([np.int64(x) for x in shape])` (wrapping), which
    /// `np.empty` rejects when negative.
    fn count(&self, shape: &Value) -> Result<u64, Halt> {
        let items = match shape.as_node() {
            Some(Node::Tuple(s)) if s.is_complete() => s.items.clone(),
            Some(Node::List(s)) => match s.try_borrow() {
                Ok(s) if s.is_complete() => s.items.clone(),
                _ => return undetermined("a shape list that cannot be followed"),
            },
            _ => return undetermined("a shape that is not a tuple of ints"),
        };
        if items.len() > MAX_DIMS {
            return undetermined("a shape with too many dimensions");
        }
        let mut count: i64 = 1;
        for v in &items {
            let d = match v {
                Value::Int(i) => *i,
                Value::Bool(b) => i64::from(*b),
                Value::Node(n) if matches!(&**n, Node::BigInt(_)) => {
                    return malformed("Python int too large to convert to C long");
                }
                _ => return undetermined("a shape element that is not an int"),
            };
            count = count.wrapping_mul(d);
        }
        u64::try_from(count).or_else(|_| malformed("negative dimensions are not allowed"))
    }

    /// Item size and whether the dtype holds Python objects.
    fn dtype(&self, v: &Value, depth: u32, visits: &mut u32) -> Result<(u64, bool), Halt> {
        *visits += 1;
        if depth > MAX_DTYPE_DEPTH || *visits > MAX_DTYPE_VISITS {
            return undetermined("a dtype nested too deeply");
        }
        let Some(Special::Dtype(d)) = v.result().map(|r| &r.special) else {
            return undetermined("a dtype that is not a numpy.dtype call");
        };
        let Ok(d) = d.try_borrow() else {
            return undetermined("a dtype that contains itself");
        };
        let Some(typestr) = d.typestr.str_whole(self.spans()).filter(|t| t.len() <= 16) else {
            return undetermined("a dtype without a type string");
        };
        let (kind, digits) = typestr.split_first().map_or((0, &[][..]), |(k, d)| (*k, d));
        let n: u64 = std::str::from_utf8(digits)
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .map_or_else(|| undetermined("an unusual dtype type string"), Ok)?;
        let (size, mut object) = match (kind, n) {
            (b'b', 1)
            | (b'i' | b'u', 1 | 2 | 4 | 8)
            | (b'f', 2 | 4 | 8 | 16)
            | (b'c', 8 | 16 | 32) => (n, false),
            (b'M' | b'm', 8) => (n, false),
            (b'O', 4 | 8) => (n, true),
            (b'S' | b'V', _) => (n, false),
            (b'U', _) => (n.saturating_mul(4), false),
            _ => return undetermined("an unusual dtype type string"),
        };
        if let Some(Node::Tuple(s)) = d.state.as_ref().and_then(Value::as_node) {
            if !s.is_complete() {
                return undetermined("a dtype state too large to follow");
            }
            if let Some(Value::Int(elsize)) = s.items.get(5)
                && *elsize >= 0
                && *elsize as u64 != size
            {
                return undetermined("a dtype whose state disagrees on its size");
            }
            for sub in [s.items.get(2), s.items.get(4)].into_iter().flatten() {
                object |= self.contains_object(sub, depth, visits)?;
            }
        }
        Ok((size, object))
    }

    /// Whether the subarray or fields part of a dtype state holds objects.
    /// Every field looked at counts as a visit.
    fn contains_object(&self, v: &Value, depth: u32, visits: &mut u32) -> Result<bool, Halt> {
        match v.as_node() {
            None if matches!(v, Value::None) => Ok(false),
            // Subarray: (base dtype, shape).
            Some(Node::Tuple(s)) if s.is_complete() => match s.items.first() {
                Some(d) => Ok(self.dtype(d, depth + 1, visits)?.1),
                None => undetermined("an empty dtype subarray"),
            },
            // Fields: name -> (dtype, offset[, title]).
            Some(Node::Dict(p)) => {
                let Ok(p) = p.try_borrow() else {
                    return undetermined("dtype fields that contain themselves");
                };
                if !p.is_complete() {
                    return undetermined("dtype fields that cannot be followed");
                }
                let mut object = false;
                for (_, f) in &p.items {
                    *visits += 1;
                    let d = match f.as_node() {
                        Some(Node::Tuple(t)) => t.items.first(),
                        _ => None,
                    };
                    match d {
                        Some(d) => object |= self.dtype(d, depth + 1, visits)?.1,
                        None => return undetermined("a dtype field that is not a tuple"),
                    }
                }
                Ok(object)
            }
            _ => undetermined("a dtype state that cannot be followed"),
        }
    }

    /// After a BUILD on a wrapper: read what joblib reads, then replace the
    /// wrapper on the stack with the array.
    pub(super) fn joblib_read(&mut self, wrapper: &Rc<Node>) -> Step {
        let plan = match wrapper.as_ref() {
            Node::Result(r) => match &r.special {
                Special::Wrapper(w) => match w.try_borrow() {
                    Ok(w) => self.plan(&w)?,
                    Err(_) => return undetermined("a wrapper being modified"),
                },
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        let rest = self.frame_rest();
        if rest > 0 {
            self.src
                .begin_detour(rest, self.lim.max_set_aside)
                .map_err(|s| match s {
                    Short::TooLong => Halt::Limit("max_set_aside"),
                    s => Halt::from(s),
                })?;
        }
        let array = if plan.object {
            self.nested_load()?
        } else {
            self.skip_array(&plan)?
        };
        if rest > 0 {
            self.src.end_detour();
        }
        let old = self.pop()?;
        super::drop_all(vec![old]);
        self.push(array)
    }

    fn skip_array(&mut self, plan: &Plan) -> Result<Value, Halt> {
        if plan.padding {
            // `file.read(1)` gives b'' at the end: no padding.
            let pad = self
                .src
                .take(1)
                .map(|b| b.first().copied().unwrap_or(0))
                .unwrap_or(0);
            // `file.read(pad)` may come up short without error.
            let _ = self.src.stream(u64::from(pad), &mut |_| {});
        }
        let bytes = u128::from(plan.count) * u128::from(plan.itemsize);
        let bytes = u64::try_from(bytes).map_err(|_| Halt::Truncated)?;
        self.src.stream(bytes, &mut |_| {})?;
        Ok(Value::node(Node::Opaque("numpy.ndarray")))
    }

    /// An object array: a nested pickle read by a fresh plain unpickler.
    fn nested_load(&mut self) -> Result<Value, Halt> {
        let outer = std::mem::replace(&mut self.load, Load::new());
        let was_nested = std::mem::replace(&mut self.nested, true);
        let result = self.run_load();
        // The pure-Python unpickler holds its last frame whole: reading goes
        // on after that frame even if STOP came before its end.
        let frame_rest = self.frame_rest();
        self.nested = was_nested;
        let inner = std::mem::replace(&mut self.load, outer);
        self.discard_nested(inner);
        let v = result?;
        if frame_rest > 0 && self.src.served_rest().is_none() {
            self.src.stream(frame_rest, &mut |_| {})?;
        }
        Ok(v)
    }

    fn discard_nested(&mut self, mut inner: Load) {
        super::drop_all(inner.drain());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undetermined_names_the_reason() {
        match undetermined::<()>("x") {
            Err(Halt::Malformed(r)) => assert!(r.contains("cannot determine") && r.contains('x')),
            _ => panic!(),
        }
    }
}
