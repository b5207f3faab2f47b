-- A batch reaches PostgreSQL as one array of these records rather than one array per column:
-- asyncpg inspects every element of an array parameter on its own, about 0.4 us each, where
-- a record's fields are only encoded. amount is the Decimal's exact text, cast to numeric
-- in SQL.
CREATE TYPE revenue_transaction_input AS (
    purchase_key     text,
    transaction_code text,
    client_email     text,
    category         text,
    status           text,
    amount           text,
    currency         text,
    occurred_at      timestamptz,
    fingerprint      text
);
CREATE TYPE revenue_entry_input AS (
    row_number       integer,
    chunk_no         integer,
    client_email     text,
    transaction_code text,
    category         text,
    status           text,
    amount           text,
    currency         text,
    occurred_at      timestamptz,
    purchase_key     text,
    outcome          text
);
