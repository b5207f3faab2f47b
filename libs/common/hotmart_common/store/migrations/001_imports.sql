-- The import record shared along the pipeline: upload creates it, parse fills the totals,
-- the finalizer writes progress and the summary. Each writes only its own columns.
CREATE TABLE IF NOT EXISTS imports (
    import_id            uuid PRIMARY KEY,
    tenant_id            text        NOT NULL,
    file_name            text        NOT NULL,
    object_key           text        NOT NULL,
    file_format          text        NOT NULL,
    file_bytes           bigint      NOT NULL,
    status               text        NOT NULL DEFAULT 'uploaded'
                         CHECK (status IN ('uploaded', 'processing', 'completed', 'failed')),
    mapping              jsonb       NOT NULL,
    preview              jsonb       NOT NULL,
    uploaded_at          timestamptz NOT NULL,
    confirmed_at         timestamptz,
    parsed_at            timestamptz,
    completed_at         timestamptz,
    total_rows           integer,
    chunks_total         integer,
    chunks_done          integer     NOT NULL DEFAULT 0,
    clients_created      integer     NOT NULL DEFAULT 0,
    clients_updated      integer     NOT NULL DEFAULT 0,
    rows_skipped         integer     NOT NULL DEFAULT 0,
    rows_failed          integer     NOT NULL DEFAULT 0,
    total_revenue        numeric     NOT NULL DEFAULT 0,
    lost_revenue         numeric     NOT NULL DEFAULT 0,
    currency             text,
    revenue_by_currency  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    error                text
);
CREATE INDEX IF NOT EXISTS imports_history ON imports (tenant_id, uploaded_at DESC);

-- Rows that changed nothing (skipped) or that a service could not apply (failed).
CREATE TABLE IF NOT EXISTS import_row_issues (
    import_id    uuid    NOT NULL REFERENCES imports ON DELETE CASCADE,
    row_number   integer NOT NULL,
    status       text    NOT NULL CHECK (status IN ('skipped', 'failed')),
    code         text    NOT NULL,
    column_name  text,
    message      text    NOT NULL,
    stage        text    NOT NULL,
    PRIMARY KEY (import_id, row_number)
);
