//! Unsafe deserialization: pickle and its relatives, joblib, marshal,
//! numpy with pickles allowed, `torch.load`, `torch.package`, PyYAML.

use super::{Hit, split};
use crate::model::{Call, Value};
use crate::rules::{
    joblib_load, marshal_load, numpy_load_allow_pickle, pickle_deserialization,
    torch_load_weights_only_default, torch_load_weights_only_false, torch_package_importer,
    yaml_unsafe_load,
};

pub(crate) const PICKLE_MODULES: &[&str] = &[
    "pickle",
    "_pickle",
    "cPickle",
    "dill",
    "cloudpickle",
    "jsonpickle",
];
pub(crate) const PICKLE_FUNCS: &[&str] = &["load", "loads", "Unpickler", "decode"];
/// PyYAML loaders that build only plain data.
const SAFE_YAML_LOADERS: &[&str] = &["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"];

pub(super) fn check(call: &Call, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    let (module, func) = split(callee);
    if (PICKLE_MODULES.contains(&module) && PICKLE_FUNCS.contains(&func))
        || matches!(callee, "shelve.open" | "pandas.read_pickle")
    {
        let msg =
            format!("{callee} deserializes a pickle: loading untrusted data runs arbitrary code");
        out.push(Hit::at(&pickle_deserialization::RULE, call, msg, callee));
    }
    match callee {
        "joblib.load" | "sklearn.externals.joblib.load" => {
            let msg = "joblib.load unpickles the file: a crafted model file runs arbitrary code";
            out.push(Hit::at(&joblib_load::RULE, call, msg, callee));
        }
        "marshal.load" | "marshal.loads" => {
            let msg = format!(
                "{callee} reads code objects: untrusted input can crash the interpreter or feed code to exec"
            );
            out.push(Hit::at(&marshal_load::RULE, call, msg, callee));
        }
        "numpy.load" => numpy_load(call, out),
        "torch.load" => torch_load(call, out),
        "torch.package.PackageImporter" | "torch.package.package_importer.PackageImporter" => {
            let msg =
                "torch.package.PackageImporter loads pickled code and modules from the package";
            out.push(Hit::at(&torch_package_importer::RULE, call, msg, callee));
        }
        "yaml.unsafe_load" | "yaml.full_load" | "yaml.unsafe_load_all" | "yaml.full_load_all" => {
            let msg =
                format!("{callee} can construct arbitrary Python objects; use yaml.safe_load");
            out.push(Hit::at(&yaml_unsafe_load::RULE, call, msg, callee));
        }
        "yaml.load" | "yaml.load_all" => yaml_load(call, out),
        _ => {}
    }
}

fn numpy_load(call: &Call, out: &mut Vec<Hit>) {
    let Some(v) = call.keyword("allow_pickle") else {
        return;
    };
    if v.is_true() {
        let msg =
            "numpy.load(allow_pickle=True) unpickles object arrays: a crafted .npy/.npz runs code";
        out.push(Hit::at(
            &numpy_load_allow_pickle::RULE,
            call,
            msg,
            "numpy.load(allow_pickle=True)",
        ));
    } else if !v.is_literal() {
        let msg = "numpy.load with allow_pickle set from a variable: if it is true, object arrays are unpickled";
        out.push(Hit::at(
            &numpy_load_allow_pickle::RULE,
            call,
            msg,
            "numpy.load(allow_pickle=?)",
        ));
    }
}

fn torch_load(call: &Call, out: &mut Vec<Hit>) {
    match call.keyword("weights_only") {
        Some(v) if v.is_false() => {
            let msg = "torch.load(weights_only=False) unpickles the checkpoint: a crafted file runs arbitrary code";
            out.push(Hit::at(
                &torch_load_weights_only_false::RULE,
                call,
                msg,
                "torch.load(weights_only=False)",
            ));
        }
        Some(v) if v.is_true() => {}
        Some(_) => {
            let msg = "torch.load with weights_only set from a variable: if it is false, the checkpoint is unpickled";
            out.push(Hit::at(
                &torch_load_weights_only_default::RULE,
                call,
                msg,
                "torch.load(weights_only=?)",
            ));
        }
        None => {
            let msg = if call.splat {
                "torch.load without an explicit weights_only (it may come from **kwargs): PyTorch >= 2.6 defaults to weights_only=True, older versions unpickle anything"
            } else {
                "torch.load without weights_only: PyTorch >= 2.6 defaults to weights_only=True, older versions unpickle anything; pass weights_only=True"
            };
            out.push(Hit::at(
                &torch_load_weights_only_default::RULE,
                call,
                msg,
                "torch.load()",
            ));
        }
    }
}

fn yaml_load(call: &Call, out: &mut Vec<Hit>) {
    let loader = call.arg(1, "Loader");
    if loader.is_some_and(is_safe_loader) {
        return;
    }
    let (msg, key) = match loader.and_then(|l| l.dotted.as_deref()) {
        Some(name) => (
            format!(
                "{} with Loader={name} can construct arbitrary Python objects; use yaml.safe_load or Loader=yaml.SafeLoader",
                call.callee
            ),
            format!("{}(Loader={name})", call.callee),
        ),
        None if call.splat && loader.is_none() => (
            format!(
                "{} with the Loader possibly in **kwargs: unless it is a SafeLoader, arbitrary objects can be built",
                call.callee
            ),
            format!("{}(**)", call.callee),
        ),
        None => (
            format!(
                "{} without a safe Loader: old PyYAML (< 5.1) and FullLoader/UnsafeLoader build arbitrary objects; use yaml.safe_load",
                call.callee
            ),
            format!("{}()", call.callee),
        ),
    };
    out.push(Hit::at(&yaml_unsafe_load::RULE, call, msg, key));
}

fn is_safe_loader(v: &Value) -> bool {
    v.dotted
        .as_deref()
        .is_some_and(|d| SAFE_YAML_LOADERS.contains(&split(d).1))
}
