-- The intake record: what was asked (the file or batch, its mapping, its options). Only
-- the upload service reads and writes it; what became of the import is the finalizer's
-- (import_outcomes), read through its API.
CREATE TABLE IF NOT EXISTS imports (
    import_id             uuid PRIMARY KEY,
    tenant_id             text        NOT NULL,
    source                text        NOT NULL DEFAULT 'file'
                          CHECK (source IN ('file', 'webhook', 'hotmart_api', 'members', 'manual')),
    -- The file, for the doors that have one.
    file_name             text,
    object_key            text,
    file_format           text,
    file_bytes            bigint,
    -- S3 key of the table the upload read from a workbook (Arrow IPC), which the parser
    -- reads instead of the workbook. None for a CSV.
    table_key             text,
    mapping               jsonb       NOT NULL,
    preview               jsonb       NOT NULL,
    uploaded_at           timestamptz NOT NULL,
    status                text        NOT NULL DEFAULT 'uploaded'
                          CHECK (status IN ('uploaded', 'confirmed')),
    confirmed_at          timestamptz,
    duplicate_policy      text        NOT NULL DEFAULT 'update'
                          CHECK (duplicate_policy IN ('update', 'skip')),
    default_purchased_at  timestamptz,
    -- The status code of every purchase of a file without a status column (chosen at
    -- confirm; WAITING_PAYMENT, counted as pending revenue, by default).
    status_when_missing   text        NOT NULL DEFAULT 'WAITING_PAYMENT',
    -- 0 once confirmed, one more for each retry (carried by import.confirmed).
    attempt               integer     NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS imports_history ON imports (tenant_id, uploaded_at DESC);
