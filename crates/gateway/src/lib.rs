//! aigis gateway: a reverse proxy in front of model servers that adds TLS,
//! API-key authentication, role-based authorization, rate limits, request
//! limits, audit records and metrics. See [`app`] for the request phases.
//!
//! This crate is a library: it returns data and errors, never prints and
//! never exits; the `aigis` binary wires configuration, signals and output.

pub mod admin;
pub mod app;
pub mod audit;
pub mod body;
pub mod config;
pub mod context;
mod error;
mod error_facts;
pub mod json_depth;
pub mod keys;
pub mod layers;
pub mod metrics;
pub mod pool;
pub mod proxy;
pub mod ratelimit;
pub mod reject;
pub mod server;
pub mod state;
pub mod tls;
pub mod tokens;

pub use config::GatewayConfig;
pub use error::Error;
pub use server::{Bound, Gateway};
