//! Readers for hostile model files.
//!
//! Every reader here takes untrusted bytes and must never panic, never
//! allocate more than its named limits allow, and never take time that grows
//! faster than the input. None of them executes or imports anything: the
//! pickle machine is symbolic. Policy (what is safe) lives in `aigis-scan`.
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
pub mod npy;
pub mod tar;
pub mod zip;
