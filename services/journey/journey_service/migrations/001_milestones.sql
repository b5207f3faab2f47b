-- The client's journey timeline: one milestone per purchase row.
CREATE TABLE IF NOT EXISTS milestones (
    milestone_id      uuid        PRIMARY KEY,
    tenant_id         text        NOT NULL,
    client_email      text        NOT NULL,
    import_id         uuid        NOT NULL,
    row_number        integer     NOT NULL,
    chunk_no          integer     NOT NULL,
    kind              text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    amount            numeric     NOT NULL,
    currency          text        NOT NULL,
    product           text,
    status            text,
    status_category   text        NOT NULL,
    transaction_code  text,
    source            text        NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (import_id, row_number)
);
CREATE INDEX IF NOT EXISTS milestones_timeline ON milestones (tenant_id, client_email, occurred_at);
CREATE INDEX IF NOT EXISTS milestones_by_chunk ON milestones (import_id, chunk_no);
