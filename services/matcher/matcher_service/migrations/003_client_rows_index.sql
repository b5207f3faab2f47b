-- "Is this the client's first updated row in the import?" looks rows up by client.
CREATE INDEX IF NOT EXISTS matcher_rows_by_client ON matcher_rows (import_id, client_id);
