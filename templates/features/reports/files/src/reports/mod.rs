//! Reports: a CSV of the caller's live projects, written by a background job.
//!
//! `POST /api/v1/reports` records a queued report, enqueues
//! [`GenerateProjectsReport`](crate::jobs::GenerateProjectsReport) and answers 202 at once;
//! `GET /api/v1/reports/{id}` shows how far it got, and once it is done,
//! `GET /api/v1/reports/{id}/download` gives its CSV, from where `delivery.rs` keeps it.
//! Another user's report answers 404, as if it did not exist.

mod csv;
mod delivery;
mod generate;
mod model;
mod routes;

pub use generate::write;
pub use model::{Report, ReportStatus, Run, fail, start};
pub use routes::app_routes;
