-- The latest known state of each purchase, so a later export adds a milestone only when
-- the purchase changed.
CREATE TABLE IF NOT EXISTS journey_purchases (
    tenant_id     text        NOT NULL,
    purchase_key  text        NOT NULL,
    fingerprint   text        NOT NULL,
    status        text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, purchase_key)
);

-- What the journey service did with each row (a repeat records no milestone).
CREATE TABLE IF NOT EXISTS journey_rows (
    import_id   uuid    NOT NULL,
    row_number  integer NOT NULL,
    chunk_no    integer NOT NULL,
    outcome     text    NOT NULL CHECK (outcome IN ('new', 'changed', 'unchanged')),
    PRIMARY KEY (import_id, row_number)
);
CREATE INDEX IF NOT EXISTS journey_rows_by_chunk ON journey_rows (import_id, chunk_no);

ALTER TABLE milestones ADD COLUMN IF NOT EXISTS purchase_key text;
ALTER TABLE milestones ADD COLUMN IF NOT EXISTS previous_status text;
