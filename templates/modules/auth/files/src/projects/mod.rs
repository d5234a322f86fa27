//! The example resource: projects, each owned by the user who created it.
//!
//! Users manage their own projects under `/api/v1/projects` (another user's project is a
//! 404); administrators list everyone's and delete them for good under
//! `/api/v1/admin/projects`. The storage is the generic [`crate::crud`] layer; this module
//! adds the row type, the validated inputs and the routes.

mod input;
mod model;
mod routes;

pub use input::{NewProject, ProjectChanges};
pub use model::Project;
pub use routes::{admin_routes, app_routes};
