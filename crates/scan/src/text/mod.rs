//! Source code, notebooks and other text files.
//!
//! Python files go through the code rules (`aigis-pycode`) and every text
//! file through the secret rules (`aigis-secrets`); notebooks are split into
//! cells and outputs first (`aigis_formats::ipynb`). Model files never come
//! here. Nothing here executes what it reads.

pub mod magics;
