//! `aigis scan --host`: the host checks of `aigis-deploy`, given this
//! crate's model recognition, merged into the per-file reports. Findings
//! about a scanned file join that file's report; pseudo-locations
//! (`host:port/tcp/8080`) get a report each, of format `host`.

use std::path::{Path, PathBuf};

use aigis_deploy::host::{self, HostOptions};
use aigis_findings::FileReport;

use crate::models::sniff::{self, Kind};

/// Run the host checks and add their findings to `files`.
pub(crate) fn merge(files: &mut Vec<FileReport>, opts: &HostOptions, paths: &[PathBuf]) {
    for f in host::check(opts, paths, &is_model_file) {
        let path = f.location.path.clone();
        if let Some(report) = files.iter_mut().find(|r| r.path == path) {
            // A daemon.json under the scanned paths was judged already.
            if !report
                .findings
                .iter()
                .any(|g| g.fingerprint == f.fingerprint)
            {
                report.findings.push(f);
            }
            continue;
        }
        let format = if path.starts_with(host::HOST_SCHEME) {
            "host"
        } else if f.rule_id == "AIG400" || f.rule_id.starts_with("AIG57") {
            "docker-daemon"
        } else {
            "file-permissions"
        };
        files.push(FileReport::new(path, format, vec![f]));
    }
}

/// A model file as the engine would treat it: a model format recognised by
/// content (archives and compressed streams only when named like a model,
/// since any zip or tarball would match), or a name the engine reports as
/// an unrecognised model when its content is not one.
pub(crate) fn is_model_file(path: &Path, head: &[u8]) -> bool {
    let named = crate::engine::has_pickle_extension(path) || has_model_extension(path);
    match sniff::detect(head) {
        Some(Kind::Zip | Kind::Tar | Kind::Compressed(_) | Kind::SevenZip) => named,
        Some(_) => true,
        None => named,
    }
}

/// Model names beyond the engine's pickle-family list (whose content the
/// engine recognises without needing the name).
fn has_model_extension(path: &Path) -> bool {
    const EXT: &[&str] = &[
        "bin", "h5", "hdf5", "keras", "pb", "tflite", "mar", "nemo", "model",
    ];
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXT.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_by_content_and_archives_by_name() {
        let p = Path::new;
        assert!(is_model_file(p("weights"), b"\x80\x02}q\x00."));
        assert!(is_model_file(p("x.gguf"), b"GGUF\x03\x00\x00\x00"));
        assert!(is_model_file(p("model.pt"), b"PK\x03\x04rest"));
        assert!(!is_model_file(p("source.zip"), b"PK\x03\x04rest"));
        assert!(is_model_file(p("model.safetensors"), b"not really"));
        assert!(!is_model_file(p("README.md"), b"# a readme\n"));
    }
}
