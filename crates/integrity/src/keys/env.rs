//! Where environment variables come from: the process, or a map in tests
//! (Rust 2024 makes `set_var` unsafe, and the crate forbids `unsafe`).

use std::collections::HashMap;
use std::ffi::OsString;

/// A source of environment variables for key resolution.
pub trait EnvSource {
    /// The value of `name`, if set.
    fn var_os(&self, name: &str) -> Option<OsString>;
}

/// The real process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

/// A fixed set of variables (tests, or a caller that filters the environment).
#[derive(Clone, Default)]
pub struct MapEnv(pub HashMap<String, String>);

impl std::fmt::Debug for MapEnv {
    /// Names only: values may be secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl MapEnv {
    /// A map from `(name, value)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        MapEnv(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

impl EnvSource for MapEnv {
    fn var_os(&self, name: &str) -> Option<OsString> {
        self.0.get(name).map(OsString::from)
    }
}
