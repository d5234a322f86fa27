//! The job queue and its worker, against the real Redis: each test has a queue of its own.

mod cleanup;
mod queue;
mod shutdown;
pub mod support;
