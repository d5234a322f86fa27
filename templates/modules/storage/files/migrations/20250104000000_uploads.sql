-- Files users upload straight to the bucket through presigned URLs. A row is written when
-- the upload URL is handed out (pending, `completed_at` NULL) and completed once the server
-- has seen the object. Deleting a user deletes their rows; their objects stay in the bucket
-- under `users/<user id>/`, for a lifecycle rule or a cleanup job to remove.
CREATE TABLE uploads (
    -- Chosen by the server, and part of the object key.
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- `users/<owner id>/<upload id>/<sanitised filename>`: never chosen by the client.
    object_key text NOT NULL UNIQUE,
    filename text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A user's files in the order they are listed, and the rows to delete with a user.
CREATE INDEX uploads_owner_created_at_idx ON uploads (owner_id, created_at, id);

CREATE TRIGGER set_updated_at BEFORE UPDATE ON uploads
FOR EACH ROW EXECUTE FUNCTION set_updated_at();
