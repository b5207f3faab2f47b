-- The clients each import has updated, one row each: "is this the client's first updated
-- row in the import?" becomes an insert that either adds the pair or finds it there. It
-- replaces an index by client over every row of every import, whose random uuid keys cost
-- more to keep than any other index of the matcher, to answer a question a first import
-- never asks.
CREATE TABLE IF NOT EXISTS matcher_updated_clients (
    import_id  uuid NOT NULL,
    client_id  uuid NOT NULL,
    PRIMARY KEY (import_id, client_id)
);
INSERT INTO matcher_updated_clients (import_id, client_id)
SELECT DISTINCT import_id, client_id FROM matcher_rows WHERE outcome = 'updated'
ON CONFLICT DO NOTHING;
DROP INDEX IF EXISTS matcher_rows_by_client_and_import;
