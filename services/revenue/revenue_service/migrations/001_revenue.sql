-- What each import's rows said: one ledger entry per row, in the category of its status
-- (revenue_service.categories), with the outcome for its purchase. amount is NULL when the
-- source gave none (a file without an amount column): such an entry is in no revenue sum.
CREATE TABLE revenue_ledger (
    tenant_id         text        NOT NULL,
    import_id         uuid        NOT NULL,
    row_number        integer     NOT NULL,
    chunk_no          integer     NOT NULL,
    client_email      text        NOT NULL,
    transaction_code  text,
    category          text        NOT NULL CHECK (category IN ('active', 'lost', 'pending')),
    status            text,
    status_code       text,
    amount            numeric,
    currency          text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    purchase_key      text        NOT NULL,
    outcome           text        NOT NULL CHECK (outcome IN ('new', 'changed', 'unchanged')),
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    -- Every lookup gives (import_id, row_number); a chunk's rows are a range of it
    -- (hotmart_common.store.keyed.CHUNK_ROWS), so no other index is kept up per row.
    PRIMARY KEY (import_id, row_number)
);

-- The revenue ledger proper: one entry per purchase, in its latest known state. A later
-- import that refunds a purchase moves its amount from active to lost here; importing the
-- same export again changes nothing.
CREATE TABLE revenue_transactions (
    tenant_id         text        NOT NULL,
    purchase_key      text        NOT NULL,
    transaction_code  text,
    client_email      text        NOT NULL,
    category          text        NOT NULL CHECK (category IN ('active', 'lost', 'pending')),
    status            text,
    status_code       text,
    amount            numeric,
    currency          text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    fingerprint       text        NOT NULL,
    first_import_id   uuid        NOT NULL,
    last_import_id    uuid        NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, purchase_key)
);
CREATE INDEX revenue_transactions_by_client ON revenue_transactions (tenant_id, client_email);

-- Per-client totals, from the latest state of each purchase (an unknown amount adds
-- nothing; it is counted among the purchases).
CREATE VIEW client_revenue AS
SELECT tenant_id, client_email, currency,
       coalesce(sum(amount) FILTER (WHERE category = 'active'), 0) AS active_total,
       coalesce(sum(amount) FILTER (WHERE category = 'lost'), 0) AS lost_total,
       coalesce(sum(amount) FILTER (WHERE category = 'pending'), 0) AS pending_total,
       count(*) AS purchases
FROM revenue_transactions
GROUP BY tenant_id, client_email, currency;

-- A batch's ledger entries and the purchases they add or change reach PostgreSQL as one
-- array of these records, for one statement: asyncpg inspects every element of an array
-- parameter on its own, about 0.4 us each, where a record's fields are only encoded. Its
-- attributes are revenue_service.repository.RevenueRowInput's fields, in that order
-- (tests/integration/test_batch_inputs.py holds them together). amount is the Decimal's
-- exact text, cast to numeric in SQL.
CREATE TYPE revenue_row_input AS (
    row_number       integer,
    chunk_no         integer,
    client_email     text,
    transaction_code text,
    category         text,
    status           text,
    status_code      text,
    amount           text,
    currency         text,
    occurred_at      timestamptz,
    purchase_key     text,
    fingerprint      text
);
