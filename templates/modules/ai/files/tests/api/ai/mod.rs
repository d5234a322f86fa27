//! The AI routes, end to end. The tests here need no provider; those of each provider,
//! against a fake of its API, are in `tests/api/ai_<provider>.rs`.

mod routes;
pub mod support;
