-- Every row lookup gives (import_id, row_number): the primary key. Secondary indexes led
-- by import_id alone tied with it whenever the statistics predated the import (a new
-- import_id looks like one row), and the planner then scanned the whole import per row
-- looked up. Led by their own column, they cannot be mistaken for the key.
DROP INDEX IF EXISTS matcher_rows_by_chunk;
CREATE INDEX IF NOT EXISTS matcher_rows_by_chunk_and_import ON matcher_rows (chunk_no, import_id);
DROP INDEX IF EXISTS matcher_rows_by_client;
CREATE INDEX IF NOT EXISTS matcher_rows_by_client_and_import
    ON matcher_rows (client_id, import_id);
