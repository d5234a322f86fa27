//! Payments, end to end, against a fake Stripe API and signed webhook deliveries.

mod checkout;
mod stripe;
mod subscription;
mod webhooks;
