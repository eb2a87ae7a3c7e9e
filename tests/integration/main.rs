//! The integration tests, as modules of one test binary: each module is one area (its file's
//! documentation says what it covers). One binary links the dev-dependencies once, and the
//! helpers they share (`test-support`) are compiled once for it and the attack suite.
//!
//! `cargo test --test integration storage::` runs one area.

mod aide;
mod better_auth;
mod browser;
mod cors;
mod features;
mod jwks_tls;
mod metrics;
mod oauth;
mod openapi;
mod ownership;
mod properties;
mod roles;
mod router;
mod storage;
mod tasks_e2e;
mod token_cache;
