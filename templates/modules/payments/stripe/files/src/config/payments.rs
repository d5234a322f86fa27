//! Payment settings for Stripe.

use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;

use super::env::Env;

/// Price ids from a comma-separated list, such as `price_monthly,price_yearly`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceIds(pub Vec<String>);

impl PriceIds {
    /// Whether `price` is one of the list.
    pub fn contains(&self, price: &str) -> bool {
        self.0.iter().any(|listed| listed == price)
    }
}

impl FromStr for PriceIds {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        value
            .split(',')
            .map(str::trim)
            .filter(|price| !price.is_empty())
            .map(|price| {
                // Price ids, not lookup keys or product ids: those would only fail at checkout.
                if price.starts_with("price_") {
                    Ok(price.to_owned())
                } else {
                    Err(format!("{price:?} is not a price id (price_...)"))
                }
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// How to reach Stripe, what clients may buy, and where Stripe sends them back to.
#[derive(Debug, Clone)]
pub struct PaymentsSettings {
    /// Secret API key, sent as a bearer token.
    pub secret_key: SecretString,
    /// Signing secret of the webhook endpoint (`whsec_...`).
    pub webhook_secret: SecretString,
    /// Root of the API, such as `https://api.stripe.com`; tests point it at a fake server.
    pub api_base: String,
    /// Largest difference between a webhook's signed timestamp and now.
    pub webhook_tolerance: Duration,
    /// Recurring prices a checkout may subscribe to.
    pub subscription_prices: PriceIds,
    /// One-time prices a checkout may sell.
    pub one_time_prices: PriceIds,
    /// Where Checkout returns the customer after paying.
    pub success_url: String,
    /// Where Checkout returns the customer who goes back.
    pub cancel_url: String,
    /// Where the Billing Portal's return link leads.
    pub portal_return_url: String,
}

impl PaymentsSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            secret_key: env.required("STRIPE_SECRET_KEY").into(),
            webhook_secret: env.required("STRIPE_WEBHOOK_SECRET").into(),
            api_base: env
                .optional("STRIPE_API_BASE")
                .unwrap_or_else(|| "https://api.stripe.com".to_owned()),
            webhook_tolerance: Duration::from_secs(
                env.parsed("STRIPE_WEBHOOK_TOLERANCE_SECS", 300),
            ),
            subscription_prices: env.parsed("STRIPE_SUBSCRIPTION_PRICE_IDS", PriceIds::default()),
            one_time_prices: env.parsed("STRIPE_ONE_TIME_PRICE_IDS", PriceIds::default()),
            success_url: env.required("BILLING_SUCCESS_URL"),
            cancel_url: env.required("BILLING_CANCEL_URL"),
            portal_return_url: env.required("BILLING_PORTAL_RETURN_URL"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_ids_are_split_on_commas_and_trimmed() {
        let prices: PriceIds = " price_a, price_b,".parse().unwrap();

        assert_eq!(prices.0, ["price_a", "price_b"]);
        assert!(prices.contains("price_b"));
        assert!(!prices.contains("price_c"));
    }

    #[test]
    fn anything_but_a_price_id_is_refused() {
        let error = "price_a,prod_b".parse::<PriceIds>().unwrap_err();

        assert!(error.contains("\"prod_b\""), "{error}");
    }
}
