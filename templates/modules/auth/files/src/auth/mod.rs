//! Authentication: bearer tokens (JWTs) issued by an identity provider, verified against
//! the provider's keys, and the signed-in user as an extractor.
//!
//! Every route of the app and admin groups needs a valid token ([`authenticate`] checks
//! it before the rate limit, which then counts the user rather than their IP).
//! Handlers get the caller by taking [`CurrentUser`] (any signed-in user) or [`RequireAdmin`]
//! (users whose role claim names the admin role). Both answer 401 for a missing or
//! invalid token and [`RequireAdmin`] answers 403 for other users, in the error envelope.
//! Every user is kept in the `users` table, written on their first request and whenever
//! their token's claims change; `CurrentUser::id` is that row's id.

mod error;
mod extract;
mod jwks;
mod openapi;
mod policy;
mod recent;
mod routes;
mod users;
mod verifier;

pub use error::AuthError;
pub use extract::{CurrentUser, RequireAdmin, authenticate};
pub use openapi::describe_signed_in;
pub use policy::{JwksLocation, Policy};
pub use recent::RecentUsers;
pub use routes::{admin_routes, app_routes};
pub use users::{Profile, User, remove, save_profile, sync, write_as};
pub use verifier::{Authenticator, Identity};
