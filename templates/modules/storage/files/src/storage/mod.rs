//! File storage: user uploads in an S3-compatible bucket, sent and fetched by clients through
//! presigned URLs, with their metadata in the `uploads` table.
//!
//! [`Storage`] signs URLs and makes the server's own requests to the bucket; the routes under
//! `/api/v1/uploads` hand out those URLs to signed-in users and keep track of their files.

mod client;
mod routes;
mod uploads;

pub use client::{ObjectInfo, PresignedRequest, Storage};
pub use routes::app_routes;
pub use uploads::Upload;
