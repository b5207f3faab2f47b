-- CRM clients, one per e-mail and tenant.
CREATE TABLE IF NOT EXISTS clients (
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

-- What the matcher did with each row of each import: the key of its idempotency.
CREATE TABLE IF NOT EXISTS matcher_rows (
    import_id       uuid    NOT NULL,
    row_number      integer NOT NULL,
    chunk_no        integer NOT NULL,
    client_id       uuid    NOT NULL REFERENCES clients,
    first_of_buyer  boolean NOT NULL,
    outcome         text    NOT NULL CHECK (outcome IN ('created', 'updated')),
    PRIMARY KEY (import_id, row_number)
);
CREATE INDEX IF NOT EXISTS matcher_rows_by_chunk ON matcher_rows (import_id, chunk_no);
