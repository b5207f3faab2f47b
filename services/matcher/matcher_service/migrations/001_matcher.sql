-- The matcher's tables: CRM clients, what it knows of each purchase, and what it did with
-- each row of each import.

-- CRM clients, one per e-mail and tenant.
CREATE TABLE clients (
    client_id          uuid        PRIMARY KEY,
    tenant_id          text        NOT NULL,
    email              text        NOT NULL,
    name               text,
    phone              text,
    document           text,
    created_by_import  uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);

-- What the matcher did with each row of each import: the key of its idempotency. A row of
-- an existing client whose purchase is a repeat leaves the client 'unchanged'.
-- client_id comes from the clients upsert of the same transaction, and clients are never
-- deleted, so no foreign key re-checks what that statement has just returned. Every lookup
-- gives (import_id, row_number), and chunk reports find their rows by row range
-- (hotmart_common.store.keyed.CHUNK_ROWS): the primary key is the only index.
CREATE TABLE matcher_rows (
    import_id       uuid    NOT NULL,
    row_number      integer NOT NULL,
    chunk_no        integer NOT NULL,
    client_id       uuid    NOT NULL,
    first_of_buyer  boolean NOT NULL,
    outcome         text    NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged')),
    PRIMARY KEY (import_id, row_number)
);

-- What the matcher knows of each purchase, to tell a new or changed one from a repeat.
CREATE TABLE client_purchases (
    tenant_id     text        NOT NULL,
    purchase_key  text        NOT NULL,
    fingerprint   text        NOT NULL,
    client_id     uuid        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, purchase_key)
);

-- The clients each import has updated, one row each: "is this the client's first updated
-- row in the import?" is an insert that either adds the pair or finds it there.
CREATE TABLE matcher_updated_clients (
    import_id  uuid NOT NULL,
    client_id  uuid NOT NULL,
    PRIMARY KEY (import_id, client_id)
);

-- A batch reaches PostgreSQL as one array of these records rather than one array per column:
-- asyncpg inspects every element of an array parameter on its own, about 0.4 us each, where
-- a record's fields are only encoded. Each is, field for field, a record of repository.py.
CREATE TYPE matcher_client_input AS (email text, name text, phone text, document text);
CREATE TYPE matcher_purchase_input AS (purchase_key text, fingerprint text, client_id uuid);
CREATE TYPE matcher_row_input AS (
    row_number     integer,
    chunk_no       integer,
    client_id      uuid,
    first_of_buyer boolean,
    outcome        text
);
