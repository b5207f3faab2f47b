-- The revenue ledger proper: one entry per purchase, in its latest known state. A later
-- export that refunds a purchase moves its amount from active to lost here; importing the
-- same export again changes nothing. (revenue_ledger keeps what each import's rows said.)
CREATE TABLE IF NOT EXISTS revenue_transactions (
    tenant_id         text        NOT NULL,
    purchase_key      text        NOT NULL,
    transaction_code  text,
    client_email      text        NOT NULL,
    category          text        NOT NULL CHECK (category IN ('active', 'lost', 'pending')),
    status            text,
    amount            numeric     NOT NULL,
    currency          text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    fingerprint       text        NOT NULL,
    first_import_id   uuid        NOT NULL,
    last_import_id    uuid        NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, purchase_key)
);
CREATE INDEX IF NOT EXISTS revenue_transactions_by_client
    ON revenue_transactions (tenant_id, client_email);

ALTER TABLE revenue_ledger ADD COLUMN IF NOT EXISTS purchase_key text;
ALTER TABLE revenue_ledger ADD COLUMN IF NOT EXISTS outcome text
    CHECK (outcome IN ('new', 'changed', 'unchanged'));

-- Per-client totals, from the latest state of each purchase.
CREATE OR REPLACE VIEW client_revenue AS
SELECT tenant_id, client_email, currency,
       coalesce(sum(amount) FILTER (WHERE category = 'active'), 0) AS active_total,
       coalesce(sum(amount) FILTER (WHERE category = 'lost'), 0) AS lost_total,
       coalesce(sum(amount) FILTER (WHERE category = 'pending'), 0) AS pending_total,
       count(*) AS purchases
FROM revenue_transactions
GROUP BY tenant_id, client_email, currency;
