//! Interpreting the header's `descr` the way numpy's `descr_to_dtype` and
//! `numpy.dtype(str)` would, far enough to answer two questions: does the
//! dtype hold Python objects (then the data section is a pickle), and how
//! many bytes does one item take.
//!
//! Type strings are classified by a table of the codes and names numpy
//! 2.x accepts; anything else is *unrecognised*, never assumed safe.

use super::literal::Value;
use super::{Descr, Field, MAX_DIMS, NpyError};

/// What one type string means for the scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// Fixed-size plain data of this many bytes per item.
    Plain(u64),
    /// Holds Python objects: stored as a pickle.
    Object,
    /// Not a type string this table knows.
    Unrecognised,
}

impl Class {
    /// Combines two parts of one item (fields or repeats).
    fn and(self, other: Class, add: impl Fn(u64, u64) -> Option<u64>) -> Class {
        match (self, other) {
            (Class::Object, _) | (_, Class::Object) => Class::Object,
            (Class::Plain(a), Class::Plain(b)) => {
                add(a, b).map_or(Class::Unrecognised, Class::Plain)
            }
            _ => Class::Unrecognised,
        }
    }

    fn times(self, count: u64) -> Class {
        match self {
            Class::Plain(n) => n
                .checked_mul(count)
                .map_or(Class::Unrecognised, Class::Plain),
            other => other,
        }
    }
}

/// Turns the literal into a [`Descr`] and classifies it.
pub(super) fn interpret(value: &Value) -> Result<(Descr, Class), NpyError> {
    interpret_at(value, 0)
}

fn bad(what: impl Into<String>) -> NpyError {
    NpyError::BadDescr(what.into())
}

fn interpret_at(value: &Value, depth: usize) -> Result<(Descr, Class), NpyError> {
    if depth > super::MAX_LITERAL_DEPTH {
        return Err(bad("nested too deeply"));
    }
    match value {
        Value::Str(s) => Ok((Descr::Simple(s.clone()), classify(s))),
        Value::Tuple(parts) => {
            let [base, shape] = parts.as_slice() else {
                return Err(bad("a subarray tuple must be (descr, shape)"));
            };
            let (base, class) = interpret_at(base, depth + 1)?;
            let shape = dims(shape)?;
            let count = product(&shape).ok_or_else(|| bad("subarray shape overflows"))?;
            Ok((
                Descr::Subarray {
                    base: Box::new(base),
                    shape,
                },
                class.times(count),
            ))
        }
        Value::List(fields) => {
            let mut out = Vec::with_capacity(fields.len());
            let mut class = Class::Plain(0);
            for field in fields {
                let (field, c) = interpret_field(field, depth + 1)?;
                class = class.and(c, u64::checked_add);
                out.push(field);
            }
            Ok((Descr::Structured(out), class))
        }
        _ => Err(bad(
            "descr must be a string, a list of fields or a subarray tuple",
        )),
    }
}

fn interpret_field(value: &Value, depth: usize) -> Result<(Field, Class), NpyError> {
    let (name, descr, shape) = match value {
        Value::Tuple(p) | Value::List(p) => match p.as_slice() {
            [name, descr] => (name, descr, None),
            [name, descr, shape] => (name, descr, Some(shape)),
            _ => return Err(bad("a field must be (name, descr) or (name, descr, shape)")),
        },
        _ => return Err(bad("a field must be a tuple")),
    };
    let (title, name) = match name {
        Value::Str(n) => (None, n.clone()),
        Value::Tuple(p) => match p.as_slice() {
            [Value::Str(t), Value::Str(n)] => (Some(t.clone()), n.clone()),
            _ => return Err(bad("a field title must be (title, name)")),
        },
        _ => return Err(bad("a field name must be a string")),
    };
    let (descr, mut class) = interpret_at(descr, depth)?;
    let shape = shape.map(dims).transpose()?;
    if let Some(s) = &shape {
        class = class.times(product(s).ok_or_else(|| bad("field shape overflows"))?);
    }
    Ok((
        Field {
            name,
            title,
            descr,
            shape,
        },
        class,
    ))
}

/// A shape: an int or a tuple of non-negative ints (booleans count as ints,
/// as Python's `isinstance(True, int)` says).
pub(super) fn dims(value: &Value) -> Result<Vec<u64>, NpyError> {
    let one = |v: &Value| match v {
        Value::Int(i) => {
            u64::try_from(*i).map_err(|_| NpyError::BadShape(format!("dimension {i}")))
        }
        Value::Bool(b) => Ok(u64::from(*b)),
        other => Err(NpyError::BadShape(format!("{other:?} is not an integer"))),
    };
    let out = match value {
        Value::Tuple(items) => items.iter().map(one).collect::<Result<Vec<_>, _>>()?,
        other => vec![one(other)?],
    };
    if out.len() > MAX_DIMS {
        return Err(NpyError::BadShape(format!(
            "{} dimensions, over the limit of {MAX_DIMS}",
            out.len()
        )));
    }
    Ok(out)
}

