-- Reports users ask for and the worker writes: a CSV of the owner's live projects. A row is
-- created queued by the request and kept up to date by the job. A done report's CSV is in the
-- storage bucket under `object_key` when the project has storage, in `csv` otherwise; both
-- columns exist either way, so that adding or removing storage later needs no migration.
CREATE TYPE report_status AS ENUM ('queued', 'running', 'done', 'failed');

CREATE TABLE reports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status report_status NOT NULL DEFAULT 'queued',
    -- Runs of the job started so far: the one that fails last marks the report failed.
    attempts integer NOT NULL DEFAULT 0,
    -- Projects in the CSV, once done.
    row_count integer,
    object_key text,
    csv text,
    -- Why it failed, for operators: the API only says that it did.
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT reports_done_has_its_csv CHECK (
        status <> 'done' OR (row_count IS NOT NULL AND num_nonnulls(object_key, csv) = 1)
    )
);

-- An owner's reports; also what deleting a user cascades through.
CREATE INDEX reports_owner_idx ON reports (owner_id, created_at);
