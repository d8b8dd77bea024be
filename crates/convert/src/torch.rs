//! PyTorch checkpoints: the zip format (`ARCHIVE/data.pkl`, storages in
//! `ARCHIVE/data/KEY`, a `byteorder` record) and the legacy format (five
//! pickles — magic number, protocol version, sys_info, the object, the
//! storage keys — then each storage as an 8-byte element count and its
//! bytes, little-endian).
//!
//! Storages are looked up by key the first time a tensor needs them and
//! must hold exactly the elements their persistent id declares (what
//! `torch.save` writes); a key used with two dtypes or sizes is refused.

use std::borrow::Cow;
use std::collections::HashMap;

use aigis_formats::zip::Archive;
use aigis_pickle::rebuild::{self, Object, Rebuilt, Storage, StorageDtype, Value};

use crate::flatten::{self, Flat};
use crate::{ConvertError, Entry, Options, Plan, View};

/// `torch.serialization.MAGIC_NUMBER`.
const LEGACY_MAGIC: i128 = 0x1950a86a20f9469cfc6c;
/// `torch.serialization.PROTOCOL_VERSION`.
const LEGACY_PROTOCOL: i128 = 1001;

/// A legacy file starts with the magic number as a protocol-2 LONG1.
pub(crate) fn is_legacy(data: &[u8]) -> bool {
    let magic = LEGACY_MAGIC.to_le_bytes();
    data.first() == Some(&0x80)
        && data.get(2..4) == Some(&[0x8a, 0x0a][..])
        && data.get(4..14) == magic.get(..10)
}

fn run(data: &[u8], base: u64, location: &str, opts: &Options) -> Result<Rebuilt, ConvertError> {
    rebuild::rebuild(data, &opts.limits.pickle).map_err(|mut refusal| {
        refusal.offset = refusal.offset.saturating_add(base);
        ConvertError::Pickle {
            location: location.to_string(),
            refusal,
        }
    })
}

fn record<'a>(
    archive: &Archive<'a>,
    name: &str,
    limit: u64,
) -> Result<Cow<'a, [u8]>, ConvertError> {
    let entry = archive
        .find_record(name)
        .ok_or_else(|| ConvertError::Layout(format!("the checkpoint has no {name} record")))?;
    archive
        .read(entry, limit)
        .map_err(|source| ConvertError::Zip {
            location: entry.name.clone(),
            source,
        })
}

pub(crate) fn plan_zip<'a>(
    archive: &Archive<'a>,
    opts: &Options,
) -> Result<Plan<'a>, ConvertError> {
    let swap = match archive.find_record("byteorder") {
        None => false,
        Some(_) => match record(archive, "byteorder", 16)?.as_ref() {
            b"little" => false,
            b"big" => true,
            other => {
                return Err(ConvertError::Layout(format!(
                    "byteorder record is {:?}, not little or big",
                    String::from_utf8_lossy(other.get(..other.len().min(32)).unwrap_or_default())
                )));
            }
        },
    };
    let pkl = record(archive, "data.pkl", opts.limits.max_pickle_bytes)?;
    let location = archive
        .find_record("data.pkl")
        .map_or("data.pkl".to_string(), |e| e.name.clone());
    let r = run(&pkl, 0, &location, opts)?;
    let flat = flatten::flatten(&r, &opts.name, &opts.limits)?;
    build(&r, flat, "pytorch-zip", swap, |s| {
        record(
            archive,
            &format!("data/{}", s.key),
            opts.limits.max_member_bytes,
        )
    })
}

pub(crate) fn plan_legacy<'a>(data: &'a [u8], opts: &Options) -> Result<Plan<'a>, ConvertError> {
    let mut pos = 0usize;
    let mut next = |what: &str| -> Result<Rebuilt, ConvertError> {
        let rest = data.get(pos..).unwrap_or_default();
        let r = run(rest, pos as u64, &format!("legacy {what} pickle"), opts)?;
        pos = pos.saturating_add(usize::try_from(r.end).unwrap_or(usize::MAX));
        Ok(r)
    };
    let magic = next("magic")?;
    if magic.root != Value::Int(LEGACY_MAGIC) {
        return Err(ConvertError::Unrecognised);
    }
    let proto = next("protocol")?;
    if proto.root != Value::Int(LEGACY_PROTOCOL) {
        return Err(ConvertError::Unsupported(format!(
            "legacy protocol version {:?}, not 1001",
            proto.root
        )));
    }
    let sys_info = next("sys_info")?;
    if little_endian(&sys_info) == Some(false) {
        return Err(ConvertError::Unsupported(
            "a big-endian legacy checkpoint".into(),
        ));
    }
    let main = next("main")?;
    let keys = next("storage keys")?;
    let flat = flatten::flatten(&main, &opts.name, &opts.limits)?;
    let blobs = legacy_storages(data, pos, &main, &keys)?;
    build(&main, flat, "pytorch-legacy", false, |s| {
        blobs
            .get(&s.key)
            .map(|b| Cow::Borrowed(*b))
            .ok_or_else(|| storage_err(&s.key, "is not among the file's storages"))
    })
}

