-- matcher_rows and client_purchases take their client_id from the clients upsert of the same
-- transaction, and clients are never deleted: the foreign keys only re-checked what that
-- statement had just returned, one lookup per row and table. They are dropped.
ALTER TABLE matcher_rows DROP CONSTRAINT IF EXISTS matcher_rows_client_id_fkey;
ALTER TABLE client_purchases DROP CONSTRAINT IF EXISTS client_purchases_client_id_fkey;
