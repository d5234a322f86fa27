//! What each user's requests cost: one `ai_usage` row per answered request.
//!
//! Costs are estimates from [`PRICES`], the providers' list prices in US dollars per million
//! tokens (November 2025). A model is priced by the longest entry its name starts with, so
//! dated versions (`gpt-4o-2024-08-06`) cost what their family does; a model the table does
//! not list is recorded without a cost. Update the table when prices change.

use serde::Serialize;
use sqlx::PgExecutor;
use utoipa::ToSchema;
use uuid::Uuid;

use super::provider::Usage;
use super::router::Route;

/// `(model name prefix, dollars per million input tokens, per million output tokens)`.
pub const PRICES: &[(&str, f64, f64)] = &[
    ("gpt-4o-mini", 0.15, 0.60),
    ("gpt-4o", 2.50, 10.00),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1", 2.00, 8.00),
    ("claude-haiku-4-5", 1.00, 5.00),
    ("claude-3-5-haiku", 0.80, 4.00),
    ("claude-sonnet-4", 3.00, 15.00),
    ("claude-opus-4-1", 15.00, 75.00),
];

/// The estimated cost of `usage` on `model`, in millionths of a dollar; `None` when the
/// model has no price.
pub fn estimated_cost_micros(model: &str, usage: Usage) -> Option<i64> {
    let (_, input, output) = PRICES
        .iter()
        .filter(|(prefix, _, _)| model.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())?;
    // Dollars per million tokens are millionths of a dollar per token.
    let micros = f64::from(usage.input_tokens) * input + f64::from(usage.output_tokens) * output;
    Some(micros.round() as i64)
}

/// Records one answered request of `user_id`.
pub async fn record(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    route: &Route,
    usage: Usage,
    streamed: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO ai_usage
             (user_id, provider, model, tier, streamed, input_tokens, output_tokens,
              estimated_cost_micros)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(user_id)
    .bind(route.provider)
    .bind(&route.model)
    .bind(route.tier.as_str())
    .bind(streamed)
    .bind(i64::from(usage.input_tokens))
    .bind(i64::from(usage.output_tokens))
    .bind(estimated_cost_micros(&route.model, usage))
    .execute(db)
    .await?;
    Ok(())
}

/// A user's requests to one model over a period.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct ModelUsage {
    /// The provider's name.
    pub provider: String,
    /// The model.
    pub model: String,
    /// How many requests it answered.
    pub requests: i64,
    /// Prompt tokens, summed.
    pub input_tokens: i64,
    /// Answer tokens, summed.
    pub output_tokens: i64,
    /// Estimated cost in millionths of a dollar, summed over the priced requests.
    pub estimated_cost_micros: i64,
}

/// What `user_id` used in the last `days` days, per model, most requested first.
pub async fn summary(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    days: i32,
) -> sqlx::Result<Vec<ModelUsage>> {
    sqlx::query_as(
        "SELECT provider, model, count(*) AS requests,
                sum(input_tokens)::bigint AS input_tokens,
                sum(output_tokens)::bigint AS output_tokens,
                coalesce(sum(estimated_cost_micros), 0)::bigint AS estimated_cost_micros
         FROM ai_usage
         WHERE user_id = $1 AND created_at >= now() - make_interval(days => $2)
         GROUP BY provider, model
         ORDER BY requests DESC, provider, model",
    )
    .bind(user_id)
    .bind(days)
    .fetch_all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input_tokens: u32, output_tokens: u32) -> Usage {
        Usage {
            input_tokens,
            output_tokens,
        }
    }

    #[test]
    fn the_cost_is_the_tokens_at_the_models_prices() {
        // 1,000 tokens at $2.50 per million plus 100 at $10.00: $0.0035.
        assert_eq!(
            estimated_cost_micros("gpt-4o", usage(1_000, 100)),
            Some(3_500)
        );
    }

    #[test]
    fn the_longest_matching_prefix_prices_a_model() {
        assert_eq!(
            estimated_cost_micros("gpt-4o-mini-2024-07-18", usage(1_000_000, 0)),
            Some(150_000)
        );
        assert_eq!(
            estimated_cost_micros("claude-sonnet-4-5-20250929", usage(0, 1_000)),
            Some(15_000)
        );
    }

    #[test]
    fn a_model_without_a_price_has_no_cost() {
        assert_eq!(estimated_cost_micros("llama3.1:8b", usage(10, 10)), None);
    }
}