fn little_endian(sys_info: &Rebuilt) -> Option<bool> {
    let Value::Obj(id) = sys_info.root else {
        return None;
    };
    let Some(Object::Dict(d)) = sys_info.get(id) else {
        return None;
    };
    d.entries
        .iter()
        .find_map(|(k, v)| match (k.to_string().as_str(), v) {
            ("little_endian", Value::Bool(b)) => Some(*b),
            _ => None,
        })
}

/// The raw storages after the pickles, by key, each checked against the
/// dtype and size the main pickle declares for it.
fn legacy_storages<'a>(
    data: &'a [u8],
    mut pos: usize,
    main: &Rebuilt,
    keys: &Rebuilt,
) -> Result<HashMap<String, &'a [u8]>, ConvertError> {
    let mut declared: HashMap<&str, &Storage> = HashMap::new();
    for o in &main.objects {
        if let Object::Storage(s) = o {
            declared.entry(s.key.as_str()).or_insert(s);
        }
    }
    let list = match keys.root {
        Value::Obj(id) => match keys.get(id) {
            Some(Object::List(l)) => l,
            _ => return Err(ConvertError::Layout("storage keys are not a list".into())),
        },
        _ => return Err(ConvertError::Layout("storage keys are not a list".into())),
    };
    let mut out = HashMap::new();
    for k in list {
        let key = match k {
            Value::Obj(id) => match keys.get(*id) {
                Some(Object::Str(s)) => s.clone(),
                _ => return Err(ConvertError::Layout("a storage key is not a str".into())),
            },
            _ => return Err(ConvertError::Layout("a storage key is not a str".into())),
        };
        let s = declared
            .get(key.as_str())
            .ok_or_else(|| storage_err(&key, "is not used by the checkpoint"))?;
        let count = data
            .get(pos..pos.saturating_add(8))
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(i64::from_le_bytes)
            .ok_or_else(|| storage_err(&key, "the file ends before its size"))?;
        if u64::try_from(count).ok() != Some(s.numel) {
            return Err(storage_err(
                &key,
                format!("holds {count} elements, the pickle declares {}", s.numel),
            ));
        }
        let len = nbytes(s)?;
        let start = pos.saturating_add(8);
        let end = start
            .checked_add(len)
            .ok_or_else(|| storage_err(&key, "size overflows"))?;
        let bytes = data
            .get(start..end)
            .ok_or_else(|| storage_err(&key, "the file ends inside its data"))?;
        if out.insert(key.clone(), bytes).is_some() {
            return Err(storage_err(&key, "is listed twice"));
        }
        pos = end;
    }
    Ok(out)
}

fn storage_err(key: &str, detail: impl Into<String>) -> ConvertError {
    ConvertError::Storage {
        key: key.chars().take(200).collect(),
        detail: detail.into(),
    }
}

fn nbytes(s: &Storage) -> Result<usize, ConvertError> {
    s.numel
        .checked_mul(s.dtype.size())
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| storage_err(&s.key, "size overflows"))
}

/// Turn flattened tensors into views over fetched storages.
fn build<'a>(
    r: &Rebuilt,
    flat: Flat,
    format: &'static str,
    swap: bool,
    mut fetch: impl FnMut(&Storage) -> Result<Cow<'a, [u8]>, ConvertError>,
) -> Result<Plan<'a>, ConvertError> {
    let mut plan = Plan {
        format,
        storages: Vec::new(),
        tensors: Vec::new(),
        metadata: flat.metadata,
        skipped: Vec::new(),
        skipped_count: 0,
    };
    for (name, why) in flat.skipped {
        plan.skip(&name, why);
    }
    let mut by_key: HashMap<String, (usize, StorageDtype, u64)> = HashMap::new();
    for (name, id) in flat.tensors {
        let Some(Object::Tensor(t)) = r.get(id) else {
            continue;
        };
        let Some(Object::Storage(s)) = r.get(t.storage) else {
            continue;
        };
        let index = match by_key.get(&s.key) {
            Some(&(i, dtype, numel)) => {
                if (dtype, numel) != (s.dtype, s.numel) {
                    return Err(storage_err(&s.key, "is declared with two dtypes or sizes"));
                }
                i
            }
            None => {
                let bytes = fetch(s)?;
                let want = nbytes(s)?;
                if bytes.len() != want {
                    return Err(storage_err(
                        &s.key,
                        format!(
                            "holds {} bytes, the checkpoint declares {want} ({} x {})",
                            bytes.len(),
                            s.numel,
                            s.dtype.torch_name()
                        ),
                    ));
                }
                plan.storages.push(bytes);
                let i = plan.storages.len() - 1;
                by_key.insert(s.key.clone(), (i, s.dtype, s.numel));
                i
            }
        };
        plan.tensors.push(Entry {
            name,
            view: View {
                storage: index,
                dtype: s.dtype.into(),
                offset: t.offset,
                shape: t.size.clone(),
                strides: t.stride.clone(),
                swap,
            },
        });
    }
    Ok(plan)
}