/// Product of dimensions; `None` on overflow. The empty shape is one item.
pub(super) fn product(shape: &[u64]) -> Option<u64> {
    shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))
}

/// Classifies a type string as `numpy.dtype(s)` would read it, including
/// the comma-separated form (`'i4, O'`) and a leading subarray shape
/// (`'(2,3)f8'`).
pub(super) fn classify(s: &str) -> Class {
    let parts = split_top_level(s);
    if parts.len() > 1 {
        return parts.iter().fold(Class::Plain(0), |acc, p| {
            acc.and(classify_one(p), u64::checked_add)
        });
    }
    classify_one(s)
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(s.get(start..).unwrap_or(""));
    parts
}

fn classify_one(s: &str) -> Class {
    let mut s = s.trim();
    let mut repeat = 1u64;
    if let Some(rest) = s.strip_prefix('(') {
        let Some((shape, tail)) = rest.split_once(')') else {
            return Class::Unrecognised;
        };
        for d in shape.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            match d.parse::<u64>().ok().and_then(|d| repeat.checked_mul(d)) {
                Some(r) => repeat = r,
                None => return Class::Unrecognised,
            }
        }
        s = tail.trim();
    }
    let code = s.strip_prefix(['<', '>', '|', '=']).unwrap_or(s);
    code_class(code).times(repeat)
}

/// The class of a type code without byte order, per numpy 2.x on a 64-bit
/// Linux build (`long` and `longdouble` sizes are platform-dependent).
fn code_class(code: &str) -> Class {
    use Class::{Object, Plain, Unrecognised};
    let named = match code {
        "O" | "O4" | "O8" | "object" | "object_" => Some(Object),
        // StringDType: numpy pickles it, so it loads like an object array.
        "T" => Some(Object),
        "?" | "b" | "B" | "bool" | "bool_" | "byte" | "ubyte" | "int8" | "uint8" => Some(Plain(1)),
        "h" | "H" | "e" | "short" | "ushort" | "int16" | "uint16" | "float16" | "half" => {
            Some(Plain(2))
        }
        "i" | "I" | "f" | "intc" | "uintc" | "int32" | "uint32" | "float32" | "single" => {
            Some(Plain(4))
        }
        "l" | "L" | "q" | "Q" | "p" | "P" | "n" | "N" | "d" | "F" | "int" | "int_" | "intp"
        | "uint" | "uintp" | "long" | "ulong" | "longlong" | "ulonglong" | "int64" | "uint64"
        | "float" | "double" | "float64" | "complex64" | "csingle" => Some(Plain(8)),
        "g" | "D" | "longdouble" | "float128" | "complex" | "complex128" | "cdouble" => {
            Some(Plain(16))
        }
        "G" | "complex256" | "clongdouble" => Some(Plain(32)),
        "S" | "a" | "V" | "U" | "bytes" | "bytes_" | "str" | "str_" | "unicode" | "void" => {
            Some(Plain(0))
        }
        _ => None,
    };
    if let Some(class) = named {
        return class;
    }
    if let Some(unit) = code
        .strip_prefix("M8")
        .or_else(|| code.strip_prefix("m8"))
        .or_else(|| code.strip_prefix("datetime64"))
        .or_else(|| code.strip_prefix("timedelta64"))
        .or_else(|| code.strip_prefix('M'))
        .or_else(|| code.strip_prefix('m'))
    {
        return if unit.is_empty() || (unit.starts_with('[') && unit.ends_with(']')) {
            Plain(8)
        } else {
            Unrecognised
        };
    }
    let Some(kind) = code.chars().next() else {
        return Unrecognised;
    };
    let Ok(n) = code.get(kind.len_utf8()..).unwrap_or("").parse::<u64>() else {
        return Unrecognised;
    };
    match (kind, n) {
        ('S' | 'a' | 'V', n) => Plain(n),
        ('U', n) => n.checked_mul(4).map_or(Unrecognised, Plain),
        ('b', 1) | ('i' | 'u', 1 | 2 | 4 | 8) | ('f', 2 | 4 | 8 | 16) | ('c', 8 | 16 | 32) => {
            Plain(n)
        }
        _ => Unrecognised,
    }
}
