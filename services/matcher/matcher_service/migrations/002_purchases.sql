-- What the matcher knows of each purchase, to tell a new or changed one from a repeat.
CREATE TABLE IF NOT EXISTS client_purchases (
    tenant_id     text        NOT NULL,
    purchase_key  text        NOT NULL,
    fingerprint   text        NOT NULL,
    client_id     uuid        NOT NULL REFERENCES clients,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, purchase_key)
);

-- A row of an existing client whose purchase is a repeat leaves the client unchanged.
ALTER TABLE matcher_rows DROP CONSTRAINT IF EXISTS matcher_rows_outcome_check;
ALTER TABLE matcher_rows ADD CONSTRAINT matcher_rows_outcome_check
    CHECK (outcome IN ('created', 'updated', 'unchanged'));
