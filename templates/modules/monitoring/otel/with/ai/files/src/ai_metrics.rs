//! What the AI gateway measures: the tokens of each answered request, by provider, model and
//! kind (the prompt's or the answer's), as the semantic conventions of generative AI name
//! them.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter};

use crate::ai::{Route, Usage};
use crate::state::AppState;

/// Upper bounds of the token count's buckets: the semantic conventions' advice, powers of
/// four from 1 to 67,108,864.
const TOKEN_BUCKETS: [f64; 14] = [
    1.0,
    4.0,
    16.0,
    64.0,
    256.0,
    1024.0,
    4096.0,
    16384.0,
    65536.0,
    262_144.0,
    1_048_576.0,
    4_194_304.0,
    16_777_216.0,
    67_108_864.0,
];

/// The instruments the AI gateway's answers are recorded in.
pub struct AiMetrics {
    token_usage: Histogram<u64>,
}

impl AiMetrics {
    /// Instruments of `meter`.
    pub fn new(meter: &Meter) -> Self {
        Self {
            token_usage: meter
                .u64_histogram("gen_ai.client.token.usage")
                .with_description("Tokens of each answered chat, by kind, provider and model.")
                .with_unit("{token}")
                .with_boundaries(TOKEN_BUCKETS.to_vec())
                .build(),
        }
    }
}

/// Records the tokens of a chat `route` answered with `usage`, unless the provider reported
/// none (an OpenAI-compatible server that ignores `include_usage`, say): a count of zero
/// would be recorded as a real one.
pub fn record(state: &AppState, route: &Route, usage: Usage) {
    if usage == Usage::default() {
        return;
    }
    for (kind, tokens) in [
        ("input", usage.input_tokens),
        ("output", usage.output_tokens),
    ] {
        let attributes = [
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", route.provider),
            KeyValue::new("gen_ai.request.model", route.model.clone()),
            KeyValue::new("gen_ai.token.type", kind),
        ];
        state
            .ai_metrics
            .token_usage
            .record(u64::from(tokens), &attributes);
    }
}
