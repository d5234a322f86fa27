//! How authentication shows in the OpenAPI document.

use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};

use crate::middleware::rate_limit::RouteGroup;
use crate::openapi::{add_response, error_response, operations_mut};

/// The security scheme's name in the document.
const SCHEME: &str = "bearer";

/// Marks every operation of a signed-in group as needing a bearer token, with the answers
/// [`super::authenticate`] and [`super::RequireAdmin`] give.
pub fn describe_signed_in(openapi: &mut OpenApi, group: RouteGroup) {
    for operation in operations_mut(openapi) {
        operation.security = Some(vec![SecurityRequirement::new(SCHEME, Vec::<String>::new())]);
    }
    let scheme = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT")
        .description(Some("An access token issued by the identity provider"))
        .build();
    openapi
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(SCHEME, SecurityScheme::Http(scheme));
    add_response(
        openapi,
        "401",
        "Unauthorized",
        error_response("No bearer token, or an invalid or expired one"),
    );
    if group == RouteGroup::Admin {
        add_response(
            openapi,
            "403",
            "Forbidden",
            error_response("The token's role claim is not `AUTH_ADMIN_ROLE`"),
        );
    }
}
