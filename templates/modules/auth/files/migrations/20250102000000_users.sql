-- Users as known to the identity provider, created on their first authenticated request
-- and kept in step with the claims of their tokens. Other tables reference `users.id`,
-- never the provider's id, so changing provider only means remapping `external_id`.
CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The provider's subject (`sub` claim).
    external_id text NOT NULL UNIQUE,
    email text,
    name text,
    role text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX users_created_at_idx ON users (created_at, id);

CREATE TRIGGER set_updated_at BEFORE UPDATE ON users
FOR EACH ROW EXECUTE FUNCTION set_updated_at();
