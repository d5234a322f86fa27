-- Billing with Stripe. Every Stripe customer is a user; subscriptions mirror Stripe's, as its
-- webhooks report them; stripe_events remembers which events were applied, so that a
-- redelivered event changes nothing.

-- Set when the user first starts a checkout or opens the billing portal.
ALTER TABLE users ADD COLUMN stripe_customer_id text UNIQUE;

CREATE TABLE subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stripe_subscription_id text NOT NULL UNIQUE,
    -- Stripe's status: trialing, active, past_due, unpaid, paused, incomplete,
    -- incomplete_expired or canceled. Not constrained here, so that a status Stripe adds
    -- later is stored rather than making every webhook for it fail.
    status text NOT NULL,
    price_id text,
    current_period_end timestamptz,
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    -- When Stripe created the last event applied to the row: Stripe does not promise to
    -- deliver events in order, and an older event arriving late must not undo a newer one.
    stripe_event_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id, created_at);

CREATE TRIGGER set_updated_at BEFORE UPDATE ON subscriptions
FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Each webhook event applied, recorded in the same transaction as its effect.
CREATE TABLE stripe_events (
    id text PRIMARY KEY,
    type text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stripe_events_processed_at_idx ON stripe_events (processed_at);
