-- One ledger entry per purchase row, in the category of its status.
CREATE TABLE IF NOT EXISTS revenue_ledger (
    tenant_id         text        NOT NULL,
    import_id         uuid        NOT NULL,
    row_number        integer     NOT NULL,
    chunk_no          integer     NOT NULL,
    client_email      text        NOT NULL,
    transaction_code  text,
    category          text        NOT NULL CHECK (category IN ('active', 'lost', 'pending')),
    status            text,
    amount            numeric     NOT NULL,
    currency          text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (import_id, row_number)
);
CREATE INDEX IF NOT EXISTS revenue_ledger_by_chunk ON revenue_ledger (import_id, chunk_no);
CREATE INDEX IF NOT EXISTS revenue_ledger_by_client ON revenue_ledger (tenant_id, client_email);

-- Per-client totals, always consistent with the ledger.
CREATE OR REPLACE VIEW client_revenue AS
SELECT tenant_id, client_email, currency,
       coalesce(sum(amount) FILTER (WHERE category = 'active'), 0) AS active_total,
       coalesce(sum(amount) FILTER (WHERE category = 'lost'), 0) AS lost_total,
       coalesce(sum(amount) FILTER (WHERE category = 'pending'), 0) AS pending_total,
       count(*) AS purchases
FROM revenue_ledger
GROUP BY tenant_id, client_email, currency;
