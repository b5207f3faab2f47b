-- The client's journey timeline: a milestone for each new purchase and each change of a
-- known one. A milestone is identified by its import and row: milestone_id is derived from
-- them (a uuid5), so the table is keyed by (import_id, row_number), the key every write
-- checks. amount is NULL when the source gave none (a file without an amount column).
CREATE TABLE milestones (
    milestone_id          uuid        NOT NULL,
    tenant_id             text        NOT NULL,
    client_email          text        NOT NULL,
    import_id             uuid        NOT NULL,
    row_number            integer     NOT NULL,
    chunk_no              integer     NOT NULL,
    kind                  text        NOT NULL
        CHECK (kind IN ('purchase', 'status_change', 'purchase_changed')),
    occurred_at           timestamptz NOT NULL,
    amount                numeric,
    currency              text        NOT NULL,
    product               text,
    status                text,
    status_code           text,
    transaction_code      text,
    source                text        NOT NULL,
    purchase_key          text        NOT NULL,
    previous_status       text,
    previous_status_code  text,
    recorded_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (import_id, row_number)
);
CREATE INDEX milestones_timeline ON milestones (tenant_id, client_email, occurred_at);

-- The latest known state of each purchase, so a later import adds a milestone only when
-- the purchase changed.
CREATE TABLE journey_purchases (
    tenant_id     text        NOT NULL,
    purchase_key  text        NOT NULL,
    fingerprint   text        NOT NULL,
    status        text,
    status_code   text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, purchase_key)
);

-- The rows the journey applied without a milestone (their purchase unchanged): with the
-- milestones, every row applied is in exactly one of the two tables. A chunk's rows are a
-- range of the key (hotmart_common.store.keyed.CHUNK_ROWS): no index by chunk.
CREATE TABLE journey_rows (
    import_id   uuid    NOT NULL,
    row_number  integer NOT NULL,
    chunk_no    integer NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

-- A batch reaches PostgreSQL as one array of these records rather than one array per
-- column: asyncpg inspects every element of an array parameter on its own, about 0.4 us
-- each, where a record's fields are only encoded. Each type's attributes are the fields of
-- its declaration in journey_service.repository (MilestoneInput, PurchaseInput, RowInput),
-- by name and in order (tests/integration/test_batch_inputs.py holds them together).
-- amount is the Decimal's exact text, cast to numeric in SQL.
CREATE TYPE journey_milestone_input AS (
    milestone_id         uuid,
    client_email         text,
    row_number           integer,
    chunk_no             integer,
    kind                 text,
    occurred_at          timestamptz,
    amount               text,
    currency             text,
    product              text,
    status               text,
    status_code          text,
    transaction_code     text,
    purchase_key         text,
    previous_status      text,
    previous_status_code text
);
CREATE TYPE journey_purchase_input AS (
    purchase_key text,
    fingerprint  text,
    status       text,
    status_code  text
);
CREATE TYPE journey_row_input AS (row_number integer, chunk_no integer);
