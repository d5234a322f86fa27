//! Authentication, end to end, against a fake identity provider.
//!
//! The shared tests here run against whichever provider the project uses: `provider.rs`
//! says how that provider publishes its keys and what its tokens hold. Tests of what only
//! one provider does are in `tests/api/auth_<provider>.rs`.

mod access;
pub mod idp;
mod jwks;
pub mod keys;
mod openapi;
pub mod provider;
mod rate_limit;
mod rejections;
mod users;
