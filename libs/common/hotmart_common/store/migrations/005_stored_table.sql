-- S3 key of the table the upload read from a workbook (Arrow IPC), which the parser reads
-- instead of the workbook. None for a CSV, and for imports uploaded before it existed.
ALTER TABLE imports ADD COLUMN IF NOT EXISTS table_key text;
