-- When the import last moved, and which services still owe which chunks: a stalled import
-- says what it waits for instead of a silent "processing".
ALTER TABLE imports ADD COLUMN IF NOT EXISTS last_progress_at timestamptz;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS waiting_for jsonb;
CREATE INDEX IF NOT EXISTS imports_processing ON imports (last_progress_at)
    WHERE status = 'processing';
