-- Projects become owned: each belongs to a user, and deleting the user deletes them.
--
-- The column allows NULL for the projects written before the app had users (when
-- authentication came after them): no user owns or sees those, administrators list them
-- (`owner_id` null) and may delete them, and `UPDATE projects SET owner_id = ...` hands one to
-- a user. Every project created since has its owner.
ALTER TABLE projects ADD COLUMN owner_id uuid REFERENCES users (id) ON DELETE CASCADE;

-- An owner's projects, a page at a time: the default listing, without deleted ones.
CREATE INDEX projects_owner_live_idx ON projects (owner_id, created_at, id)
WHERE deleted_at IS NULL;
-- An owner's projects including deleted ones; also what deleting a user cascades through.
CREATE INDEX projects_owner_idx ON projects (owner_id, created_at, id);
