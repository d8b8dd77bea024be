//! HDF5 files: legacy Keras `.h5` models judged by their root attributes.
//!
//! `keras.models.load_model("m.h5")` (and tf.keras before it) rebuilds the
//! model from the JSON in the root group's `model_config` attribute and
//! compiles it from `training_config`: the same `class_name`/`module`
//! objects and marshalled Lambda bytecode as a `.keras` archive's
//! `config.json`, so both are judged by [`super::keras::scan_config`].
//! Weights (datasets) are never read. An HDF5 file without a model config
//! (a weights file, a dataset) is a plain data format.

use super::inspect::{MetadataEntry, TensorFileInfo};
use super::{ModelScanner, inconclusive, inspect, keras};
use aigis_findings::{Finding, Location};
use aigis_formats::hdf5::{self, Root, Value};

/// Root attributes Keras parses as JSON and rebuilds objects from.
const CONFIG_ATTRIBUTES: &[&str] = &["model_config", "training_config"];

/// Scan an HDF5 file; the format is `keras-h5` when it carries a model config.
pub(super) fn scan(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    let root = match hdf5::read_root(data) {
        Ok(r) => r,
        Err(e) => {
            out.push(inconclusive(
                loc,
                &format!("HDF5 root attributes cannot be read: {e}"),
            ));
            return "hdf5";
        }
    };
    if s.recording() {
        s.record_tensor_file(info(&root));
    }
    let mut keras_model = false;
    for name in CONFIG_ATTRIBUTES {
        let Some(attr) = root.get(name) else { continue };
        keras_model = true;
        let aloc = loc.member(*name);
        let text = match &attr.value {
            Value::Strings(v) if v.len() == 1 => v.first().map(Vec::as_slice).unwrap_or_default(),
            Value::Unreadable(why) => {
                out.push(inconclusive(
                    &aloc,
                    &format!("HDF5 attribute {name} cannot be read: {why}"),
                ));
                continue;
            }
            // Keras cannot parse anything but one JSON string: nothing to rebuild.
            _ => continue,
        };
        if text.len() as u64 > keras::MAX_CONFIG {
            out.push(inconclusive(
                &aloc,
                &format!("HDF5 attribute {name} is larger than the config limit"),
            ));
            continue;
        }
        // Not JSON: Keras fails on it too, before building anything.
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(text) {
            keras::scan_config(s, &v, &aloc, depth, out);
        }
    }
    if let Some(why) = &root.dense_unread {
        out.push(inconclusive(
            loc,
            &format!("HDF5 root attributes in dense storage cannot be read ({why}); a model config there would go unjudged"),
        ));
    }
    if root.shared_attributes > 0 {
        out.push(inconclusive(
            loc,
            &format!(
                "HDF5 root group has {} shared attribute messages, which aigis does not read",
                root.shared_attributes
            ),
        ));
    }
    if keras_model { "keras-h5" } else { "hdf5" }
}

/// The root attributes for `aigis model inspect`.
fn info(root: &Root) -> TensorFileInfo {
    let mut t = TensorFileInfo {
        tensors_not_read: true,
        ..TensorFileInfo::default()
    };
    t.fact("superblock", format!("version {}", root.superblock_version));
    if root.superblock_offset > 0 {
        t.fact("user block", format!("{} bytes", root.superblock_offset));
    }
    if root.dense_read {
        t.fact("attributes", "dense storage (fractal heap)");
    }
    if let Some(why) = &root.dense_unread {
        t.fact("attributes", format!("dense storage not read: {why}"));
    }
    t.metadata_count = root.attributes.len() as u64;
    for a in root.attributes.iter().take(inspect::MAX_LISTED_METADATA) {
        let (kind, value) = match &a.value {
            Value::Strings(v) if v.len() == 1 => (
                "string".to_string(),
                inspect::shorten(
                    &String::from_utf8_lossy(v.first().map(Vec::as_slice).unwrap_or_default()),
                    inspect::MAX_VALUE_CHARS,
                ),
            ),
            Value::Strings(v) => (
                format!("string[{}]", v.len()),
                inspect::shorten(
                    &v.iter()
                        .take(8)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                    inspect::MAX_VALUE_CHARS,
                ),
            ),
            Value::Other {
                class,
                size,
                elements,
            } => (
                format!("{} ({size} bytes)", class_name(*class)),
                format!("{elements} elements, not decoded"),
            ),
            Value::Unreadable(why) => ("string".to_string(), format!("unreadable: {why}")),
        };
        t.metadata.push(MetadataEntry {
            key: a.name.clone(),
            kind,
            value,
        });
    }
    t
}

fn class_name(class: u8) -> &'static str {
    match class {
        0 => "integer",
        1 => "float",
        2 => "time",
        3 => "string",
        4 => "bitfield",
        5 => "opaque",
        6 => "compound",
        7 => "reference",
        8 => "enum",
        9 => "variable-length",
        10 => "array",
        _ => "unknown class",
    }
}
