//! Readers for hostile model files.
//!
//! Every reader here takes untrusted bytes and must never panic, never
//! allocate more than its named limits allow, and never take time that grows
//! faster than the input. None of them executes or imports anything: the
//! pickle machine is symbolic. Policy (what is safe) lives in `aigis-scan`.
//!
//! - [`zip`]: checkpoints, `.npz`, `.keras`; as lenient as `torch.load`,
//!   with every oddity recorded as an anomaly.
//! - [`npy`]: `.npy` headers; says when the data section is a pickle.
//! - [`compress`]: joblib's and tarballs' stream wrappers, under output and
//!   ratio limits.
//! - [`sevenz`]: 7z archives member by member (sevenz-rust2 under a memory
//!   limit, one thread), links recognised.
//! - [`tar`]: tar members as bounded streams; links and devices listed.
//! - [`tf`]: TensorFlow SavedModel / GraphDef / Keras metadata protobufs,
//!   reduced to the ops they run.
//! - [`marshal`]: Python code objects (Keras Lambda layers), names and
//!   constants listed, nothing run.
//! - [`safetensors`]: the header (JSON) and the layout it declares, checked
//!   against the input's length without touching tensor data.
//! - [`gguf`]: header, key/values and tensor infos of GGUF v1–v3, either
//!   byte order, every count and length bounded before use.
//! - [`hdf5`]: the root group's attributes (legacy Keras `.h5` model
//!   configs), superblock and object headers walked under limits.
//! - [`jinja`]: a Jinja lexer and the attribute/item accesses a template
//!   makes (chat templates are judged on them).
//! - [`onnx`]: ONNX `ModelProto`s, walked under limits, then decoded by
//!   prost without their tensor contents.
//! - [`tflite`]: TFLite (LiteRT) FlatBuffers: operator codes, operators,
//!   subgraph and metadata names, buffer sizes; every offset checked.
//! - [`ipynb`]: Jupyter notebooks, cells and the text of their outputs, each
//!   tied to its line in the raw file (our own span-keeping JSON reader).
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod bytes;
pub mod compress;
pub mod gguf;
pub mod hdf5;
pub mod ipynb;
pub mod jinja;
pub mod marshal;
pub mod npy;
pub mod onnx;
pub mod safetensors;
pub mod sevenz;
pub mod tar;
pub mod tf;
pub mod tflite;
pub mod zip;
