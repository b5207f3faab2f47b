-- A batch reaches PostgreSQL as one array of these records rather than one array per column:
-- asyncpg inspects every element of an array parameter on its own, about 0.4 us each, where
-- a record's fields are only encoded (a milestone costs the client 4.6 us instead of 10.1).
-- amount is the Decimal's exact text, cast to numeric in SQL.
CREATE TYPE journey_milestone_input AS (
    milestone_id     uuid,
    client_email     text,
    row_number       integer,
    chunk_no         integer,
    kind             text,
    occurred_at      timestamptz,
    amount           text,
    currency         text,
    product          text,
    status           text,
    status_category  text,
    transaction_code text,
    purchase_key     text,
    previous_status  text
);
CREATE TYPE journey_purchase_input AS (purchase_key text, fingerprint text, status text);
CREATE TYPE journey_row_input AS (row_number integer, chunk_no integer, outcome text);
