-- Every row lookup gives (import_id, row_number): the primary key. An index led by
-- import_id alone tied with it whenever the statistics predated the import (a new
-- import_id looks like one row), and the planner then scanned the whole import per row
-- looked up. Led by chunk_no, it cannot be mistaken for the key.
DROP INDEX IF EXISTS journey_rows_by_chunk;
CREATE INDEX IF NOT EXISTS journey_rows_by_chunk_and_import ON journey_rows (chunk_no, import_id);
