-- One row per chat request answered by an AI provider: who asked, which model answered and
-- what it cost, for usage reports and per-user limits.
CREATE TABLE ai_usage (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider text NOT NULL,
    model text NOT NULL,
    -- The router's choice: `cheap` or `strong`.
    tier text NOT NULL,
    streamed boolean NOT NULL,
    input_tokens integer NOT NULL CHECK (input_tokens >= 0),
    output_tokens integer NOT NULL CHECK (output_tokens >= 0),
    -- Millionths of a US dollar, from the price table in src/ai/usage.rs; NULL for a model
    -- the table does not list.
    estimated_cost_micros bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ai_usage_user_id_created_at_idx ON ai_usage (user_id, created_at);
