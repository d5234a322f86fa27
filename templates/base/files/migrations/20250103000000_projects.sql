-- The example resource: projects, soft-deleted before they are removed.
CREATE TABLE projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Set by a soft delete; such rows are left out of every query unless asked for.
    deleted_at timestamptz
);

-- Every project, a page at a time: the default listing, without deleted ones.
CREATE INDEX projects_live_idx ON projects (created_at, id)
WHERE deleted_at IS NULL;
-- Every project including deleted ones.
CREATE INDEX projects_created_at_idx ON projects (created_at, id);
-- Soft-deleted projects by age: what a purge past a retention looks for.
CREATE INDEX projects_deleted_at_idx ON projects (deleted_at)
WHERE deleted_at IS NOT NULL;

CREATE TRIGGER set_updated_at BEFORE UPDATE ON projects
FOR EACH ROW EXECUTE FUNCTION set_updated_at();
