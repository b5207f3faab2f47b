-- Set once every row event of an import is on the broker: a repeated import.confirmed
-- (a client confirming twice) then publishes nothing again. A crash before it is set
-- makes the parser publish everything again, which consumers ignore row by row.
ALTER TABLE imports ADD COLUMN IF NOT EXISTS rows_published_at timestamptz;
