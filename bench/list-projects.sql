-- The SELECT behind `GET /api/v1/projects?limit=20` (src/crud.rs builds it), for pgbench:
-- bench/run puts the benchmark user's id in place of the owner variable.
SELECT id, owner_id, name, description, created_at, updated_at, deleted_at FROM projects WHERE true AND owner_id = :owner AND deleted_at IS NULL ORDER BY created_at, id LIMIT 21 OFFSET 0;
