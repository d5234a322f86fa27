//! The example resource: projects, shared rows that anyone may manage.
//!
//! There are no users, so every project is everyone's: the routes under `/api/v1/projects`
//! are public, limited per client IP like the rest of the public group. The storage is the
//! generic [`crate::crud`] layer; this module adds the row type, the validated inputs and the
//! routes.

mod input;
mod model;
mod routes;

pub use input::{NewProject, ProjectChanges};
pub use model::Project;
pub use routes::routes;
