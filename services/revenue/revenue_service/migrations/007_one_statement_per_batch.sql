-- A batch's ledger entries and the purchases they add or change go to PostgreSQL as one
-- array of these records, for one statement: the purchase fields are sent once, not twice.
-- The earlier input types stay for instances of the previous release during an update.
CREATE TYPE revenue_row_input AS (
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
    fingerprint      text,
    outcome          text
);
