//! `.npy` files (one tensor) and `.npz` archives (one tensor per `.npy`
//! member, named as `numpy.load` names them: the member name without
//! `.npy`). Plain numeric and bool dtypes only: object arrays (whose data
//! is a pickle), structured, string, datetime and complex dtypes are
//! refused. Fortran-order arrays are written row-major; big-endian ones
//! little-endian.

use std::borrow::Cow;
use std::collections::HashSet;

use aigis_formats::npy::{self, Descr};
use aigis_formats::zip::Archive;

use crate::{ConvertError, Dtype, Entry, Options, Plan, View};

/// One array's view over its own storage (the whole file or member).
fn array(data: &[u8], location: &str, name: &str, storage: usize) -> Result<Entry, ConvertError> {
    let h = npy::parse(data).map_err(|source| ConvertError::Npy {
        location: location.to_string(),
        source,
    })?;
    let unsupported = |why: String| ConvertError::Unsupported(format!("{location}: {why}"));
    if h.has_object_dtype {
        return Err(unsupported("an object array (its data is a pickle)".into()));
    }
    let Descr::Simple(code) = &h.descr else {
        return Err(unsupported(format!("the structured dtype {}", h.descr)));
    };
    let (swap, body) = if let Some(body) = code.strip_prefix(['<', '|', '=']) {
        (false, body)
    } else if let Some(body) = code.strip_prefix('>') {
        (true, body)
    } else {
        return Err(unsupported(format!("the dtype {code:?}")));
    };
    let dtype = Dtype::from_numpy(body).ok_or_else(|| {
        unsupported(format!(
            "the dtype {code:?}, which safetensors has no equivalent for"
        ))
    })?;
    let numel = h
        .shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d))
        .ok_or_else(|| unsupported("a shape whose size overflows".into()))?;
    let len = numel
        .checked_mul(dtype.size())
        .ok_or_else(|| unsupported("a data length that overflows".into()))?;
    let have = (data.len() as u64).saturating_sub(h.data_offset);
    if have < len {
        return Err(unsupported(format!(
            "{have} data bytes where the header needs {len}"
        )));
    }
    // The data section as elements; offset is in elements from its start.
    if !h.data_offset.is_multiple_of(dtype.size()) {
        return Err(unsupported("data not aligned to its element size".into()));
    }
    let mut strides = vec![0u64; h.shape.len()];
    let mut acc = 1u64;
    let dims: Box<dyn Iterator<Item = usize>> = if h.fortran_order {
        Box::new(0..h.shape.len())
    } else {
        Box::new((0..h.shape.len()).rev())
    };
    for i in dims {
        if let (Some(s), Some(&d)) = (strides.get_mut(i), h.shape.get(i)) {
            *s = acc;
            acc = acc.saturating_mul(d);
        }
    }
    Ok(Entry {
        name: name.to_string(),
        view: View {
            storage,
            dtype,
            offset: h.data_offset / dtype.size(),
            shape: h.shape,
            strides,
            swap,
        },
    })
}

fn empty_plan<'a>(format: &'static str) -> Plan<'a> {
    Plan {
        format,
        storages: Vec::new(),
        tensors: Vec::new(),
        metadata: Default::default(),
        skipped: Vec::new(),
        skipped_count: 0,
    }
}

pub(crate) fn plan_npy<'a>(data: &'a [u8], opts: &Options) -> Result<Plan<'a>, ConvertError> {
    let mut plan = empty_plan("npy");
    plan.tensors.push(array(data, "npy", &opts.name, 0)?);
    plan.storages.push(Cow::Borrowed(data));
    Ok(plan)
}

pub(crate) fn plan_npz<'a>(
    archive: &Archive<'a>,
    opts: &Options,
) -> Result<Plan<'a>, ConvertError> {
    let mut plan = empty_plan("npz");
    let mut names = HashSet::new();
    for e in archive.entries() {
        let Some(name) = e.name.strip_suffix(".npy") else {
            return Err(ConvertError::Unsupported(format!(
                "{}: a member that is not an .npy array",
                e.name
            )));
        };
        if !names.insert(e.name.to_ascii_lowercase()) {
            return Err(ConvertError::DuplicateName(name.to_string()));
        }
        if plan.tensors.len() >= opts.limits.max_tensors {
            return Err(ConvertError::LimitExceeded("max_tensors"));
        }
        let data = archive
            .read(e, opts.limits.max_member_bytes)
            .map_err(|source| ConvertError::Zip {
                location: e.name.clone(),
                source,
            })?;
        let entry = array(&data, &e.name, name, plan.storages.len())?;
        plan.tensors.push(entry);
        plan.storages.push(data);
    }
    Ok(plan)
}
