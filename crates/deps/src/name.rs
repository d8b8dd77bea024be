//! Package names: PEP 503 normalisation and the conda-to-PyPI table for the
//! ML stack.

/// PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Whether `name` is a syntactically valid distribution name (PEP 508).
pub fn is_valid(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// What a conda package is on PyPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CondaName {
    /// The PyPI distribution of the same software (normalised name).
    Pypi(&'static str),
    /// Not a Python distribution (CUDA runtime, the interpreter, compilers).
    Ignored,
}

/// Conda names whose PyPI name differs, or that are no PyPI package at all.
/// Names not in the table are taken to be PyPI names.
const CONDA_TABLE: &[(&str, CondaName)] = &[
    ("pytorch", CondaName::Pypi("torch")),
    ("pytorch-gpu", CondaName::Pypi("torch")),
    ("pytorch-cpu", CondaName::Pypi("torch")),
    ("torchvision-cpu", CondaName::Pypi("torchvision")),
    ("tensorflow-gpu", CondaName::Pypi("tensorflow")),
    ("tensorflow-cpu", CondaName::Pypi("tensorflow")),
    ("tensorflow-base", CondaName::Pypi("tensorflow")),
    ("py-xgboost", CondaName::Pypi("xgboost")),
    ("py-xgboost-gpu", CondaName::Pypi("xgboost")),
    ("py-xgboost-cpu", CondaName::Pypi("xgboost")),
    ("py-opencv", CondaName::Pypi("opencv-python")),
    ("libopencv", CondaName::Ignored),
    ("pyyaml", CondaName::Pypi("pyyaml")),
    ("jupyter-server", CondaName::Pypi("jupyter-server")),
    ("huggingface-hub", CondaName::Pypi("huggingface-hub")),
    ("pytorch-lightning", CondaName::Pypi("pytorch-lightning")),
    ("pytorch-cuda", CondaName::Ignored),
    ("pytorch-mutex", CondaName::Ignored),
    ("cudatoolkit", CondaName::Ignored),
    ("cuda-toolkit", CondaName::Ignored),
    ("cuda-version", CondaName::Ignored),
    ("cudnn", CondaName::Ignored),
    ("nccl", CondaName::Ignored),
    ("mkl", CondaName::Ignored),
    ("python", CondaName::Ignored),
    ("pip", CondaName::Pypi("pip")),
    ("setuptools", CondaName::Pypi("setuptools")),
    ("libgcc-ng", CondaName::Ignored),
    ("libstdcxx-ng", CondaName::Ignored),
    ("openssl", CondaName::Ignored),
    ("ca-certificates", CondaName::Ignored),
];

/// The PyPI name of a conda package (`name` normalised first).
pub fn conda_to_pypi(name: &str) -> CondaName {
    let n = normalize(name);
    for (conda, mapped) in CONDA_TABLE {
        if *conda == n {
            return *mapped;
        }
    }
    if n.starts_with("lib") && !n.contains("python") && n != "librosa" && n != "libcst" {
        // Conda's C libraries (libblas, libcurl, ...); no PyPI distribution.
        return CondaName::Ignored;
    }
    CondaName::Pypi("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_examples() {
        for n in [
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
        ] {
            assert_eq!(normalize(n), "friendly-bard", "{n}");
        }
        assert_eq!(normalize("PyYAML"), "pyyaml");
        assert_eq!(normalize("scikit_learn"), "scikit-learn");
    }

    #[test]
    fn conda_ml_names_map_to_pypi() {
        assert_eq!(conda_to_pypi("pytorch"), CondaName::Pypi("torch"));
        assert_eq!(
            conda_to_pypi("tensorflow-gpu"),
            CondaName::Pypi("tensorflow")
        );
        assert_eq!(conda_to_pypi("py-xgboost"), CondaName::Pypi("xgboost"));
        assert_eq!(conda_to_pypi("pytorch-cuda"), CondaName::Ignored);
        assert_eq!(conda_to_pypi("cudatoolkit"), CondaName::Ignored);
        assert_eq!(conda_to_pypi("numpy"), CondaName::Pypi(""));
        assert!(is_valid("torch") && !is_valid("-x") && !is_valid("a b"));
    }
}
