-- The example resource: projects owned by a user, soft-deleted before they are removed.
CREATE TABLE projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Set by a soft delete; such rows are left out of every query unless asked for.
    deleted_at timestamptz
);

-- An owner's projects, a page at a time: the default listing, without deleted ones.
CREATE INDEX projects_owner_live_idx ON projects (owner_id, created_at, id)
WHERE deleted_at IS NULL;
-- An owner's projects including deleted ones; also what deleting a user cascades through.
CREATE INDEX projects_owner_idx ON projects (owner_id, created_at, id);
-- Every project, a page at a time: the admin listing.
CREATE INDEX projects_created_at_idx ON projects (created_at, id);
-- Soft-deleted projects by age: what the purge past the retention looks for (with jobs).
CREATE INDEX projects_deleted_at_idx ON projects (deleted_at)
WHERE deleted_at IS NOT NULL;

CREATE TRIGGER set_updated_at BEFORE UPDATE ON projects
FOR EACH ROW EXECUTE FUNCTION set_updated_at();
