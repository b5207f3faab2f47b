-- A batch reaches PostgreSQL as one array of these records rather than one array per column:
-- asyncpg inspects every element of an array parameter on its own, about 0.4 us each, where
-- a record's fields are only encoded.
CREATE TYPE matcher_client_input AS (email text, name text, phone text, document text);
CREATE TYPE matcher_purchase_input AS (purchase_key text, fingerprint text, client_id uuid);
CREATE TYPE matcher_row_input AS (
    row_number     integer,
    chunk_no       integer,
    client_id      uuid,
    first_of_buyer boolean,
    outcome        text
);
