//! `/api/v1/billing/...` for signed-in users, and the webhook endpoint.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::client::{CheckoutMode, NewCheckoutSession, StripeError};
use super::subscriptions::{self, Subscription};
use super::webhook;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::Json;
use crate::state::AppState;

/// Routes for signed-in users.
pub fn billing_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(checkout))
        .routes(routes!(portal))
        .routes(routes!(subscription))
}

/// Stripe's webhook endpoint; it is public, and the signature authenticates it.
pub fn webhook_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(webhook::receive))
}

/// The body of `POST /billing/checkout`.
#[derive(Debug, Deserialize, ToSchema)]
struct CheckoutRequest {
    /// One of `STRIPE_SUBSCRIPTION_PRICES` or `STRIPE_ONE_TIME_PRICES`.
    #[schema(example = "price_1PqR2sT3uV4wX5yZ")]
    price_id: String,
}

/// Where to send the user: a hosted Stripe page.
#[derive(Debug, Serialize, ToSchema)]
struct Redirect {
    /// The page's URL.
    url: String,
}

/// `POST /billing/checkout {"price_id": "price_..."}`: a Checkout session for one of the
/// configured prices, subscribing for a recurring price and paying once for a one-time price.
#[utoipa::path(
    post,
    path = "/billing/checkout",
    operation_id = "create_checkout_session",
    tag = "billing",
    request_body = CheckoutRequest,
    responses((status = 200, description = "The Checkout page to send the user to", body = Redirect))
)]
async fn checkout(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(request): Json<CheckoutRequest>,
) -> Result<Json<Redirect>, AppError> {
    let settings = &state.config.payments;
    let mode = if settings.subscription_prices.contains(&request.price_id) {
        CheckoutMode::Subscription
    } else if settings.one_time_prices.contains(&request.price_id) {
        CheckoutMode::Payment
    } else {
        return Err(AppError::Validation(format!(
            "{:?} is not a price on sale",
            request.price_id
        )));
    };
    let customer = customer_id(&state, &user).await?;
    let session = state
        .stripe
        .create_checkout_session(&NewCheckoutSession {
            customer: &customer,
            mode,
            price: &request.price_id,
            client_reference_id: &user.id.to_string(),
            success_url: &settings.success_url,
            cancel_url: &settings.cancel_url,
        })
        .await
        .map_err(failed)?;
    Ok(Json(Redirect { url: session.url }))
}

/// `POST /billing/portal`: a Billing Portal session, where the user manages their
/// subscription, payment methods and invoices.
#[utoipa::path(
    post,
    path = "/billing/portal",
    operation_id = "create_portal_session",
    tag = "billing",
    responses((status = 200, description = "The Billing Portal page to send the user to", body = Redirect))
)]
async fn portal(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Json<Redirect>, AppError> {
    let customer = customer_id(&state, &user).await?;
    let session = state
        .stripe
        .create_portal_session(&customer, &state.config.payments.portal_return_url)
        .await
        .map_err(failed)?;
    Ok(Json(Redirect { url: session.url }))
}

/// The caller's plan: their current subscription, if any, and whether it grants access.
#[derive(Debug, Serialize, ToSchema)]
struct Plan {
    /// Whether the subscription grants access now (active or trialing).
    active: bool,
    subscription: Option<Subscription>,
}

/// `GET /billing/subscription`.
#[utoipa::path(
    get,
    path = "/billing/subscription",
    operation_id = "get_subscription",
    tag = "billing",
    responses((status = 200, description = "The caller's plan", body = Plan))
)]
async fn subscription(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Json<Plan>, AppError> {
    let subscription = subscriptions::current(&state.db, user.id).await?;
    Ok(Json(Plan {
        active: subscription
            .as_ref()
            .is_some_and(Subscription::grants_access),
        subscription,
    }))
}

/// The user's Stripe customer, created on first use.
async fn customer_id(state: &AppState, user: &CurrentUser) -> Result<String, AppError> {
    if let Some(customer) = subscriptions::customer_id(&state.db, user.id).await? {
        return Ok(customer);
    }
    let customer = state
        .stripe
        .create_customer(
            &user.id.to_string(),
            user.email.as_deref(),
            user.name.as_deref(),
        )
        .await
        .map_err(failed)?;
    // A concurrent request may have stored one first; theirs is kept.
    subscriptions::link_customer(&state.db, user.id, &customer.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the user {} has no row", user.id).into())
}

/// A failed Stripe call is the server's problem, not the client's: logged, answered 500.
fn failed(error: StripeError) -> AppError {
    AppError::Unexpected(anyhow::Error::new(error).context("Stripe call failed"))
}
