//! Payments with Stripe: Checkout for subscriptions and one-time purchases, the Billing
//! Portal, and webhooks that keep the `subscriptions` table in step with Stripe.
//!
//! Every Stripe customer is a user: the customer is created on the user's first checkout
//! or portal visit and its id stored in `users.stripe_customer_id`. Clients buy only the
//! prices listed in the configuration. Handlers of paid features take
//! [`RequireActiveSubscription`].

mod client;
mod guard;
mod routes;
mod signature;
mod subscriptions;
mod webhook;

pub use client::{
    API_VERSION, CheckoutMode, CheckoutSession, Customer, NewCheckoutSession, PortalSession,
    StripeClient, StripeError,
};
pub use guard::{RequireActiveSubscription, SubscriptionRejection};
pub use routes::{billing_routes, webhook_routes};
pub use signature::SignatureError;
pub use subscriptions::Subscription;
pub use webhook::HANDLED_EVENTS;
